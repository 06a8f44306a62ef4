// Reconciliation in tests: the app's reconciler with an in-process fake Tencent, users made
// stale by callbacks received long ago, and the alarms run by hand (no waiting on real time).
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { Reconciler } from "../../src/durable/reconciler";
import type { UserPresence } from "../../src/durable/user-presence";
import type { AccountId, AppId, PresenceEvent } from "../../src/presence/types";
import { RECONCILE_APP, RECONCILE_SECRET_KEY } from "./bindings";
import { ev } from "./events";
import { FakeTencent } from "./fake-tencent";
import { stubFor } from "./storage";

export const HOUR = 3_600_000;
export const reconciler = () => env.RECONCILER.getByName(RECONCILE_APP);
export const userStub = (account: string) => stubFor(account, RECONCILE_APP);

/** A fresh fake Tencent behind the app's reconciler, with an empty rate window. */
export async function installFakeTencent(): Promise<FakeTencent> {
  const fake = new FakeTencent(RECONCILE_SECRET_KEY, "administrator");
  await runInDurableObject(reconciler(), (instance: Reconciler) => {
    instance.fetcher = fake.fetch;
    instance.starts = [];
  });
  return fake;
}

/** Stores a callback for `account` as if received `ago` ms ago (EventTime then too). */
export function callback(account: string, ago: number, fields: Partial<PresenceEvent> = {}) {
  const at = Date.now() - ago;
  return userStub(account).ingest(
    RECONCILE_APP as AppId,
    account as AccountId,
    ev({ eventTime: at, receivedAt: at, ...fields }),
  );
}

// Alarms are run by calling the handler in the object: each object chains its alarm runs, so
// this waits for a run the runtime may have started on its own (a stale user's alarm is due
// at once), where runDurableObjectAlarm would return while that run is still going.

/** Runs the user's alarm now (the staleness check). */
export const runUserAlarm = (account: string) =>
  runInDurableObject(userStub(account), (instance: UserPresence) => instance.alarm());

/** Runs the reconciler now, without the wait that lets calls fill up. */
export const runReconciler = () =>
  runInDurableObject(reconciler(), async (instance: Reconciler) => {
    const gather = instance.gatherMs;
    instance.gatherMs = 0;
    try {
      await instance.alarm();
    } finally {
      instance.gatherMs = gather;
    }
  });

/** Makes the retries waiting in the reconciler due now (time travel for the backoff). */
export const retriesDueNow = (accounts: readonly string[]) =>
  runInDurableObject(reconciler(), (instance: Reconciler) => {
    for (const account of accounts) {
      const retry = instance.queue.retryOf(account as AccountId);
      if (retry !== undefined) instance.queue.retryAt(account as AccountId, Date.now(), retry.failures);
    }
  });

/** Forgets the rate window, as if a second had passed. */
export const nextSecond = () =>
  runInDurableObject(reconciler(), (instance: Reconciler) => {
    instance.starts = [];
  });

export const report = () => reconciler().report();

export async function usage(account: string) {
  return runInDurableObject(userStub(account), (instance: UserPresence) => instance.storageUsage());
}

export async function snapshot(account: string): Promise<Record<string, any>> {
  return JSON.parse(await userStub(account).snapshotJson(RECONCILE_APP as AppId, account as AccountId));
}
