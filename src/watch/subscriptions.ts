// What a subscribe or unsubscribe does to one connection's set of watched accounts. Pure: the
// hub applies the plan. A message is applied whole or not at all.
import type { AccountId } from "../presence/types";
import { MAX_WATCHED, type WatchErrorCode } from "./messages";

export type SubscribePlan =
  | {
      readonly ok: true;
      readonly next: ReadonlySet<AccountId>;
      /** Accounts not watched before this message. */
      readonly added: readonly AccountId[];
      /** Every distinct account of the message, in its order: each gets a fresh snapshot. */
      readonly snapshots: readonly AccountId[];
    }
  | { readonly ok: false; readonly error: WatchErrorCode; readonly message: string };

export function planSubscribe(
  current: ReadonlySet<AccountId>,
  scope: ReadonlySet<AccountId> | null,
  requested: readonly AccountId[],
): SubscribePlan {
  if (scope !== null) {
    const index = requested.findIndex((account) => !scope.has(account));
    if (index >= 0) {
      return {
        ok: false,
        error: "forbidden",
        message: `accounts.${index}: not in this watch token's scope; mint a token that lists it, or one without accounts`,
      };
    }
  }
  const snapshots = [...new Set(requested)];
  const added = snapshots.filter((account) => !current.has(account));
  const total = current.size + added.length;
  if (total > MAX_WATCHED) {
    return {
      ok: false,
      error: "too_many_accounts",
      message: `this would watch ${total} accounts, at most ${MAX_WATCHED} per connection: unsubscribe some or open another connection`,
    };
  }
  return { ok: true, next: new Set([...current, ...added]), added, snapshots };
}

export interface UnsubscribePlan {
  readonly next: ReadonlySet<AccountId>;
  /** Accounts that were watched; the others of the message are ignored. */
  readonly removed: readonly AccountId[];
}

export function planUnsubscribe(current: ReadonlySet<AccountId>, requested: readonly AccountId[]): UnsubscribePlan {
  const removed = [...new Set(requested)].filter((account) => current.has(account));
  const next = new Set(current);
  for (const account of removed) next.delete(account);
  return { next, removed };
}

/** The `unavailable` error after some users could not be watched: names a few, and the fix. */
export function unavailableMessage(failed: readonly AccountId[], refused: string | null): string {
  const names = failed
    .slice(0, 5)
    .map((account) => JSON.stringify(account))
    .join(", ");
  const more = failed.length > 5 ? ` and ${failed.length - 5} more` : "";
  return `could not watch ${names}${more}: ${refused ?? "the user's object did not answer"}; subscribe to them again later`;
}
