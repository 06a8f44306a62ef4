// POST /v4/openim/query_online_status?sdkappid=…&identifier=…&usersig=…&random=…&contenttype=json
// Tencent's own request, answered in Tencent's own format from our store, so an app backend
// switches from Tencent to presence-edge by changing only the base URL (docs/API.md).
//
// Every refusal is what Tencent sends: HTTP 200, ActionStatus FAIL, Tencent's ErrorCode, words
// in ErrorInfo. Never a 5xx, even when storage fails or something throws. Reads only: a
// never-seen account is Offline and nothing is written; Tencent is never called.
import { ConfigError, loadConfig } from "../config";
import { presenceStub } from "../user/stub";
import { log } from "../lib/log";
import type { AccountId, AppId, ConnectionState, Platform, UserStatus } from "../presence/types";
import {
  checkQueryOnlineStatus,
  NEVER_SEEN,
  okBody,
  queryResultOf,
  type AccountPresence,
} from "../tencent/rest/query-online-status-server";
import { restParameters } from "../tencent/rest/rest-server";
import { failBody, REST_ERROR } from "../tencent/rest/rest-wire";
import { USERSIG_ERROR } from "../tencent/rest/usersig";

/** The schemas the endpoint validates with and answers in, for the OpenAPI document. */
export {
  queryOnlineStatusRequest as tencentQueryOnlineStatusBody,
  queryOnlineStatusResponse as tencentQueryOnlineStatusResponse,
} from "../tencent/rest/query-online-status-wire";
export { restQuery as tencentQueryOnlineStatusQuery } from "../tencent/rest/rest-wire";

const MISSING_KEY =
  "no secret key for this SDKAppID: IM_SECRET_KEY is not set (nor IM_SECRET_KEY_<SDKAppID>); set the IM app's key";

/** A short name per ErrorCode for the log line (`verificationFailed`, `adminRequired`, …). */
const REFUSAL_NAMES = new Map<number, string>(
  [...Object.entries(REST_ERROR), ...Object.entries(USERSIG_ERROR)].map(([name, code]) => [code, name]),
);

/**
 * A refusal's log line, as a refused callback gets one: probing (guessed UserSigs, other
 * identifiers, unknown apps) shows in the logs. The app as sent when it is digits; the reason
 * is the reply's ErrorInfo, which describes the ticket, never the UserSig or the key.
 */
function logRefusal(url: URL, errorCode: number, reason: string, http = 200): void {
  const app = restParameters(url).sdkappid;
  log({
    msg: "tencent query",
    app: app === undefined || /^\d{1,20}$/.test(app) ? app : "(invalid)",
    rejected: REFUSAL_NAMES.get(errorCode) ?? "other",
    errorCode,
    reason,
    http,
  });
}

/** Every answer, OK or FAIL, is HTTP 200 JSON, as Tencent's. */
const json = (body: string) => new Response(body, { headers: { "content-type": "application/json" } });

/** The snapshot fields this answer needs (the snapshot arrives as JSON text over RPC). */
interface SnapshotView {
  readonly status: UserStatus;
  readonly customStatus: string | null;
  readonly platforms: Partial<Record<Platform, { readonly status: ConnectionState }>>;
}

function presenceOf(snapshotJson: string): AccountPresence {
  const snapshot = JSON.parse(snapshotJson) as SnapshotView;
  const platforms: Partial<Record<Platform, ConnectionState>> = {};
  for (const [platform, state] of Object.entries(snapshot.platforms)) {
    if (state !== undefined) platforms[platform as Platform] = state.status;
  }
  return snapshot.status === "unknown"
    ? { ...NEVER_SEEN, customStatus: snapshot.customStatus }
    : { status: snapshot.status, platforms, customStatus: snapshot.customStatus };
}

export async function tencentQueryOnlineStatus(request: Request, env: Env): Promise<Response> {
  try {
    const config = loadConfig(env);
    const url = new URL(request.url);
    const checked = await checkQueryOnlineStatus(request, url, {
      knownApp: (app) => config.appIds.has(app as AppId),
      keyFor: (app) => config.secretKeys.get(app as AppId),
      admin: config.adminIdentifier,
      nowSeconds: Math.floor(Date.now() / 1000),
      missingKeyInfo: MISSING_KEY,
    });
    if (!checked.ok) {
      logRefusal(url, checked.errorCode, checked.errorInfo);
      return json(failBody(checked.errorCode, checked.errorInfo));
    }
    const app = checked.app as AppId;
    const accounts = checked.body.To_Account as AccountId[];
    // One Durable Object call per distinct account, all at once, as the native batch query does.
    const distinct = [...new Set(accounts)];
    const snapshots = await Promise.all(
      distinct.map((account) => presenceStub(env, app, account).snapshotJson(app, account)),
    );
    const byAccount = new Map(distinct.map((account, i) => [account, presenceOf(snapshots[i] ?? "")]));
    const results = accounts.map((account) =>
      queryResultOf(account, byAccount.get(account) ?? NEVER_SEEN, checked.body),
    );
    return json(okBody(results));
  } catch (error) {
    // A configuration error, a storage failure or a bug: Tencent's "server error, try again".
    // A ConfigError names the variable, never its value (as /healthz does).
    log({ msg: "tencent query error", error: String(error) });
    const info =
      error instanceof ConfigError
        ? `server configuration is invalid (${error.message}): see /healthz`
        : "internal server error: try again later";
    return json(failBody(REST_ERROR.serverError, info));
  }
}

/**
 * Another method on the path: Tencent's FAIL envelope, with HTTP 405 and `Allow: POST` as the
 * rest of this API answers a wrong method. No Tencent client sends one, so HTTP semantics win.
 */
export function tencentQueryMethodNotAllowed(request: Request): Response {
  const info = "use POST for query_online_status";
  logRefusal(new URL(request.url), REST_ERROR.httpParse, info, 405);
  const body = request.method === "HEAD" ? null : failBody(REST_ERROR.httpParse, info);
  return new Response(body, { status: 405, headers: { "content-type": "application/json", Allow: "POST" } });
}
