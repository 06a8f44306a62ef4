// What an app's totals object knows in memory (SPEC §12): each shard's latest counts, their sum,
// and the minute in progress of the counts over time (series.ts). Pure and clockless: time
// arrives as data; the object (src/durable/online-totals.ts) stores the minutes this finishes.
//
// A shard's counts carry a version that rises with each change (shard-index.ts): counts that
// arrive late (a push overtaken by a gather, or the other way round) are older and ignored.
import { emptyCounts, sameCounts, sumCounts, type OnlineCounts } from "./counts";
import { observeOnline, rollTracker, startTracker, type MinuteTracker, type SeriesPoint } from "./series";
import type { ShardCounts } from "./shard-index";
import type { EpochMs } from "../presence/types";

/** What taking in a shard's counts did. */
export interface TotalsStep {
  /** The app's counts changed (watchers are told). */
  readonly changed: boolean;
  /** A minute that ended and is to be stored; null when none did or it changed nothing. */
  readonly finished: SeriesPoint | null;
}

export class AppTotals {
  private readonly held: (ShardCounts | null)[];
  private total: OnlineCounts = emptyCounts();
  private tracker: MinuteTracker | null = null;

  constructor(readonly shards: number) {
    this.held = new Array<ShardCounts | null>(shards).fill(null);
  }

  /** The app's counts: the sum of the latest counts of every shard heard from. */
  get counts(): OnlineCounts {
    return this.total;
  }

  /** The minute in progress; null until started. */
  get minute(): MinuteTracker | null {
    return this.tracker;
  }

  /**
   * Starts the minute tracker from the counts held (gathered from the shards). `stored` is the
   * newest stored minute's `online` (null when none): the minute then records any change missed
   * while the object was away.
   */
  start(now: EpochMs, stored: number | null): void {
    this.tracker = startTracker(now, this.total.online, stored);
  }

  /** Shard `shard`'s counts, unless they are not newer than those held. */
  set(shard: number, counts: ShardCounts, now: EpochMs): TotalsStep {
    const held = this.held[shard];
    if (held === undefined || (held !== null && held.version >= counts.version)) {
      return { changed: false, finished: this.roll(now) };
    }
    this.held[shard] = counts;
    const total = sumCounts(this.held.flatMap((h) => (h === null ? [] : [h.counts])));
    const changed = !sameCounts(total, this.total);
    this.total = total;
    if (this.tracker === null) return { changed, finished: null };
    const step = observeOnline(this.tracker, now, total.online);
    this.tracker = step.tracker;
    return { changed, finished: step.finished };
  }

  /** Finishes the minute in progress if `now` is past it: its point, when it is to be stored. */
  roll(now: EpochMs): SeriesPoint | null {
    if (this.tracker === null) return null;
    const step = rollTracker(this.tracker, now);
    this.tracker = step.tracker;
    return step.finished;
  }
}
