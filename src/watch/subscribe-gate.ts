// Whether a connection may subscribe now, and what the subscribe does (docs/WATCH.md): its
// token must not have expired, the API token behind it must still be configured (rotation
// revokes), the message must fit the scope and the 1 000 accounts, the app's counts (SPEC §12)
// need a credential allowed them and the index on, and the connection's snapshot budget must
// hold a read for each of its accounts (and one for the counts). Pure: the hub applies it.
import type { AccountId } from "../presence/types";
import type { Connection } from "./hub-state";
import type { WatchErrorCode } from "./messages";
import { SNAPSHOT_BUDGET, spend, type Budget } from "./snapshot-budget";
import { planSubscribe, type SubscribePlan } from "./subscriptions";

export type Gate =
  | (Extract<SubscribePlan, { ok: true }> & { readonly budget: Budget; readonly counts: boolean })
  | { readonly ok: false; readonly error: WatchErrorCode; readonly message: string };

/** What a subscribe asks for: accounts, the app's counts, or both. */
export interface SubscribeRequest {
  readonly accounts: readonly AccountId[];
  readonly counts: boolean;
}

/** Why a credential may not watch the app's counts, and how to get one that may. */
export const COUNTS_FORBIDDEN =
  'this watch token may not watch the app\'s counts: mint one with {"counts":true} (POST /v1/apps/{app}/watch-tokens), or connect with the API token';
export const COUNTS_NOT_CONFIGURED =
  "the who-is-online index is off (ONLINE_INDEX=off), so there are no counts to watch: set ONLINE_INDEX=on";

export function gateSubscribe(
  connection: Connection,
  /** Fingerprints of the API tokens configured now (src/watch/credential.ts). */
  keys: ReadonlySet<string>,
  request: SubscribeRequest,
  now: number,
  /** ONLINE_INDEX is on: there are counts to watch. */
  indexOn: boolean,
): Gate {
  if (connection.expiresAt !== null && now >= connection.expiresAt) {
    const at = new Date(connection.expiresAt).toISOString();
    return {
      ok: false,
      error: "token_expired",
      message: `this connection's watch token expired at ${at}: reconnect with a new token`,
    };
  }
  if (!keys.has(connection.key)) {
    return {
      ok: false,
      error: "token_revoked",
      message:
        "the API token that authorised this connection was removed from API_TOKENS: reconnect with a current credential",
    };
  }
  if (request.counts && !connection.countsAllowed) return { ok: false, error: "forbidden", message: COUNTS_FORBIDDEN };
  if (request.counts && !indexOn) return { ok: false, error: "not_configured", message: COUNTS_NOT_CONFIGURED };
  const plan = planSubscribe(connection.accounts, connection.scope, request.accounts);
  if (!plan.ok) return plan;
  // The counts are one read of the app's totals object: they count as one snapshot.
  const reads = plan.snapshots.length + (request.counts ? 1 : 0);
  const spent = spend(connection.budget, reads, now);
  if (!spent.ok) {
    return {
      ok: false,
      error: "rate_limited",
      message: `this subscribe needs ${reads} snapshots and this connection has ${spent.left} left (${SNAPSHOT_BUDGET} a minute): send it again in ${Math.ceil(spent.retryInMs / 1000)} s, and re-subscribe only the accounts whose version jumped`,
    };
  }
  return { ...plan, budget: spent.budget, counts: request.counts };
}
