// Whether a connection may subscribe now, and what the subscribe does (docs/WATCH.md): its
// token must not have expired, the API token behind it must still be configured (rotation
// revokes), the message must fit the scope and the 1 000 accounts, and the connection's
// snapshot budget must hold a read for each of its accounts. Pure: the hub applies it.
import type { AccountId } from "../presence/types";
import type { Connection } from "./hub-state";
import type { WatchErrorCode } from "./messages";
import { SNAPSHOT_BUDGET, spend, type Budget } from "./snapshot-budget";
import { planSubscribe, type SubscribePlan } from "./subscriptions";

export type Gate =
  | (Extract<SubscribePlan, { ok: true }> & { readonly budget: Budget })
  | { readonly ok: false; readonly error: WatchErrorCode; readonly message: string };

export function gateSubscribe(
  connection: Connection,
  /** Fingerprints of the API tokens configured now (src/watch/credential.ts). */
  keys: ReadonlySet<string>,
  requested: readonly AccountId[],
  now: number,
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
  const plan = planSubscribe(connection.accounts, connection.scope, requested);
  if (!plan.ok) return plan;
  const spent = spend(connection.budget, plan.snapshots.length, now);
  if (!spent.ok) {
    return {
      ok: false,
      error: "rate_limited",
      message: `this subscribe needs ${plan.snapshots.length} snapshots and this connection has ${spent.left} left (${SNAPSHOT_BUDGET} a minute): send it again in ${Math.ceil(spent.retryInMs / 1000)} s, and re-subscribe only the accounts whose version jumped`,
    };
  }
  return { ...plan, budget: spent.budget };
}
