import type { UserPresence } from "./durable/user-presence";

/** Bindings, vars and secrets, as wrangler.toml and `wrangler secret put` provide them. */
export interface Env {
  readonly USER_PRESENCE: DurableObjectNamespace<UserPresence>;
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
}

type PresenceEnv = Env;
declare global {
  namespace Cloudflare {
    // `env` from "cloudflare:workers" (and in tests) is typed as this project's Env.
    interface Env extends PresenceEnv {}
    // Types `exports` from "cloudflare:workers" (the loopback to this Worker, used by tests).
    interface GlobalProps {
      mainModule: typeof import("./index");
      durableNamespaces: "UserPresence";
    }
  }
}
