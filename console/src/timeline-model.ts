// The timeline chart's data, computed from a user's history: one lane per platform, the
// state intervals that the applied events put it in, and one mark per event. Pure: the
// chart (timeline.ts) only draws what this returns, and the tests check it directly.
import type { ConnectionState, HistoryEntry, PlatformSnapshot } from "./types";

export interface Segment {
  readonly from: number;
  readonly to: number;
  readonly status: ConnectionState;
}

export interface Mark {
  readonly at: number;
  readonly entry: HistoryEntry;
}

export interface Lane {
  /** A platform, or CUSTOM_STATUS_LANE for custom status changes. */
  readonly name: string;
  readonly segments: readonly Segment[];
  readonly marks: readonly Mark[];
}

export interface TimelineModel {
  readonly start: number;
  readonly end: number;
  readonly lanes: readonly Lane[];
}

export const CUSTOM_STATUS_LANE = "custom status";
/** Lanes in the API's platform order, then any other name, then custom status. */
const PLATFORM_ORDER = ["iOS", "Android", "Web", "Windows", "Mac", "iPad", "Linux", "RESTAPI", "Unknown"];

const effectOn = (action: string): ConnectionState | null =>
  action === "Login" ? "online" : action === "Logout" ? "offline" : action === "Disconnect" ? "disconnected" : null;

/**
 * Lanes from `events` (any order), drawn up to `end`. Only applied events change a lane;
 * a Login's kicked platforms go offline at its EventTime. Every event, applied or not, is one
 * mark, on its platform's lane (custom status changes on their own lane).
 *
 * `now`, the user's current platforms, is the truth at the end: a history entry of a
 * reconcile correction does not say which platforms it changed, and the oldest entries may
 * have been dropped (HISTORY_LIMIT), so a lane whose last state differs from it changes to
 * it at its `since`.
 */
export function timelineModel(
  events: readonly HistoryEntry[],
  end: number,
  now: Readonly<Record<string, Pick<PlatformSnapshot, "status" | "since">>> = {},
): TimelineModel | null {
  if (events.length === 0) return null;
  const sorted = [...events].sort((a, b) => a.eventTime - b.eventTime || a.seq - b.seq);
  const changes = new Map<string, { at: number; status: ConnectionState }[]>();
  const marks = new Map<string, Mark[]>();
  const lane = <T>(map: Map<string, T[]>, name: string) => map.get(name) ?? (map.set(name, []), map.get(name)!);
  for (const entry of sorted) {
    const state = effectOn(entry.action);
    const name = state === null && entry.action === "CustomStatusChange" ? CUSTOM_STATUS_LANE : entry.platform;
    lane(marks, name).push({ at: entry.eventTime, entry });
    lane(changes, name);
    if (entry.outcome !== "applied") continue;
    for (const kicked of entry.kicked) lane(changes, kicked).push({ at: entry.eventTime, status: "offline" });
    if (state !== null) lane(changes, entry.platform).push({ at: entry.eventTime, status: state });
  }
  for (const [name, platform] of Object.entries(now)) {
    const points = lane(changes, name);
    const last = points.reduce<{ at: number; status: ConnectionState } | undefined>(
      (latest, p) => (latest === undefined || p.at >= latest.at ? p : latest),
      undefined,
    );
    if (last?.status !== platform.status)
      points.push({ at: Math.max(platform.since, last?.at ?? platform.since), status: platform.status });
  }
  const start = Math.min(sorted[0]!.eventTime, ...[...changes.values()].flat().map((p) => p.at));
  const last = sorted[sorted.length - 1]!.eventTime;
  const until = Math.max(end, last);
  const rank = (name: string) => {
    if (name === CUSTOM_STATUS_LANE) return PLATFORM_ORDER.length + 1;
    const i = PLATFORM_ORDER.indexOf(name);
    return i === -1 ? PLATFORM_ORDER.length : i;
  };
  const names = [...changes.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return {
    start,
    end: until,
    lanes: names.map((name) => {
      const points = [...changes.get(name)!].sort((a, b) => a.at - b.at);
      const segments = points.map((p, i) => ({ from: p.at, to: points[i + 1]?.at ?? until, status: p.status }));
      return { name, segments, marks: marks.get(name) ?? [] };
    }),
  };
}

/** Round-number tick times between start and end, about `count` of them. */
export function timeTicks(start: number, end: number, count: number): number[] {
  const span = Math.max(end - start, 1);
  const steps = [1e3, 5e3, 15e3, 6e4, 3e5, 9e5, 36e5, 4 * 36e5, 12 * 36e5, 864e5, 7 * 864e5, 30 * 864e5];
  const step = steps.find((s) => span / s <= count) ?? 365 * 864e5;
  const ticks: number[] = [];
  for (let t = Math.ceil(start / step) * step; t <= end; t += step) ticks.push(t);
  return ticks;
}
