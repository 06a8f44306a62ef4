// Our client of Tencent's `v4/openim/query_online_status`: the source of truth that
// reconciliation asks. It never throws: every failure (network, timeout, HTTP status,
// ActionStatus FAIL, a malformed answer) comes back as data with Tencent's ErrorCode when
// there is one, and no failure text carries the UserSig.
import type { AccountId, AppId, ConnectionState, EpochMs, Platform } from "../../presence/types.ts";
import { fromTencentPlatform, fromTencentStatus } from "./platforms.ts";
import {
  MAX_QUERY_ACCOUNTS,
  QUERY_ONLINE_STATUS_PATH,
  queryOnlineStatusResponse,
  type QueryResult,
} from "./query-online-status-wire.ts";
import { postToTencent, signedAs, type RestCallOptions, type RestFailure, type TencentAdmin } from "./rest-call.ts";
import { REST_ERROR } from "./rest-wire.ts";

/** 500 accounts with details and custom statuses stay far below this. */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export interface AccountAnswer {
  readonly status: ConnectionState;
  readonly platforms: Partial<Record<Platform, ConnectionState>>;
  /** null when Tencent sent none or an empty one. */
  readonly customStatus: string | null;
}

export type QueryOnlineStatusResult =
  | {
      readonly ok: true;
      readonly results: Map<AccountId, AccountAnswer>;
      /** In ErrorList as not existing (70107): offline everywhere. */
      readonly missing: AccountId[];
      /** In ErrorList with another code: no answer for these; retry them. */
      readonly failed: { readonly account: AccountId; readonly errorCode: number }[];
    }
  | { readonly ok: false; readonly error: string; readonly errorCode: number | null };

export interface QueryOnlineStatusOptions extends RestCallOptions {
  /** 1 to 500 accounts. */
  readonly accounts: readonly AccountId[];
}

/** A failure as this client has always reported it: the words, and Tencent's code when not 0. */
const failureOf = (failure: RestFailure) =>
  ({ ok: false, error: failure.message, errorCode: failure.errorCode === 0 ? null : failure.errorCode }) as const;

// Tencent may prefer the most connected answer when two of its names map to one platform.
const RANK: Record<ConnectionState, number> = { online: 2, disconnected: 1, offline: 0 };

function answerOf(entry: QueryResult): AccountAnswer {
  const platforms: Partial<Record<Platform, ConnectionState>> = {};
  for (const detail of entry.Detail ?? []) {
    const platform = fromTencentPlatform(detail.Platform);
    const state = fromTencentStatus(detail.Status);
    const held = platforms[platform];
    if (held === undefined || RANK[state] > RANK[held]) platforms[platform] = state;
  }
  return {
    status: fromTencentStatus(entry.Status),
    platforms,
    customStatus: entry.CustomStatus === undefined || entry.CustomStatus === "" ? null : entry.CustomStatus,
  };
}

/**
 * Tencent's English page (and the older `querystate` API) spell the entry's field `State`;
 * the Chinese page and Tencent's REST SDK say `Status`. Either is read as `Status`.
 */
function withStatusField(json: unknown): unknown {
  const results = (json as { QueryResult?: unknown } | null)?.QueryResult;
  if (!Array.isArray(results)) return json;
  const entries = results.map((entry: unknown) =>
    typeof entry === "object" && entry !== null && !("Status" in entry) && "State" in entry
      ? { ...entry, Status: (entry as { State: unknown }).State }
      : entry,
  );
  return { ...(json as object), QueryResult: entries };
}

/** Asks Tencent for the online status of up to 500 accounts, with per-platform detail. */
export async function queryOnlineStatus(options: QueryOnlineStatusOptions): Promise<QueryOnlineStatusResult> {
  const { accounts } = options;
  if (accounts.length === 0 || accounts.length > MAX_QUERY_ACCOUNTS) {
    return {
      ok: false,
      error: `accounts: 1 to ${MAX_QUERY_ACCOUNTS} per call, got ${accounts.length}`,
      errorCode: null,
    };
  }
  const body = { To_Account: accounts, IsNeedDetail: 1, IsReturnCustomStatus: 1 };
  const called = await postToTencent(options, QUERY_ONLINE_STATUS_PATH, body, {
    schema: queryOnlineStatusResponse,
    maxBytes: MAX_RESPONSE_BYTES,
    normalise: withStatusField,
  });
  if (!called.ok) return failureOf(called);
  const { answer } = called;

  const asked = new Set<string>(accounts);
  const results = new Map<AccountId, AccountAnswer>();
  for (const entry of answer.QueryResult ?? []) {
    // An account we did not ask about is ignored: an answer never reaches another user.
    if (asked.has(entry.To_Account)) results.set(entry.To_Account as AccountId, answerOf(entry));
  }
  const missing: AccountId[] = [];
  const failed: { account: AccountId; errorCode: number }[] = [];
  for (const entry of answer.ErrorList ?? []) {
    if (!asked.has(entry.To_Account) || results.has(entry.To_Account as AccountId)) continue;
    if (entry.ErrorCode === REST_ERROR.notImported) missing.push(entry.To_Account as AccountId);
    else failed.push({ account: entry.To_Account as AccountId, errorCode: entry.ErrorCode });
  }
  return { ok: true, results, missing, failed };
}

/**
 * The call reconciliation makes: the admin's REST domain and cached UserSig for `app`, a fresh
 * random. An app without a secret key is a failure (70016), not a throw.
 */
export async function queryOnlineStatusFor(
  admin: TencentAdmin,
  app: AppId,
  accounts: readonly AccountId[],
  nowMs: EpochMs,
  options: Pick<QueryOnlineStatusOptions, "timeoutMs" | "fetcher"> = {},
): Promise<QueryOnlineStatusResult> {
  const signed = await signedAs(admin, app, nowMs, options);
  return signed.ok ? queryOnlineStatus({ ...signed.call, accounts }) : failureOf(signed);
}
