// The timeline chart's data, computed from a user's history: one lane per platform, the
// state intervals that the applied events put it in, and one mark per event. Pure: the
// chart (timeline.ts) only draws what this returns, and the tests check it directly.
import type { ConnectionState, HistoryEntry, PlatformSnapshot, UserStatus } from "./types";

export interface Segment {
  readonly from: number;
  readonly to: number;
  readonly status: ConnectionState;
}

export interface Mark {
  readonly at: number;
  readonly entry: HistoryEntry;
  /** True for a reconcile entry that changed no lane (an agreeing answer; see timelineModel). */
  readonly confirms: boolean;
}

export interface Lane {
  /** A platform, CUSTOM_STATUS_LANE for custom status changes, or RECONCILE_LANE. */
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
/** Only for the marks of reconcile entries that changed nothing, when there is no other lane. */
export const RECONCILE_LANE = "reconcile";
/** The action of a reconcile correction's history entry (src/reconcile/entry.ts). */
export const RECONCILE_ACTION = "Reconcile";
/** The platform a reconcile entry names when no platform changed (src/reconcile/entry.ts). */
const NO_PLATFORM = "Unknown";
/** Lanes in the API's platform order, then any other name, then custom status. */
const PLATFORM_ORDER = ["iOS", "Android", "Web", "Windows", "Mac", "iPad", "Linux", "RESTAPI", "Unknown"];

type Change = { readonly at: number; readonly status: ConnectionState };

const effectOn = (action: string): ConnectionState | null =>
  action === "Login" ? "online" : action === "Logout" ? "offline" : action === "Disconnect" ? "disconnected" : null;

/** As the Worker derives it (src/presence/reducer.ts userStatus), from the lanes' states. */
function userStatusOf(states: Iterable<ConnectionState>): UserStatus {
  let seen: UserStatus = "unknown";
  for (const s of states) {
    if (s === "online") return "online";
    if (s === "disconnected" || seen === "unknown") seen = s;
  }
  return seen;
}

/**
 * Lanes from `events` (any order), drawn up to `end`. Only applied events change a lane;
 * a Login's kicked platforms go offline at its EventTime. Every event, applied or not, is one
 * mark, on its platform's lane (custom status changes on their own lane).
 *
 * A reconcile correction's entry (action "Reconcile", at Q) names only the first platform it
 * changed and the user's status after (src/reconcile/entry.ts), so its effect is inferred:
 * - the named platform moves to the user's status after, or, if it already was in it (the
 *   answer moved it anyway, while another platform holds the user's status), to offline;
 * - no lane stays more present than the user: with the user offline after, every lane is
 *   offline at Q; with the user disconnected, every online lane is disconnected at Q.
 * An entry on "Unknown" changed nothing when there is no lane "Unknown" yet, or when the
 * user's status after is the one before: older Workers wrote such an entry for an answer
 * that agreed (#19). It draws no "Unknown" lane; its mark sits on the top lane, flagged
 * `confirms`.
 *
 * `now`, the user's current platforms, is the truth at the end: the oldest entries may have
 * been dropped (HISTORY_LIMIT) and a correction's other platforms are inferred, so a lane
 * whose last state differs from it changes to it at its `since`.
 */
export function timelineModel(
  events: readonly HistoryEntry[],
  end: number,
  now: Readonly<Record<string, Pick<PlatformSnapshot, "status" | "since">>> = {},
): TimelineModel | null {
  if (events.length === 0) return null;
  const sorted = [...events].sort((a, b) => a.eventTime - b.eventTime || a.seq - b.seq);
  // Walked in time order, so each lane's last change is its state at the entry being read.
  const changes = new Map<string, Change[]>();
  const marks = new Map<string, Mark[]>();
  const confirmations: Mark[] = [];
  const lane = <T>(map: Map<string, T[]>, name: string) => map.get(name) ?? (map.set(name, []), map.get(name)!);
  const stateOf = (name: string) => changes.get(name)?.at(-1)?.status;
  const move = (name: string, at: number, status: ConnectionState) => {
    if (stateOf(name) !== status) lane(changes, name).push({ at, status });
  };
  const platformStates = () => [...changes.keys()].map(stateOf).filter((s): s is ConnectionState => s !== undefined);

  for (const entry of sorted) {
    if (entry.action === RECONCILE_ACTION) {
      const after = entry.status;
      const confirms =
        entry.platform === NO_PLATFORM && (!changes.has(NO_PLATFORM) || after === userStatusOf(platformStates()));
      if (confirms) {
        confirmations.push({ at: entry.eventTime, entry, confirms });
        continue;
      }
      lane(marks, entry.platform).push({ at: entry.eventTime, entry, confirms });
      lane(changes, entry.platform);
      if (entry.outcome !== "applied" || after === "unknown") continue;
      const was = stateOf(entry.platform);
      move(entry.platform, entry.eventTime, was === after ? "offline" : after);
      for (const name of changes.keys()) {
        const state = stateOf(name);
        if (after === "offline" && state !== undefined) move(name, entry.eventTime, "offline");
        if (after === "disconnected" && state === "online") move(name, entry.eventTime, "disconnected");
      }
      continue;
    }
    const state = effectOn(entry.action);
    const name = state === null && entry.action === "CustomStatusChange" ? CUSTOM_STATUS_LANE : entry.platform;
    lane(marks, name).push({ at: entry.eventTime, entry, confirms: false });
    lane(changes, name);
    if (entry.outcome !== "applied") continue;
    for (const kicked of entry.kicked) lane(changes, kicked).push({ at: entry.eventTime, status: "offline" });
    if (state !== null) lane(changes, entry.platform).push({ at: entry.eventTime, status: state });
  }
  for (const [name, platform] of Object.entries(now)) {
    const points = lane(changes, name);
    const last = points.reduce<Change | undefined>(
      (latest, p) => (latest === undefined || p.at >= latest.at ? p : latest),
      undefined,
    );
    if (last?.status !== platform.status)
      points.push({ at: Math.max(platform.since, last?.at ?? platform.since), status: platform.status });
  }
  if (changes.size === 0) changes.set(RECONCILE_LANE, []);
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
    lanes: names.map((name, i) => {
      const points = [...changes.get(name)!].sort((a, b) => a.at - b.at);
      const segments = points.map((p, j) => ({ from: p.at, to: points[j + 1]?.at ?? until, status: p.status }));
      const own = marks.get(name) ?? [];
      return { name, segments, marks: i === 0 ? [...own, ...confirmations].sort(byTime) : own };
    }),
  };
}

const byTime = (a: Mark, b: Mark) => a.at - b.at || a.entry.seq - b.entry.seq;

/** Round-number tick times between start and end, about `count` of them. */
export function timeTicks(start: number, end: number, count: number): number[] {
  const span = Math.max(end - start, 1);
  const steps = [1e3, 5e3, 15e3, 6e4, 3e5, 9e5, 36e5, 4 * 36e5, 12 * 36e5, 864e5, 7 * 864e5, 30 * 864e5];
  const step = steps.find((s) => span / s <= count) ?? 365 * 864e5;
  const ticks: number[] = [];
  for (let t = Math.ceil(start / step) * step; t <= end; t += step) ticks.push(t);
  return ticks;
}
