// The counts of an app's who-is-online index (SPEC §12): users online, users disconnected, and
// per platform the users with that platform online. A shard keeps its own counts in memory
// (computed once from its rows on load, then moved by each row change, so counts cost no row
// written); the app's counts are the sum over its shards. GET /online answers with them.
import { PLATFORMS, type AppId, type EpochMs, type Platform } from "../presence/types";
import type { IndexEntry } from "./entry";

export interface OnlineCounts {
  readonly online: number;
  readonly disconnected: number;
  /** Every canonical platform, zeros included: users with that platform online. */
  readonly platforms: Readonly<Record<Platform, number>>;
}

/** The body of GET /v1/apps/{app}/online. */
export interface OnlineAnswer extends OnlineCounts {
  readonly app: AppId;
  /** When the counts were gathered. */
  readonly asOf: EpochMs;
}

function zeroPlatforms(): Record<Platform, number> {
  const platforms = {} as Record<Platform, number>;
  for (const p of PLATFORMS) platforms[p] = 0;
  return platforms;
}

export function emptyCounts(): OnlineCounts {
  return { online: 0, disconnected: 0, platforms: zeroPlatforms() };
}

/** Adds `times` users with entry `e` (−1 takes one away). */
function add(
  into: { online: number; disconnected: number; platforms: Record<Platform, number> },
  e: Pick<IndexEntry, "status" | "platforms">,
  times: number,
) {
  if (e.status === "online") into.online += times;
  else into.disconnected += times;
  for (let i = 0; i < PLATFORMS.length; i++) {
    if ((e.platforms & (1 << i)) !== 0) into.platforms[PLATFORMS[i]!] += times;
  }
}

/**
 * The counts after one account's row changed from `before` to `after` (null: no row, the user
 * not in the index). A new object; `counts` is left as it was.
 */
export function applyChange(
  counts: OnlineCounts,
  before: Pick<IndexEntry, "status" | "platforms"> | null,
  after: Pick<IndexEntry, "status" | "platforms"> | null,
): OnlineCounts {
  const next = { online: counts.online, disconnected: counts.disconnected, platforms: { ...counts.platforms } };
  if (before !== null) add(next, before, -1);
  if (after !== null) add(next, after, 1);
  return next;
}

/** The counts of a set of rows (what a shard's aggregate query computes on load). */
export function countEntries(entries: Iterable<IndexEntry>): OnlineCounts {
  const counts = { online: 0, disconnected: 0, platforms: zeroPlatforms() };
  for (const e of entries) add(counts, e, 1);
  return counts;
}

/** The counts of rows grouped by status and platforms, each group with its number of rows. */
export function countGroups(
  groups: Iterable<{ readonly entry: Pick<IndexEntry, "status" | "platforms">; readonly rows: number }>,
): OnlineCounts {
  const counts = { online: 0, disconnected: 0, platforms: zeroPlatforms() };
  for (const g of groups) add(counts, g.entry, g.rows);
  return counts;
}

/** The app's counts: the sum of its shards' counts. */
export function sumCounts(parts: Iterable<OnlineCounts>): OnlineCounts {
  const total = { online: 0, disconnected: 0, platforms: zeroPlatforms() };
  for (const c of parts) {
    total.online += c.online;
    total.disconnected += c.disconnected;
    for (const p of PLATFORMS) total.platforms[p] += c.platforms[p] ?? 0;
  }
  return total;
}

/** True when both say the same (a shard pushes its counts only when they changed). */
export function sameCounts(a: OnlineCounts, b: OnlineCounts): boolean {
  return (
    a.online === b.online &&
    a.disconnected === b.disconnected &&
    PLATFORMS.every((p) => a.platforms[p] === b.platforms[p])
  );
}

/** The GET /online answer: the counts, every platform listed in PLATFORMS order. */
export function onlineAnswer(app: AppId, counts: OnlineCounts, asOf: EpochMs): OnlineAnswer {
  const platforms = zeroPlatforms();
  for (const p of PLATFORMS) platforms[p] = counts.platforms[p] ?? 0;
  return { app, online: counts.online, disconnected: counts.disconnected, platforms, asOf };
}
