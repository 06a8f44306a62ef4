// The shapes of the API's answers, as zod schemas, for openapi.json: the route table names them,
// but the Worker never validates its own answers with them (they cost it about 1 KiB of gzip,
// the price of one table). Requests are documented by the endpoints' own validating schemas; the
// answers are built from TypeScript types, so each schema below is checked against its type
// at compile time: a field added to one and not the other fails `npm run typecheck`.
import * as z from "zod/mini";
import type { ConfigSummary } from "./get-config";
import type { ApiErrorCode } from "./responses";
import type { DeliveryView } from "../webhooks/delivery-view";
import type { HistoryEntry } from "../user/history-store";
import type { Snapshot } from "../presence/snapshot";
import { ACTIONS, PLATFORMS } from "../presence/types";
import type { OnlineAnswer } from "../online/counts";
import type { ListedUser } from "../online/shard-store";
import { RESOLUTIONS, type SeriesPoint } from "../online/series";

const platform = z.enum(PLATFORMS);
const connection = z.enum(["online", "disconnected", "offline"]);
const userStatus = z.enum(["online", "disconnected", "offline", "unknown"]);
const epochMs = z.int().check(z.nonnegative());
const nullable = <T extends z.ZodMiniType>(schema: T) => z.nullable(schema);

export const snapshotSchema = z.object({
  app: z.string(),
  account: z.string(),
  status: userStatus,
  customStatus: nullable(z.string()),
  onlineSince: nullable(epochMs),
  lastSeen: nullable(epochMs),
  updatedAt: nullable(epochMs),
  version: z.int().check(z.nonnegative()),
  platforms: z.partialRecord(
    platform,
    z.object({ status: connection, reason: z.string(), since: epochMs, clientIp: nullable(z.string()) }),
  ),
  kicks: z.array(z.object({ platform, at: epochMs, by: platform })),
});

export const historyEntrySchema = z.object({
  seq: z.int().check(z.positive()),
  eventTime: epochMs,
  receivedAt: epochMs,
  action: z.enum([...ACTIONS, "Reconcile"]),
  reason: z.string(),
  platform,
  clientIp: nullable(z.string()),
  kicked: z.array(platform),
  outcome: z.enum(["applied", "duplicate", "stale"]),
  status: userStatus,
  source: z.enum(["callback", "reconcile"]),
});

export const deliverySchema = z.object({
  id: z.string(),
  subscriber: z.string(),
  type: z.string(),
  seq: z.int(),
  state: z.enum(["pending", "dead"]),
  attempts: z.int().check(z.nonnegative()),
  nextAttemptAt: nullable(epochMs),
  lastError: nullable(z.string()),
});

export const configSummarySchema = z.object({
  apps: z.array(
    z.object({
      app: z.string(),
      callbackAuth: z.enum(["signed", "unsigned", "rejected"]),
      callbackTokens: z.int().check(z.nonnegative()),
      reconcile: z.boolean(),
    }),
  ),
  webhooks: z.object({
    subscribers: z.array(z.object({ id: z.string(), origin: z.string(), events: nullable(z.array(z.string())) })),
    offlineGraceSeconds: z.number(),
  }),
  reconcile: z.object({
    afterSeconds: nullable(z.number()),
    maxRps: z.int(),
    restBaseUrl: z.string(),
    adminIdentifier: z.string(),
  }),
  retentionDays: nullable(z.number()),
  logCallbacks: z.boolean(),
  limits: z.object({
    batchAccounts: z.int(),
    eventsPage: z.int(),
    historyPerUser: z.int(),
    kicksPerUser: z.int(),
    callbackBodyBytes: z.int(),
  }),
});

const count = z.int().check(z.nonnegative());

/** GET /online: the app's counts. */
export const onlineCountsSchema = z.object({
  app: z.string(),
  online: count,
  disconnected: count,
  platforms: z.record(platform, count),
  asOf: epochMs,
});

export const listedUserSchema = z.object({
  account: z.string(),
  status: z.enum(["online", "disconnected"]),
  platforms: z.array(platform),
  since: epochMs,
});

/** GET /online/users: a page, and the cursor of the next one (null: the walk is over). */
export const onlineUsersSchema = z.object({ users: z.array(listedUserSchema), cursor: nullable(z.string()) });

export const seriesPointSchema = z.object({ t: epochMs, online: count, peak: count, min: count });

/** GET /online/history. */
export const onlineHistorySchema = z.object({ resolution: z.enum(RESOLUTIONS), points: z.array(seriesPointSchema) });

const API_ERROR_CODES = [
  "bad_request",
  "unauthorized",
  "forbidden",
  "not_found",
  "method_not_allowed",
  "payload_too_large",
  "upgrade_required",
  "not_configured",
  "bad_gateway",
  "tencent_error",
  "server_error",
] as const satisfies readonly ApiErrorCode[];

export const apiErrorSchema = z.object({
  error: z.enum(API_ERROR_CODES),
  message: z.string(),
  /** Tencent's ErrorCode where a Tencent call failed (502s), null when it gave none. */
  errorCode: z.optional(nullable(z.int())),
});

/** Tencent's reply envelope, which /callback answers with whatever happened. */
export const tencentReplySchema = z.object({
  ActionStatus: z.enum(["OK", "FAIL"]),
  ErrorCode: z.int(),
  ErrorInfo: z.string(),
});

// Compile-time agreement between each schema and the type the Worker actually sends.
type Plain<T> = T extends readonly (infer U)[]
  ? Plain<U>[]
  : T extends object
    ? { -readonly [K in keyof T]: Plain<T[K]> }
    : T;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const agree = <A, B>(check: Same<Plain<A>, Plain<B>>) => check;
agree<z.output<typeof snapshotSchema>, Omit<Snapshot, "app" | "account"> & { app: string; account: string }>(true);
agree<z.output<typeof historyEntrySchema>, HistoryEntry>(true);
agree<z.output<typeof deliverySchema>, DeliveryView>(true);
agree<z.output<typeof configSummarySchema>, ConfigSummary>(true);
agree<z.output<typeof onlineCountsSchema>, Omit<OnlineAnswer, "app"> & { app: string }>(true);
agree<z.output<typeof listedUserSchema>, Omit<ListedUser, "account"> & { account: string }>(true);
agree<z.output<typeof seriesPointSchema>, SeriesPoint>(true);
agree<(typeof API_ERROR_CODES)[number], ApiErrorCode>(true);
