// GET /v1/config: what this deployment is configured to do, for the operator console.
// Never a secret: no token, no signing key, no subscriber secret, and of a subscriber's URL
// only its origin (a URL's path or query may carry a credential).
import { loadConfig, type Config } from "../config";
import { MAX_CALLBACK_BYTES } from "../ingest/callback-route";
import { KICK_LIMIT } from "../presence";
import { requireBearer } from "./auth";
import { MAX_EVENTS_PAGE } from "./get-events";
import { MAX_BATCH } from "./query-presence";

/** How an app's callbacks are authenticated: by Sign, accepted unsigned, or all rejected. */
export type CallbackAuth = "signed" | "unsigned" | "rejected";

export interface ConfigSummary {
  readonly apps: readonly {
    readonly app: string;
    readonly callbackAuth: CallbackAuth;
    /** More than one during a token rotation. */
    readonly callbackTokens: number;
    readonly reconcile: boolean;
  }[];
  readonly webhooks: {
    readonly subscribers: readonly {
      readonly id: string;
      readonly origin: string;
      readonly events: readonly string[] | null;
    }[];
    readonly offlineGraceSeconds: number;
  };
  readonly reconcile: {
    readonly afterSeconds: number | null;
    readonly maxRps: number;
    readonly restBaseUrl: string;
    readonly adminIdentifier: string;
  };
  readonly retentionDays: number | null;
  readonly logCallbacks: boolean;
  readonly limits: {
    readonly batchAccounts: number;
    readonly eventsPage: number;
    readonly historyPerUser: number;
    readonly kicksPerUser: number;
    readonly callbackBodyBytes: number;
  };
}

export function configSummary(config: Config): ConfigSummary {
  return {
    apps: [...config.appIds].map((app) => {
      const tokens = config.callbackTokens.get(app)?.length ?? 0;
      const callbackAuth: CallbackAuth = tokens > 0 ? "signed" : config.allowUnsigned ? "unsigned" : "rejected";
      return { app, callbackAuth, callbackTokens: tokens, reconcile: config.secretKeys.has(app) };
    }),
    webhooks: {
      subscribers: config.subscribers.map((s) => ({ id: s.id, origin: new URL(s.url).origin, events: s.events })),
      offlineGraceSeconds: config.offlineGraceMs / 1000,
    },
    reconcile: {
      afterSeconds: config.reconcileAfterMs === null ? null : config.reconcileAfterMs / 1000,
      maxRps: config.reconcileMaxRps,
      restBaseUrl: config.restBaseUrl,
      adminIdentifier: config.adminIdentifier,
    },
    retentionDays: config.retentionMs === null ? null : config.retentionMs / 86_400_000,
    logCallbacks: config.logCallbacks,
    limits: {
      batchAccounts: MAX_BATCH,
      eventsPage: MAX_EVENTS_PAGE,
      historyPerUser: config.historyLimit,
      kicksPerUser: KICK_LIMIT,
      callbackBodyBytes: MAX_CALLBACK_BYTES,
    },
  };
}

export async function getConfig(request: Request, env: Env): Promise<Response> {
  const config = loadConfig(env);
  const denied = await requireBearer(request, config);
  if (denied) return denied;
  return Response.json(configSummary(config));
}
