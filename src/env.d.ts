// Bindings, vars and secrets, as wrangler.toml and `wrangler secret put` provide them.
// Ambient (a global type, imported by nobody): the ground floor of the code never depends
// on the Worker entry or on a Durable Object class, so the import graph has no circle.
interface Env {
  readonly USER_PRESENCE: DurableObjectNamespace<import("./durable/user-presence").UserPresence>;
  /** One per app, named by its SDKAppID: gathers verifications with Tencent (reconcile). */
  readonly RECONCILER: DurableObjectNamespace<import("./durable/reconciler").Reconciler>;
  /** One per watching connection (live watch), named by a unique id. */
  readonly WATCH_HUB: DurableObjectNamespace<import("./durable/watch-hub").WatchHub>;
  /** Who is online: an app's index shards, named `<SDKAppID>:<N>:<i>` (src/online/shard.ts). */
  readonly ONLINE_SHARD: DurableObjectNamespace<import("./durable/online-shard").OnlineShard>;
  /** Who is online: one per app and shard count, `<SDKAppID>:<N>`: counts over time, live counts. */
  readonly ONLINE_TOTALS: DurableObjectNamespace<import("./durable/online-totals").OnlineTotals>;
  readonly IM_SDKAPPIDS?: string;
  /** Secret. Per-app overrides arrive as IM_CALLBACK_TOKEN_<SDKAppID>. */
  readonly IM_CALLBACK_TOKEN?: string;
  readonly IM_ALLOW_UNSIGNED?: string;
  /** Secret. */
  readonly API_TOKENS?: string;
  /** Secret: JSON array of subscribers. */
  readonly WEBHOOK_SUBSCRIBERS?: string;
  readonly OFFLINE_GRACE_SECONDS?: string;
  readonly HISTORY_LIMIT?: string;
  readonly RETENTION_DAYS?: string;
  /** The IM app admin used for REST calls (reconciliation) and checked by the compatible query. */
  readonly IM_ADMIN_IDENTIFIER?: string;
  /** Secret: the IM app's secret key (UserSig). Per-app overrides arrive as IM_SECRET_KEY_<SDKAppID>. */
  readonly IM_SECRET_KEY?: string;
  readonly IM_REST_BASE_URL?: string;
  readonly RECONCILE_AFTER_SECONDS?: string;
  readonly RECONCILE_MAX_RPS?: string;
  readonly LOG_CALLBACKS?: string;
  readonly ONLINE_INDEX?: string;
  readonly ONLINE_INDEX_SHARDS?: string;
  readonly ONLINE_HISTORY_DAYS?: string;
}

declare namespace Cloudflare {
  // `env` from "cloudflare:workers" (and in tests) is typed as this project's Env.
  interface Env extends globalThis.Env {}
}
