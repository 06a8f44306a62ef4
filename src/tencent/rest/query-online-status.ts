// Our client of Tencent's `v4/openim/query_online_status`: the source of truth that
// reconciliation asks. It never throws: every failure (network, timeout, HTTP status,
// ActionStatus FAIL, a malformed answer) comes back as data with Tencent's ErrorCode when
// there is one, and no failure text carries the UserSig.
import type { Config } from "../../config.ts";
import type { AccountId, AppId, ConnectionState, EpochMs, Platform } from "../../presence/types.ts";
import { validate } from "../../lib/validation.ts";
import { fromTencentPlatform, fromTencentStatus } from "./platforms.ts";
import {
  MAX_QUERY_ACCOUNTS,
  QUERY_ONLINE_STATUS_PATH,
  REST_ERROR,
  queryOnlineStatusResponse,
  type QueryResult,
} from "./query-online-status-wire.ts";
import { USERSIG_ERROR } from "./usersig.ts";
import { userSigFor } from "./usersig-cache.ts";

export const QUERY_TIMEOUT_MS = 5000;
/** 500 accounts with details and custom statuses stay far below this. */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
const MAX_ERROR_LENGTH = 300;

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

export interface QueryOnlineStatusOptions {
  /** Tencent's REST domain, e.g. https://adminapisgp.im.qcloud.com, no trailing slash. */
  readonly baseUrl: string;
  readonly sdkAppId: string;
  /** The app admin account. */
  readonly identifier: string;
  readonly userSig: string;
  /** 1 to 500 accounts. */
  readonly accounts: readonly AccountId[];
  readonly timeoutMs?: number;
  /** The URL's `random`; a fresh 32-bit unsigned integer when omitted. */
  readonly random?: number;
  /** For tests: the fetch to use (an in-process fake Tencent). */
  readonly fetcher?: typeof fetch;
}

const freshRandom = () => crypto.getRandomValues(new Uint32Array(1))[0] ?? 0;

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

async function readBounded(response: Response, limit: number): Promise<string> {
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > limit) throw new RangeError(`answer larger than ${limit} bytes`);
  const text = await response.text();
  if (text.length > limit) throw new RangeError(`answer larger than ${limit} bytes`);
  return text;
}

/** Asks Tencent for the online status of up to 500 accounts, with per-platform detail. */
export async function queryOnlineStatus(options: QueryOnlineStatusOptions): Promise<QueryOnlineStatusResult> {
  const { accounts, userSig } = options;
  const timeoutMs = options.timeoutMs ?? QUERY_TIMEOUT_MS;
  // Whatever Tencent or the network says, the ticket is not repeated in our logs or replies.
  const scrub = (text: string) => (userSig === "" ? text : text.split(userSig).join("***")).slice(0, MAX_ERROR_LENGTH);
  const failure = (error: string, errorCode: number | null = null) =>
    ({ ok: false, error: scrub(error), errorCode }) as const;

  if (accounts.length === 0 || accounts.length > MAX_QUERY_ACCOUNTS) {
    return failure(`accounts: 1 to ${MAX_QUERY_ACCOUNTS} per call, got ${accounts.length}`);
  }
  const query = new URLSearchParams({
    sdkappid: options.sdkAppId,
    identifier: options.identifier,
    usersig: userSig,
    random: String(options.random ?? freshRandom()),
    contenttype: "json",
  });
  const url = `${options.baseUrl}${QUERY_ONLINE_STATUS_PATH}?${query}`;
  const body = JSON.stringify({ To_Account: accounts, IsNeedDetail: 1, IsReturnCustomStatus: 1 });

  // Not AbortSignal.timeout(): its timer cannot be cleared, and a pending timer keeps a
  // Durable Object awake (billed, not evictable) long after the answer came.
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, "TimeoutError")),
    timeoutMs,
  );
  let text: string;
  let status: number;
  try {
    const response = await (options.fetcher ?? fetch)(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      redirect: "manual",
      signal: controller.signal,
    });
    status = response.status;
    if (status < 200 || status >= 300) {
      await response.body?.cancel().catch(() => undefined);
      return failure(`HTTP ${status} from Tencent`);
    }
    text = await readBounded(response, MAX_RESPONSE_BYTES);
  } catch (error) {
    if (controller.signal.aborted) return failure(`timeout: no answer within ${timeoutMs / 1000} s`);
    return failure(`network error: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    clearTimeout(timer);
  }

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return failure(`malformed answer (HTTP ${status}): not JSON`);
  }
  const parsed = validate(queryOnlineStatusResponse, withStatusField(json), "answer");
  if (!parsed.ok) return failure(`malformed answer (HTTP ${status}): ${parsed.message}`);
  const answer = parsed.data;
  if (answer.ActionStatus !== "OK" || answer.ErrorCode !== 0) {
    return failure(
      `Tencent ErrorCode ${answer.ErrorCode}: ${answer.ErrorInfo ?? "no ErrorInfo"}`,
      answer.ErrorCode === 0 ? null : answer.ErrorCode,
    );
  }

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
 * The call reconciliation makes: the configured REST domain and admin, the app's cached
 * UserSig, a fresh random. An app without a secret key is a failure (70016), not a throw.
 */
export async function queryOnlineStatusFor(
  config: Pick<Config, "secretKeys" | "adminIdentifier" | "restBaseUrl">,
  app: AppId,
  accounts: readonly AccountId[],
  nowMs: EpochMs,
  options: Pick<QueryOnlineStatusOptions, "timeoutMs" | "fetcher"> = {},
): Promise<QueryOnlineStatusResult> {
  const pending = userSigFor(config, app, nowMs);
  if (pending === null) {
    return { ok: false, error: `IM_SECRET_KEY is not set for SDKAppID ${app}`, errorCode: USERSIG_ERROR.keyMissing };
  }
  let userSig: string;
  try {
    userSig = await pending;
  } catch (error) {
    return { ok: false, error: `could not sign a UserSig: ${(error as Error).name}`, errorCode: null };
  }
  return queryOnlineStatus({
    baseUrl: config.restBaseUrl,
    sdkAppId: app,
    identifier: config.adminIdentifier,
    userSig,
    accounts,
    ...options,
  });
}
