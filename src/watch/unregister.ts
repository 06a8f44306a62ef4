// A hub's calls that take it off users' registries (unsubscribe, and the release once its
// client is gone, with the app's counts), a bounded number at a time. A failed call is logged and answered back, so
// the hub can try that user again (src/durable/watch-hub.ts).
import { log } from "../lib/log";
import { forEachLimited } from "../lib/pool";
import type { AccountId, AppId } from "../presence/types";
import { presenceStub } from "../user/stub";
import { unwatchCounts, type TotalsLink } from "./hub-counts";
import { countsToRelease, toRelease, type Stored } from "./hub-state";

/** User objects called at once. */
export const CONCURRENT_CALLS = 50;

/** Unregisters `hub` from each account's user object; answers the accounts whose object did not answer. */
export async function unregister(
  env: Env,
  app: AppId,
  hub: string,
  accounts: readonly AccountId[],
): Promise<AccountId[]> {
  const failed: AccountId[] = [];
  await forEachLimited(accounts, CONCURRENT_CALLS, (account) =>
    presenceStub(env, app, account)
      .unwatch(hub)
      .catch((error: unknown) => {
        log({ msg: "watch unregister failed", error: String(error) });
        failed.push(account);
      }),
  );
  return failed;
}

/**
 * The client is gone: takes the hub off every user its row lists and off the app's counts. The
 * row to keep for another try (what did not answer), or null when nothing is left.
 */
export async function releaseStored(env: Env, link: TotalsLink, hub: string, stored: Stored): Promise<Stored | null> {
  const counts = countsToRelease(stored);
  const [failed, countsReleased] = await Promise.all([
    unregister(env, stored.app, hub, toRelease(stored)),
    counts ? unwatchCounts(link, stored.app, hub) : true,
  ]);
  if (failed.length === 0 && countsReleased) return null;
  return { ...stored, accounts: failed, leftovers: [], counts: false, countsLeftover: !countsReleased };
}
