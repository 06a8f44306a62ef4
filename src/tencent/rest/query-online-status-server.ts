// The serving side of Tencent's `v4/openim/query_online_status`: the checks Tencent makes
// before it answers (app, UserSig, admin: rest-server.ts; then the body) and the answer's
// shape. Shared by the Worker's compatible endpoint and the local stand-in of Tencent, so both
// refuse the same requests with the same ErrorCodes. Web APIs only; `.ts` imports because Node loads it too.
import { validate } from "../../lib/validation.ts";
import type { ConnectionState, Platform, UserStatus } from "../../presence/types.ts";
import { PLATFORM_TABLE, toTencentPlatform, toTencentStatus } from "./platforms.ts";
import {
  queryOnlineStatusRequest,
  type QueryOnlineStatusRequest,
  type QueryResult,
} from "./query-online-status-wire.ts";
import { checkAdminRequest, readRestJson, refuse, type RestRefusal, type RestServerContext } from "./rest-server.ts";
import { REST_ERROR } from "./rest-wire.ts";

/** 500 UserIDs of 128 bytes, JSON-escaped, fit with room to spare. */
export const MAX_QUERY_BODY_BYTES = 512 * 1024;

export type CheckedQuery =
  { readonly ok: true; readonly app: string; readonly body: QueryOnlineStatusRequest } | RestRefusal;

/**
 * Checks a request as Tencent does, in Tencent's order: the URL (SDKAppID, UserSig, admin:
 * `checkAdminRequest`), then the body (60002, 60003, 60015, 70402). Nothing here reads or
 * writes presence.
 */
export async function checkQueryOnlineStatus(
  request: Request,
  url: URL,
  ctx: RestServerContext,
): Promise<CheckedQuery> {
  const admin = await checkAdminRequest(url, ctx);
  if (!admin.ok) return admin;
  const read = await readRestJson(request, MAX_QUERY_BODY_BYTES);
  if (!read.ok) return read;
  const accounts = (read.json as { To_Account?: unknown } | null)?.To_Account;
  if (Array.isArray(accounts) && accounts.some((a) => typeof a !== "string")) {
    return refuse(REST_ERROR.accountNotString, "To_Account: every UserID must be a string");
  }
  const parsed = validate(queryOnlineStatusRequest, read.json, "body");
  if (!parsed.ok) return refuse(REST_ERROR.invalidParameter, parsed.message);
  return { ok: true, app: admin.app, body: parsed.data };
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
