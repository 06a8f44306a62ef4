// The serving side of Tencent's `v4/openim/query_online_status`: the checks Tencent makes
// before it answers (app, UserSig, admin, body) and the answer's shape. Shared by the Worker's
// compatible endpoint and the local stand-in of Tencent, so both refuse the same requests
// with the same ErrorCodes. Web APIs only; `.ts` imports because Node loads it too.
import { readBody } from "../../lib/read-body.ts";
import { validate } from "../../lib/validation.ts";
import type { ConnectionState, Platform, UserStatus } from "../../presence/types.ts";
import { PLATFORM_TABLE, toTencentPlatform, toTencentStatus } from "./platforms.ts";
import {
  QUERY_PARAMETERS,
  queryOnlineStatusQuery,
  queryOnlineStatusRequest,
  REST_ERROR,
  type QueryOnlineStatusRequest,
  type QueryResult,
} from "./query-online-status-wire.ts";
import { USERSIG_ERROR, verifyUserSig } from "./usersig.ts";

/** 500 UserIDs of 128 bytes, JSON-escaped, fit with room to spare. */
export const MAX_QUERY_BODY_BYTES = 512 * 1024;

export interface QueryServerContext {
  /** Whether this SDKAppID is served here. */
  readonly knownApp: (app: string) => boolean;
  /** The app's secret key; undefined when none is configured. */
  readonly keyFor: (app: string) => string | undefined;
  /** The App admin account the `identifier` must name. */
  readonly admin: string;
  readonly nowSeconds: number;
  /** Words for a known app without a key (70016): says which setting to make. */
  readonly missingKeyInfo: string;
}

export type CheckedQuery =
  | { readonly ok: true; readonly app: string; readonly body: QueryOnlineStatusRequest }
  | { readonly ok: false; readonly errorCode: number; readonly errorInfo: string };

const refuse = (errorCode: number, errorInfo: string): CheckedQuery => ({ ok: false, errorCode, errorInfo });

/** The known query parameters, names matched case-insensitively (Tencent's docs vary in case). */
export function restParameters(url: URL): Record<string, string> {
  const found: Record<string, string> = {};
  for (const [key, value] of url.searchParams) {
    const name = key.toLowerCase();
    if ((QUERY_PARAMETERS as readonly string[]).includes(name) && !(name in found)) found[name] = value;
  }
  return found;
}

/**
 * Checks a request as Tencent does, in Tencent's order: the SDKAppID (60012, 70020), the
 * UserSig for the identifier (60004, 70016, 70001…70014), the admin (60010), then the body
 * (60002, 60003, 60015, 70402). Nothing here reads or writes presence.
 */
export async function checkQueryOnlineStatus(
  request: Request,
  url: URL,
  ctx: QueryServerContext,
): Promise<CheckedQuery> {
  const raw = restParameters(url);
  const params = queryOnlineStatusQuery.safeParse(raw);
  const app = raw.sdkappid ?? "";
  if (app === "") {
    return refuse(REST_ERROR.sdkAppIdMissing, "sdkappid is missing from the URL: add ?sdkappid=<your SDKAppID>");
  }
  if (!/^\d{1,20}$/.test(app) || !ctx.knownApp(app)) {
    return refuse(REST_ERROR.sdkAppIdUnknown, `SDKAppID ${app.slice(0, 20)} is not served here: check the sdkappid`);
  }
  if (!params.success) {
    return refuse(
      REST_ERROR.accountOrSig,
      "identifier and usersig are required in the URL: the App admin and a UserSig signed for it",
    );
  }
  const { identifier, usersig: userSig } = params.data;
  const key = ctx.keyFor(app);
  if (key === undefined) return refuse(USERSIG_ERROR.keyMissing, ctx.missingKeyInfo);
  const check = await verifyUserSig(key, userSig, { sdkAppId: app, identifier }, ctx.nowSeconds);
  if (!check.ok) return refuse(check.errorCode, check.errorInfo);
  if (identifier !== ctx.admin) {
    return refuse(
      REST_ERROR.adminRequired,
      "this request needs the App admin: set identifier to the admin account and sign the UserSig for it",
    );
  }

  const read = await readBody(request, MAX_QUERY_BODY_BYTES);
  if (!read.ok) {
    if (read.problem === "too_large") {
      return refuse(REST_ERROR.invalidParameter, `the body is larger than ${MAX_QUERY_BODY_BYTES} bytes`);
    }
    if (read.problem === "not_utf8") return refuse(REST_ERROR.jsonParse, "the body is not well-formed UTF-8 JSON");
    return refuse(REST_ERROR.httpParse, "the request body could not be read: send it again");
  }
  let json: unknown;
  try {
    json = JSON.parse(read.text);
  } catch {
    return refuse(REST_ERROR.jsonParse, "the body is not valid JSON");
  }
  const accounts = (json as { To_Account?: unknown } | null)?.To_Account;
  if (Array.isArray(accounts) && accounts.some((a) => typeof a !== "string")) {
    return refuse(REST_ERROR.accountNotString, "To_Account: every UserID must be a string");
  }
  const parsed = validate(queryOnlineStatusRequest, json, "body");
  if (!parsed.ok) return refuse(REST_ERROR.invalidParameter, parsed.message);
  return { ok: true, app, body: parsed.data };
}

export interface AccountPresence {
  readonly status: UserStatus;
  readonly platforms: Readonly<Partial<Record<Platform, ConnectionState>>>;
  readonly customStatus: string | null;
}

export const NEVER_SEEN: AccountPresence = { status: "unknown", platforms: {}, customStatus: null };

/**
 * One `QueryResult` entry. `Detail` (when asked) lists the platforms logged in (Online or
 * PushOnline), in the table's order; it is left out when there are none, as in Tencent's
 * sample for an Offline user. `CustomStatus` (when asked) is present when one is set.
 */
export function queryResultOf(
  account: string,
  presence: AccountPresence,
  body: Pick<QueryOnlineStatusRequest, "IsNeedDetail" | "IsReturnCustomStatus">,
): QueryResult {
  const entry: QueryResult = { To_Account: account, Status: toTencentStatus(presence.status) };
  if (body.IsNeedDetail) {
    const detail = PLATFORM_TABLE.flatMap(([platform]) => {
      const state = presence.platforms[platform];
      return state === undefined || state === "offline"
        ? []
        : [{ Platform: toTencentPlatform(platform), Status: toTencentStatus(state) }];
    });
    if (detail.length > 0) entry.Detail = detail;
  }
  if (body.IsReturnCustomStatus && presence.customStatus !== null) entry.CustomStatus = presence.customStatus;
  return entry;
}

/** Tencent's OK envelope, fields in Tencent's order. */
export function okBody(results: readonly QueryResult[], errorList: readonly unknown[] = []): string {
  return JSON.stringify({
    ActionStatus: "OK",
    ErrorInfo: "",
    ErrorCode: 0,
    QueryResult: results,
    ErrorList: errorList,
  });
}
