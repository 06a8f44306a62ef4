// One Durable Object per app (`RECONCILER`, name = the SDKAppID): gathers the users that
// asked to be verified, asks Tencent about up to 500 of them a call, at most
// RECONCILE_MAX_RPS calls a second (its own alarm paces it), and hands each account's answer
// to that user's object. A user that cannot take its answer is retried alone: no user's
// answer waits on another's.
//
// What it stores: one row of stats, written once per run. The queue is memory only: if this
// object is evicted, the users' own alarms ask again an interval later (see RECONCILE.md).
import { DurableObject } from "cloudflare:workers";
import { loadConfig, type Config } from "../config";
import { log } from "../lib/log";
import type { AccountId, AppId, EpochMs } from "../presence/types";
import { batchAnswer } from "../reconcile/answer";
import { retryDelay } from "../reconcile/backoff";
import { applyEach, type Applied } from "../reconcile/apply-answers";
import type { KickOutcome, VerifyResult } from "../reconcile/outcomes";
import { VerificationQueue, type Pending, type WaitingRetry } from "../reconcile/queue";
import { freeSlots, inWindow, nextSlotAt } from "../reconcile/rate";
import { failuresOf, type CallFailure, type CallReport, type ReconcileStats } from "../reconcile/stats";
import { StatsStore } from "../reconcile/stats-store";
import { kickAccountFor } from "../tencent/rest/kick";
import { queryOnlineStatus } from "../tencent/rest/query-online-status";
import { MAX_QUERY_ACCOUNTS } from "../tencent/rest/query-online-status-wire";
import { userSigFor } from "../tencent/rest/usersig-cache";
import { sqlOf, type Sql } from "../lib/sql";

/** The longest a queued account waits for others to share its call. */
const MAX_GATHER_MS = 30_000;
/**
 * Calls per run. Each call hands up to 500 answers to user objects, and every such RPC is a
 * subrequest of the run (an alarm invocation); 16 × 500 stays under the default 10 000 of
 * Workers Paid. A higher RECONCILE_MAX_RPS is still honoured: runs then come more often.
 */
const MAX_CALLS_PER_RUN = 16;
/**
 * Accounts held at most. Users fall due spread over the interval, so the queue stays short;
 * past this (a backlog after an outage) a user is let go, and its own alarm asks again an
 * interval later. Memory, not storage: about 100 bytes an account.
 */
const MAX_QUEUED = 200_000;

export interface ReconcileReport extends ReconcileStats {
  readonly queueLength: number;
}

interface CallOutcome {
  readonly ok: boolean;
  readonly error?: string;
  readonly errorCode?: number | null;
  readonly applied: readonly Applied[];
}

export class Reconciler extends DurableObject<Env> {
  private readonly sql: Sql;
  private readonly config: Config;
  /** The accounts to verify (memory only); tests look into it. */
  readonly queue = new VerificationQueue();
  /** Start times of recent calls to Tencent (the rate window). */
  starts: EpochMs[] = [];
  private readonly stats: StatsStore;
  /** The app this object serves; learnt from the first call (the queue is empty before). */
  private app: AppId | null = null;
  private alarmAt: EpochMs | null | undefined = undefined;
  private runs: Promise<void> = Promise.resolve();
  /**
   * How long the first queued account waits for others before a call that is not full: users
   * fall due one by one, and a call of 500 costs what a call of one does. Short next to the
   * staleness interval (a tenth of it, at most 30 s); tests set it to 0.
   */
  gatherMs: number;
  /** Tencent's endpoint is reached through this; tests put an in-process fake here. */
  fetcher: typeof fetch = (input, init) => fetch(input, init);

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = sqlOf(ctx.storage.sql);
    this.stats = new StatsStore(this.sql);
    this.config = loadConfig(env);
    this.gatherMs = Math.min(MAX_GATHER_MS, (this.config.reconcileAfterMs ?? 10 * MAX_GATHER_MS) / 10);
  }

  /**
   * Users whose alarm found them stale. Returns at once: the answers go to each user. An account
   * waiting for a retry after a failure keeps waiting (the backoff holds whatever asks): those
   * come back with the time of their retry, so that their users do not ask before it.
   */
  async enqueue(app: AppId, accounts: readonly AccountId[]): Promise<WaitingRetry[]> {
    if (!this.config.secretKeys.has(app)) return [];
    this.app = app;
    const now = Date.now();
    const waiting: WaitingRetry[] = [];
    for (const account of accounts) {
      if (this.queue.size >= MAX_QUEUED) break;
      const retryAt = this.queue.add(account, now);
      if (retryAt !== null) waiting.push({ account, retryAt });
    }
    const wake = this.nextWake(now);
    if (wake !== null) await this.wakeAt(wake);
    return waiting;
  }

  /** Verifies up to 500 accounts now (the on-demand endpoint): the call, then each answer. */
  async verifyNow(app: AppId, accounts: readonly AccountId[]): Promise<VerifyResult> {
    this.app = app;
    // On-demand calls share the rate limit with the queue; they wait for a slot, never skip it.
    const now = await this.slot();
    // On demand goes at once, also for an account waiting for its retry: it is taken out of the
    // queue (this call answers it) and keeps its failure count, should this call fail too.
    const outcome = await this.call(
      app,
      accounts.map((account) => ({ account, failures: this.queue.remove(account) })),
      now,
      true,
    );
    this.stats.save();
    // Accounts that failed wait for their retry in the queue, like the background's.
    const next = this.nextWake(Date.now());
    if (next !== null) await this.wakeAt(next);
    if (!outcome.ok) return { ok: false, error: outcome.error ?? "failed", errorCode: outcome.errorCode ?? null };
    return { ok: true, results: outcome.applied };
  }

  /**
   * An operator's kick (SPEC §13), then the account verified at once as verifyNow does. Both
   * calls take a slot of RECONCILE_MAX_RPS: Tencent's 200 calls a second are app-wide.
   */
  async kick(app: AppId, account: AccountId): Promise<KickOutcome> {
    this.app = app;
    const { restBaseUrl: baseUrl, adminIdentifier: identifier } = this.config;
    const admin = { baseUrl, identifier, key: this.config.secretKeys.get(app) };
    // Without a key nothing is sent (kickAccountFor answers no_key), so no slot is taken.
    const now = admin.key === undefined ? Date.now() : await this.slot();
    if (admin.key !== undefined) this.starts = [...inWindow(this.starts, now), now];
    const result = await kickAccountFor(admin, app, account, now, { fetcher: this.fetcher });
    // A failed kick is not retried: the operator reads why and decides.
    if (!result.ok) return { kicked: false, failure: result };
    return { kicked: true, verified: await this.verifyNow(app, [account]) };
  }

  /** Rows read and written by this instance (SQL cursor counters): the storage bill. */
  storageUsage(): { rowsRead: number; rowsWritten: number } {
    return { ...this.sql.usage };
  }

  async report(): Promise<ReconcileReport> {
    return { ...this.stats.current(), queueLength: this.queue.size };
  }

  override async alarm(): Promise<void> {
    // Runs never overlap: a slow call delays the next run, it never doubles the rate.
    const run = this.runs.then(
      () => this.run(),
      () => this.run(),
    );
    this.runs = run;
    return run;
  }

  private async run(): Promise<void> {
    this.alarmAt = null;
    const app = this.app;
    if (app === null) return; // evicted since: the users' alarms re-fill the queue
    const now = Date.now();
    this.queue.promote(now);
    const oldest = this.queue.oldestReadyAt();
    const gathered = this.queue.readyCount >= MAX_QUERY_ACCOUNTS || (oldest !== null && oldest + this.gatherMs <= now);
    const calls: Pending[][] = [];
    const slots = gathered ? Math.min(MAX_CALLS_PER_RUN, freeSlots(this.starts, now, this.config.reconcileMaxRps)) : 0;
    for (let n = 0; n < slots; n++) {
      const batch = this.queue.take(now, MAX_QUERY_ACCOUNTS);
      if (batch.length === 0) break;
      calls.push(batch);
    }
    try {
      await Promise.all(calls.map((batch) => this.call(app, batch, now)));
    } finally {
      this.stats.save();
      const next = this.nextWake(Date.now());
      if (next !== null) await this.wakeAt(next);
    }
  }

  /** One REST call for `batch`, then each answer to its user. Never throws. */
  private async call(app: AppId, batch: readonly Pending[], q: EpochMs, snapshots = false): Promise<CallOutcome> {
    const accounts = batch.map((p) => p.account);
    const key = this.config.secretKeys.get(app);
    const userSig = key === undefined ? null : userSigFor(key, app, this.config.adminIdentifier, q);
    if (userSig === null) return { ok: false, error: `no IM_SECRET_KEY for app ${app}`, errorCode: null, applied: [] };
    this.starts = [...inWindow(this.starts, q), q];
    const result = await userSig.then(
      (sig) =>
        queryOnlineStatus({
          baseUrl: this.config.restBaseUrl,
          sdkAppId: app,
          identifier: this.config.adminIdentifier,
          userSig: sig,
          accounts,
          fetcher: this.fetcher,
        }),
      // The key itself is never in the message: only that signing failed.
      () => ({ ok: false, error: "could not sign the admin's UserSig with IM_SECRET_KEY", errorCode: null }) as const,
    );
    if (!result.ok) {
      this.retry(batch, q);
      const failure = { message: result.error, errorCode: result.errorCode, accounts: batch.length };
      this.record({ at: q, ok: false, failure });
      return { ok: false, error: result.error, errorCode: result.errorCode, applied: [] };
    }
    const answer = batchAnswer(accounts, result.results, result.missing, q);
    const unanswered = new Set(answer.unanswered);
    this.retry(
      batch.filter((p) => unanswered.has(p.account)),
      q,
    );
    const applied = await applyEach(this.env, app, accounts, answer.observations, snapshots);
    const refused = new Set(applied.filter((a) => a.error !== null).map((a) => a.account));
    this.retry(
      batch.filter((p) => refused.has(p.account)),
      q,
    );
    const failures: CallFailure[] = [];
    if (unanswered.size > 0) {
      const code = result.failed[0]?.errorCode ?? null;
      failures.push({
        message: `no answer for ${unanswered.size} account(s)`,
        errorCode: code,
        accounts: unanswered.size,
      });
    }
    if (refused.size > 0) {
      failures.push({
        message: `user objects refused ${refused.size} answer(s)`,
        errorCode: null,
        accounts: refused.size,
      });
    }
    this.record({
      at: q,
      ok: true,
      verified: accounts.length - unanswered.size,
      corrections: applied.filter((a) => a.corrected).length,
      failures,
    });
    return { ok: true, applied };
  }

  /** Folds one call into the stats (read now: calls of one run overlap) and logs its failures. */
  private record(report: CallReport): void {
    // One line per failure, with Tencent's code; the message never holds the key or the UserSig.
    for (const f of failuresOf(report)) {
      log({ msg: "reconcile failed", app: this.app, errorCode: f.errorCode, error: f.message, accounts: f.accounts });
    }
    this.stats.record(report);
  }

  /** Back off 1 min, 5 min, 30 min; then let go: the user's own alarm asks again later. */
  private retry(batch: readonly Pending[], now: EpochMs): void {
    for (const p of batch) {
      const delay = retryDelay(p.failures + 1);
      if (delay !== null) this.queue.retryAt(p.account, now + delay, p.failures + 1);
    }
  }

  /** Waits until a call may start within RECONCILE_MAX_RPS; the time it may start. */
  private async slot(): Promise<EpochMs> {
    let now = Date.now();
    for (let at = nextSlotAt(this.starts, now, this.config.reconcileMaxRps); at > now;) {
      await new Promise((resolve) => setTimeout(resolve, at - now));
      now = Date.now();
      at = nextSlotAt(this.starts, now, this.config.reconcileMaxRps);
    }
    return now;
  }

  /** When the next call may go: a full batch as soon as the rate allows, else after the gathering wait. */
  private nextWake(now: EpochMs): EpochMs | null {
    const due = this.queue.nextDueAt(now);
    if (due === null) return null;
    const ready = this.queue.readyCount >= MAX_QUERY_ACCOUNTS ? now : due + this.gatherMs;
    return Math.max(ready, nextSlotAt(this.starts, now, this.config.reconcileMaxRps));
  }

  /** Moves the alarm earlier (never later) than what is scheduled. */
  private async wakeAt(at: EpochMs): Promise<void> {
    if (this.alarmAt === undefined) this.alarmAt = await this.ctx.storage.getAlarm();
    if (this.alarmAt !== null && this.alarmAt <= at) return;
    this.alarmAt = at;
    await this.ctx.storage.setAlarm(at);
  }
}
