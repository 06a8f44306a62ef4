// At most one call an interval, of whatever is latest when it starts, retried when it fails: how a
// shard pushes its counts to the app's totals object, and the totals object its counts to the
// watch hubs. A change while a call is in flight or waiting is folded into the next call, so a
// burst of changes costs one call an interval however long it lasts.
//
// The wait is measured by the timer, not by comparing clocks: a call waiting for its turn starts
// when its timer fires, whatever Date says (tests fix Date; a clock may step).
export class Throttle {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running = false;
  /** Something changed since the last call started. */
  private pending = false;
  private lastStart = Number.NEGATIVE_INFINITY;
  private waiters: (() => void)[] = [];
  /** Calls started. */
  calls = 0;

  constructor(
    /** Sends the latest; a rejection is retried an interval later. */
    private readonly send: () => Promise<void>,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Something changed: a call goes out now, or when the interval since the last one has passed. */
  changed(): void {
    this.pending = true;
    this.schedule();
  }

  /** True when every change so far has been sent. */
  get idle(): boolean {
    return !this.pending && !this.running && this.timer === null;
  }

  /** Resolves once every change so far has been sent (tests wait on it; never while calls keep failing). */
  settled(): Promise<void> {
    return this.idle ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }

  private schedule(): void {
    if (!this.pending || this.running || this.timer !== null) return;
    const wait = Math.min(this.lastStart + this.intervalMs - Date.now(), this.intervalMs);
    if (wait > 0) this.timer = setTimeout(() => this.start(), wait);
    else this.start();
  }

  private start(): void {
    this.timer = null;
    this.pending = false;
    this.running = true;
    this.lastStart = Date.now();
    this.calls++;
    this.send()
      .catch((error: unknown) => {
        this.pending = true;
        this.onError(error);
      })
      .finally(() => {
        this.running = false;
        // A failure waits an interval as any call does: the timer, since lastStart was just now.
        this.schedule();
        if (this.idle) for (const resolve of this.waiters.splice(0)) resolve();
      });
  }
}
