// Hands each account's answer to its user object, a few at a time. A user object that fails
// is reported alone; the others' answers are applied regardless.
import { presenceStub } from "../user/stub";
import { forEachLimited } from "../lib/pool";
import type { AccountId, AppId, Observation } from "../presence/types";

/** RPCs in flight at once from one reconciler run. */
export const DELIVERY_CONCURRENCY = 32;

export interface Applied {
  readonly account: AccountId;
  readonly corrected: boolean;
  /** The user's snapshot (as the read API shows it) after the answer, as JSON text; null when it failed. */
  readonly snapshot: string | null;
  readonly error: string | null;
}

/**
 * Applies `observations` to their users; accounts without one (Tencent gave nothing usable)
 * get their current snapshot only when `snapshots` is set (the on-demand endpoint).
 */
export async function applyEach(
  env: Env,
  app: AppId,
  accounts: readonly AccountId[],
  observations: ReadonlyMap<AccountId, Observation>,
  snapshots = false,
): Promise<Applied[]> {
  const todo = accounts.filter((a) => snapshots || observations.has(a));
  const results: Applied[] = [];
  await forEachLimited(todo, DELIVERY_CONCURRENCY, async (account) => {
    const observation = observations.get(account);
    try {
      const stub = presenceStub(env, app, account);
      if (observation === undefined) {
        results.push({ account, corrected: false, snapshot: await stub.snapshotJson(app, account), error: null });
      } else {
        const r = await stub.applyObservation(app, account, observation);
        results.push({ account, corrected: r.corrected, snapshot: r.snapshot, error: null });
      }
    } catch (error) {
      results.push({ account, corrected: false, snapshot: null, error: String(error) });
    }
  });
  return results;
}
