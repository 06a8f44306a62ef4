// Configuration is parsed once per isolate and fails loudly, naming the variable:
// a deployment that is misconfigured refuses work rather than running open.
import * as z from "zod/mini";
import { validate } from "./lib/validation";
import { MAX_SHARDS, MIN_SHARDS } from "./online/shard";
import { validAccount } from "./presence/account";
import { EFFECT_KINDS, type AppId } from "./presence/types";

export interface Subscriber {
  readonly id: string;
  readonly url: string;
  readonly secret: string;
  /** Event types this subscriber wants; null means all. */
  readonly events: readonly string[] | null;
}

export interface Config {
  readonly appIds: ReadonlySet<AppId>;
  /** Tokens per app; an empty list means the app has no token configured. */
  readonly callbackTokens: ReadonlyMap<AppId, readonly string[]>;
  readonly allowUnsigned: boolean;
  readonly apiTokens: readonly string[];
  readonly subscribers: readonly Subscriber[];
  readonly offlineGraceMs: number;
  readonly historyLimit: number;
  /** Inactivity after which a user is erased; null when retention is off. */
  readonly retentionMs: number | null;
  /** The IM app admin account: the `identifier` of REST calls and of the compatible query. */
  readonly adminIdentifier: string;
  /** The IM app secret key per app (UserSig); an app without one has no reconciliation. */
  readonly secretKeys: ReadonlyMap<AppId, string>;
  /** Tencent's REST domain, without a trailing slash. */
  readonly restBaseUrl: string;
  /** Staleness interval of reconciliation; null when staleness checks are off. */
  readonly reconcileAfterMs: number | null;
  /** REST calls a second per app. */
  readonly reconcileMaxRps: number;
  /** Log every accepted callback (rejections, errors and corrections are always logged). */
  readonly logCallbacks: boolean;
  /** Whether the who-is-online index (SPEC §12) is fed and read (ONLINE_INDEX). */
  readonly onlineIndex: boolean;
  /** Index shards per app; part of the index objects' names (ONLINE_INDEX_SHARDS). */
  readonly onlineIndexShards: number;
  /** Days of minute-resolution online counts kept (ONLINE_HISTORY_DAYS). */
  readonly onlineHistoryDays: number;
}

// Secrets are never in wrangler.toml; everything else is a [vars] entry there.
const SECRET_VARIABLE = /^(IM_CALLBACK_TOKEN|API_TOKENS|WEBHOOK_SUBSCRIBERS|IM_SECRET_KEY)/;

/** Where a variable is set, for the message of its error: deployed, and locally. */
export function howToSet(variable: string): string {
  const deployed = SECRET_VARIABLE.test(variable)
    ? `\`npx wrangler secret put ${variable}\``
    : `set ${variable} in wrangler.toml [vars]`;
  return (
    `to fix: ${deployed} (then \`npm run deploy\`); locally, \`npm start\` reads demo.env, ` +
    `and a bare \`wrangler dev\` reads .dev.vars`
  );
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`${variable}: ${detail}; ${howToSet(variable)}`);
    this.name = "ConfigError";
  }
}

const list = (raw: string | undefined) =>
  (raw ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");

const appIdsSchema = z
  .array(z.string().check(z.regex(/^\d{1,20}$/, "each SDKAppID must be digits")))
  .check(z.minLength(1, "list at least one SDKAppID (comma-separated)"));

const flag = z.pipe(
  z.enum(["true", "false", ""], 'must be "true" or "false"'),
  z.transform((v) => v === "true"),
);

const onOff = z.pipe(
  z.enum(["on", "off", ""], 'must be "on" or "off"'),
  z.transform((v) => v !== "off"),
);

const integer = (min: number, max: number, fallback: number | null) =>
  z.pipe(
    z.string().check(
      z.trim(),
      z.refine(
        (v) => v === "" || (/^\d+$/.test(v) && Number(v) >= min && Number(v) <= max),
        `must be a whole number from ${min} to ${max}`,
      ),
    ),
    z.transform((v) => (v === "" ? fallback : Number(v))),
  );

const subscriberSchema = z.strictObject({
  id: z.string().check(z.regex(/^[A-Za-z0-9_.-]{1,64}$/, "id must be 1-64 of A-Z a-z 0-9 _ . -")),
  url: z.url({ protocol: /^https?$/, error: "url must be an http or https URL" }),
  secret: z
    .string()
    .check(
      z.regex(/^whsec_[A-Za-z0-9+/]{22,}={0,2}$/, "secret must be whsec_ followed by base64 of at least 16 bytes"),
    ),
  events: z.optional(z.array(z.enum(EFFECT_KINDS as [string, ...string[]])).check(z.minLength(1))),
});

const subscribersSchema = z.array(subscriberSchema).check(
  z.maxLength(20, "at most 20 subscribers"),
  z.refine((subs) => new Set(subs.map((s) => s.id)).size === subs.length, "subscriber ids must be unique"),
);

function parseVar<T>(variable: string, schema: z.ZodMiniType<T, unknown>, value: unknown): T {
  const result = validate(schema, value, variable);
  if (result.ok) return result.data;
  // The message names the variable and the place inside it, never the value.
  throw new ConfigError(
    variable,
    result.field === variable ? result.message.slice(variable.length + 2) : result.message,
  );
}

function parseJson(variable: string, raw: string | undefined): unknown {
  if (raw === undefined || raw.trim() === "") return [];
  try {
    return JSON.parse(raw);
  } catch {
    throw new ConfigError(variable, "is not valid JSON");
  }
}

// Tencent's REST domains are https; plain http only reaches this machine (the local stand-in).
const restBaseUrlSchema = z.pipe(
  z.string().check(
    z.refine((v) => {
      try {
        const url = new URL(v);
        if (url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "") return false;
        if (url.protocol === "https:") return true;
        return url.protocol === "http:" && /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(url.hostname);
      } catch {
        return false;
      }
    }, "must be an https URL such as https://adminapisgp.im.qcloud.com (http only for localhost)"),
  ),
  z.transform((v) => v.replace(/\/+$/, "")),
);

const adminSchema = z
  .string()
  .check(z.refine(validAccount, "must be the IM app's admin UserID (1 to 128 bytes of UTF-8)"));

export const DEFAULT_ADMIN_IDENTIFIER = "administrator";
export const DEFAULT_REST_BASE_URL = "https://console.tim.qq.com";
const DEFAULT_RECONCILE_AFTER_SECONDS = 3600;

export function parseConfig(env: Env): Config {
  const appIds = parseVar("IM_SDKAPPIDS", appIdsSchema, list(env.IM_SDKAPPIDS)) as AppId[];
  const vars = env as unknown as Record<string, string | undefined>;
  const defaultTokens = list(env.IM_CALLBACK_TOKEN);
  const callbackTokens = new Map<AppId, readonly string[]>(
    appIds.map((app) => {
      const own = vars[`IM_CALLBACK_TOKEN_${app}`];
      return [app, own === undefined ? defaultTokens : list(own)];
    }),
  );
  const subscribers = parseVar(
    "WEBHOOK_SUBSCRIBERS",
    subscribersSchema,
    parseJson("WEBHOOK_SUBSCRIBERS", env.WEBHOOK_SUBSCRIBERS),
  );
  const retentionDays = parseVar("RETENTION_DAYS", integer(1, 36500, null), env.RETENTION_DAYS ?? "");
  const defaultKey = (env.IM_SECRET_KEY ?? "").trim();
  const secretKeys = new Map<AppId, string>();
  for (const app of appIds) {
    const key = (vars[`IM_SECRET_KEY_${app}`] ?? defaultKey).trim();
    if (key !== "") secretKeys.set(app, key);
  }
  const reconcileAfter = parseVar(
    "RECONCILE_AFTER_SECONDS",
    integer(0, 30 * 86400, DEFAULT_RECONCILE_AFTER_SECONDS),
    env.RECONCILE_AFTER_SECONDS ?? "",
  );
  return {
    appIds: new Set(appIds),
    callbackTokens,
    allowUnsigned: parseVar("IM_ALLOW_UNSIGNED", flag, (env.IM_ALLOW_UNSIGNED ?? "").trim().toLowerCase()),
    apiTokens: list(env.API_TOKENS),
    subscribers: subscribers.map((s) => ({ ...s, events: s.events ?? null })),
    offlineGraceMs:
      (parseVar("OFFLINE_GRACE_SECONDS", integer(0, 86400, 0), env.OFFLINE_GRACE_SECONDS ?? "") ?? 0) * 1000,
    historyLimit: parseVar("HISTORY_LIMIT", integer(1, 10000, 100), env.HISTORY_LIMIT ?? "") ?? 100,
    retentionMs: retentionDays === null ? null : retentionDays * 86_400_000,
    adminIdentifier: parseVar(
      "IM_ADMIN_IDENTIFIER",
      adminSchema,
      (env.IM_ADMIN_IDENTIFIER ?? "").trim() || DEFAULT_ADMIN_IDENTIFIER,
    ),
    secretKeys,
    restBaseUrl: parseVar(
      "IM_REST_BASE_URL",
      restBaseUrlSchema,
      (env.IM_REST_BASE_URL ?? "").trim() || DEFAULT_REST_BASE_URL,
    ),
    reconcileAfterMs: secretKeys.size === 0 || !reconcileAfter ? null : reconcileAfter * 1000,
    reconcileMaxRps: parseVar("RECONCILE_MAX_RPS", integer(1, 200, 20), env.RECONCILE_MAX_RPS ?? "") ?? 20,
    logCallbacks: parseVar("LOG_CALLBACKS", flag, (env.LOG_CALLBACKS ?? "").trim().toLowerCase()),
    onlineIndex: parseVar("ONLINE_INDEX", onOff, (env.ONLINE_INDEX ?? "").trim().toLowerCase()),
    onlineIndexShards:
      parseVar("ONLINE_INDEX_SHARDS", integer(MIN_SHARDS, MAX_SHARDS, 16), env.ONLINE_INDEX_SHARDS ?? "") ?? 16,
    onlineHistoryDays: parseVar("ONLINE_HISTORY_DAYS", integer(1, 365, 7), env.ONLINE_HISTORY_DAYS ?? "") ?? 7,
  };
}

const cache = new WeakMap<object, Config | ConfigError>();

/** The isolate's configuration, parsed on first use. Throws ConfigError when invalid. */
export function loadConfig(env: Env): Config {
  let cached = cache.get(env);
  if (cached === undefined) {
    try {
      cached = parseConfig(env);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      cached = error;
    }
    cache.set(env, cached);
  }
  if (cached instanceof ConfigError) throw cached;
  return cached;
}
