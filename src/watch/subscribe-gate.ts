// Whether a connection may subscribe now, and what the subscribe does (docs/WATCH.md): its
// token must not have expired, the API token behind it must still be configured (rotation
// revokes), and the message must fit the scope and the 1 000 accounts. Pure: the hub applies it.
import type { AccountId } from "../presence/types";
import type { Connection } from "./hub-state";
import type { WatchErrorCode } from "./messages";
import { planSubscribe, type SubscribePlan } from "./subscriptions";

export type Gate =
  | Extract<SubscribePlan, { ok: true }>
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
  return planSubscribe(connection.accounts, connection.scope, requested);
}
