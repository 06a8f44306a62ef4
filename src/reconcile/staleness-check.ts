// Reconcile's deadline in the user's one alarm (a UserConcern): a user online or disconnected
// with no callback for RECONCILE_AFTER_SECONDS asks its app's reconciler to verify it, and asks
// again every interval while it stays so. Offline users never set the alarm for this.
// A user whose verification failed waits for the reconciler's retry (1, 5, 30 min): when it asks
// meanwhile, the reconciler keeps the retry and says when it is due, and the user's next ask
// comes an interval after it, as after any check. Memory only, no row: after an eviction the
// alarm time stands in, and the reconciler still refuses to ask Tencent earlier.
import type { Config } from "../config";
import { log } from "../lib/log";
import { userStatus } from "../presence";
import type { AppId } from "../presence/types";
import { nextCheckAt } from "./deadline";
import type { LoadedUser } from "../user/history-store";
import type { CommittedChange, UserConcern } from "../user/concern";

/** When asking the reconciler failed, the alarm comes back this much later. */
const ENQUEUE_RETRY_MS = 60_000;

export class StalenessCheck implements UserConcern {
  /**
   * When this instance last asked, or when the reconciler will retry it after a failure (memory
   * only: after an eviction the alarm time stands in).
   */
  private lastCheckAt: number | null = null;

  constructor(
    private readonly env: Env,
    private readonly config: Config,
  ) {}

  /** Staleness checks run for this app (it has a secret key): the shell then keeps track of its alarm. */
  enabledFor(app: AppId): boolean {
    return this.config.reconcileAfterMs !== null && this.config.secretKeys.has(app);
  }

  wakeAfterChange(change: CommittedChange): number | null {
    return this.nextCheck(change.user);
  }

  async onAlarm(user: LoadedUser, alive: () => boolean): Promise<number | null> {
    const due = this.nextCheck(user);
    const now = Date.now();
    if (due === null || due > now || !alive()) return due;
    try {
      // Ingestion never waits on this: only the alarm asks, and the answer comes back by RPC.
      const waiting = await this.env.RECONCILER.getByName(user.app).enqueue(user.app, [user.account]);
      // The retry the reconciler holds is this user's next check: asking before it would be refused.
      this.lastCheckAt = Math.max(now, ...waiting.map((w) => w.retryAt));
    } catch (error) {
      log({ msg: "reconcile enqueue failed", app: user.app, error: String(error) });
      return now + ENQUEUE_RETRY_MS;
    }
    // An interval from now: if the answer is lost (an evicted reconciler), this asks again.
    return this.nextCheck(user);
  }

  forget(): void {
    this.lastCheckAt = null;
  }

  private nextCheck(user: LoadedUser): number | null {
    if (!this.enabledFor(user.app)) return null;
    return nextCheckAt({
      status: userStatus(user.state.platforms),
      lastCallbackAt: user.lastActivity,
      lastCheckAt: this.lastCheckAt,
      afterMs: this.config.reconcileAfterMs,
    });
  }
}
