// Every endpoint of the Worker, one row each: the table openapi.json is generated from.
// A row names the endpoint's own request schemas (the ones it validates with) and the shape
// of its answer. Adding an endpoint: export its schemas from its file and add one row here.
import * as z from "zod/mini";
import { eventsQuery } from "./get-events";
import { reconcileStatsResponse } from "./get-reconcile";
import { reconcileRequest } from "./post-reconcile";
import {
  tencentQueryOnlineStatusBody,
  tencentQueryOnlineStatusQuery,
  tencentQueryOnlineStatusResponse,
} from "./tencent-query-online-status";
import { batchBody } from "./query-presence";
import { watchQuery } from "./watch";
import { watchTokenRequest, watchTokenResponse } from "./watch-tokens";
import { stateChangeBody } from "../tencent/callback-schema";
import { callbackQuery } from "../ingest/callback-query-schema";
import { configSummarySchema, deliverySchema, historyEntrySchema, snapshotSchema, tencentReplySchema } from "./schemas";

/**
 * - bearer: `Authorization: Bearer` with one of API_TOKENS (the /v1 default);
 * - bearer-or-watch-token: that, or `?token=` with a watch token (browsers' WebSockets);
 * - callback: Tencent's `Sign` in the query; answers in Tencent's callback envelope;
 * - usersig: Tencent's REST auth (sdkappid, identifier, usersig); every answer, refusals
 *   too, is HTTP 200 in Tencent's REST envelope;
 * - none.
 */
export type Auth = "bearer" | "bearer-or-watch-token" | "callback" | "usersig" | "none";

export interface RouteDoc {
  readonly method: "get" | "post" | "put" | "delete";
  /** OpenAPI path: `{app}` and `{account}` become path parameters. */
  readonly path: string;
  readonly summary: string;
  /** Default: "bearer" under /v1, "none" elsewhere. */
  readonly auth?: Auth;
  /** A zod object whose keys are the query parameters. */
  readonly query?: z.ZodMiniObject;
  readonly body?: z.ZodMiniType;
  /** The success answer's body; omitted for 204. */
  readonly ok?: z.ZodMiniType;
  /** Default 200 (204 without `ok`); 101 for a protocol switch. */
  readonly status?: number;
  /** What the success answer is, when not plain JSON (e.g. a WebSocket upgrade). */
  readonly okDescription?: string;
  /** Answers beyond the usual ones of its kind of route: status → when. */
  readonly errors?: Readonly<Record<number, string>>;
  /** Longer text, Markdown. */
  readonly description?: string;
}

const list = (key: string, item: z.ZodMiniType) => z.object({ [key]: z.array(item) });
const verified = z.object({ account: z.string(), corrected: z.boolean(), snapshot: snapshotSchema });

// One row per line, like a table: prettier would fold them.
// prettier-ignore
export const ROUTES: readonly RouteDoc[] = [
  { method: "post", path: "/callback", summary: "Tencent IM State.StateChange callback", auth: "callback", query: callbackQuery, body: stateChangeBody, ok: tencentReplySchema },
  { method: "get", path: "/healthz", summary: "Configuration check (no auth)", ok: z.object({ ok: z.boolean(), error: z.optional(z.string()) }) },
  { method: "get", path: "/v1/config", summary: "What this deployment is configured to do (never a secret)", ok: configSummarySchema },
  { method: "get", path: "/v1/apps/{app}/users/{account}", summary: "One user's presence", ok: snapshotSchema },
  { method: "delete", path: "/v1/apps/{app}/users/{account}", summary: "Erase a user's state, history and pending deliveries" },
  { method: "get", path: "/v1/apps/{app}/users/{account}/events", summary: "A user's history, newest first", query: eventsQuery, ok: list("events", historyEntrySchema) },
  { method: "get", path: "/v1/apps/{app}/users/{account}/deliveries", summary: "Pending and dead-lettered webhook deliveries", ok: list("deliveries", deliverySchema) },
  { method: "post", path: "/v1/apps/{app}/users/{account}/deliveries/redeliver", summary: "Requeue the dead letters", ok: z.object({ requeued: z.int() }) },
  { method: "post", path: "/v1/apps/{app}/presence/query", summary: "Up to 500 users at once, in request order", body: batchBody, ok: list("results", snapshotSchema) },
  { method: "get", path: "/v1/apps/{app}/watch", summary: "Live presence: a WebSocket, or Server-Sent Events", auth: "bearer-or-watch-token", query: watchQuery, status: 101, okDescription: "Switching to a WebSocket (`Upgrade: websocket`); with `Accept: text/event-stream` and `?accounts=a,b`, 200 and an SSE stream. Messages in docs/WATCH.md.", errors: { 403: "A watch token for another app, or accounts outside its scope", 426: "Neither a WebSocket upgrade nor an SSE request" } },
  { method: "post", path: "/v1/apps/{app}/watch-tokens", summary: "A short-lived watch token for browsers' WebSockets", body: watchTokenRequest, ok: watchTokenResponse },
  { method: "get", path: "/v1/apps/{app}/reconcile", summary: "Reconcile stats of the app (docs/RECONCILE.md)", ok: reconcileStatsResponse },
  { method: "post", path: "/v1/apps/{app}/reconcile", summary: "Verify accounts with Tencent now; corrections applied", body: reconcileRequest, ok: list("results", verified), errors: { 409: "The app has no secret key (IM_SECRET_KEY)", 502: "Tencent did not answer: nothing was changed" } },
  { method: "post", path: "/v4/openim/query_online_status", summary: "Tencent's query_online_status, answered from presence-edge's store (docs/TENCENT.md)", auth: "usersig", query: tencentQueryOnlineStatusQuery, body: tencentQueryOnlineStatusBody, ok: tencentQueryOnlineStatusResponse, okDescription: "Tencent's answer; refusals too, with ActionStatus FAIL and Tencent's ErrorCode" },
];
