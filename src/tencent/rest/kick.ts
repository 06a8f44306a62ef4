// Our client of Tencent's `v4/im_open_login_svc/kick`: an operator's kick (SPEC §13). Tencent
// invalidates the account's login state (its UserSig), so its clients are logged out and must
// log in again with a new one; Tencent then sends the State.StateChange callbacks. Like every
// call here it never throws and no failure carries the UserSig (rest-call.ts).
import type { AccountId, AppId, EpochMs } from "../../presence/types.ts";
import { KICK_PATH } from "./kick-wire.ts";
import { postToTencent, signedAs, type RestCallOptions, type RestFailure, type TencentAdmin } from "./rest-call.ts";
import { restEnvelope } from "./rest-wire.ts";

/** The answer is the bare envelope: a few dozen bytes. */
const MAX_KICK_ANSWER_BYTES = 64 * 1024;

export interface KickOptions extends RestCallOptions {
  readonly account: AccountId;
}

/** Kicked, or why not: Tencent's refusal (its ErrorCode and ErrorInfo), or no answer at all. */
export type KickResult = { readonly ok: true } | RestFailure;

/** Asks Tencent to invalidate `account`'s login state. */
export async function kickAccount(options: KickOptions): Promise<KickResult> {
  const called = await postToTencent(
    options,
    KICK_PATH,
    { UserID: options.account },
    { schema: restEnvelope, maxBytes: MAX_KICK_ANSWER_BYTES },
  );
  return called.ok ? { ok: true } : called;
}

/**
 * The kick an operator asks for: the admin's REST domain and cached UserSig for `app`, a fresh
 * random. An app without a secret key is a `no_key` failure (70016) and nothing is sent.
 */
export async function kickAccountFor(
  admin: TencentAdmin,
  app: AppId,
  account: AccountId,
  nowMs: EpochMs,
  options: Pick<KickOptions, "timeoutMs" | "fetcher"> = {},
): Promise<KickResult> {
  const signed = await signedAs(admin, app, nowMs, options);
  return signed.ok ? kickAccount({ ...signed.call, account }) : signed;
}
