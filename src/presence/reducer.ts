// The presence state machine: a pure function of (state, event). No I/O, no clock.
//
// Order independence comes from treating each platform (and the custom status) as a
// register that only moves "up" a total order: (EventTime, status rank, tie-break).
// The final value of such a register is the maximum of every change offered to it, so
// any arrival order of the same callbacks ends in the same platform states, and an
// exact repeat compares equal and changes nothing.
//
// Invariant: every field of the state except `version` is a function of the *set* of events
// offered, not of their order. The registers above give the platforms, the custom status
// and the kick list; the rest is derived from those or is itself a maximum over the set:
// - onlineSince = the earliest `since` among the platforms online now (derived);
// - lastSeen    = the newest EventTime of any leave (Logout, Disconnect, a kick), applied
//                 or stale, so a leave that arrives late still counts;
// - updatedAt   = the newest EventTime among applied changes: an event that is stale in
//                 one order is dominated by an applied change at least as new in every order.
import type {
  ConnectionState,
  Effect,
  EpochMs,
  Kick,
  Platform,
  PlatformState,
  PresenceEvent,
  PresenceState,
  Reduction,
  UserStatus,
} from "./types";

export const KICK_LIMIT = 20;
export const KICKED_REASON = "Kicked";

export const EMPTY_STATE: PresenceState = {
  platforms: {},
  customStatus: null,
  customStatusAt: null,
  onlineSince: null,
  lastSeen: null,
  updatedAt: null,
  version: 0,
  kicks: [],
};

// At equal EventTime, offline beats disconnected beats online (docs/DESIGN.md, "Ordering").
const RANK: Record<ConnectionState, number> = { online: 0, disconnected: 1, offline: 2 };

type Comparison = "newer" | "same" | "older";

function compareNumbers(a: number, b: number): number {
  return a === b ? 0 : a > b ? 1 : -1;
}

function compareStrings(a: string, b: string): number {
  return a === b ? 0 : a > b ? 1 : -1;
}

// Two different changes at the same time and rank still need one winner, whichever
// arrives first: the tie-break compares the rest of the change as text.
function tieBreakKey(p: PlatformState): string {
  return `${p.reason}\u0000${p.by ?? ""}\u0000${p.clientIp ?? ""}`;
}

export function comparePlatformChange(candidate: PlatformState, current: PlatformState | undefined): Comparison {
  if (current === undefined) return "newer";
  const order =
    compareNumbers(candidate.since, current.since) ||
    compareNumbers(RANK[candidate.status], RANK[current.status]) ||
    compareStrings(tieBreakKey(candidate), tieBreakKey(current));
  return order > 0 ? "newer" : order < 0 ? "older" : "same";
}

function compareCustomStatus(value: string | null, at: number, state: PresenceState): Comparison {
  if (state.customStatusAt === null) return "newer";
  const order =
    compareNumbers(at, state.customStatusAt) ||
    // null sorts below every string, so "cleared" and "set" at one instant resolve the same way everywhere
    compareStrings(
      value === null ? "" : `\u0001${value}`,
      state.customStatus === null ? "" : `\u0001${state.customStatus}`,
    );
  return order > 0 ? "newer" : order < 0 ? "older" : "same";
}

export function userStatus(platforms: PresenceState["platforms"]): UserStatus {
  let seen = false;
  let disconnected = false;
  for (const p of Object.values(platforms)) {
    if (p === undefined) continue;
    if (p.status === "online") return "online";
    if (p.status === "disconnected") disconnected = true;
    seen = true;
  }
  return disconnected ? "disconnected" : seen ? "offline" : "unknown";
}

function targetState(event: PresenceEvent): ConnectionState | null {
  switch (event.action) {
    case "Login":
      return "online";
    case "Logout":
      return "offline";
    case "Disconnect":
      return "disconnected";
    case "CustomStatusChange":
      return null;
  }
}

/** A Logout, a Disconnect, or a Login that kicked one of the user's platforms. */
function isLeave(event: PresenceEvent): boolean {
  return event.action === "Logout" || event.action === "Disconnect" || event.kicked.length > 0;
}

/** The earliest `since` among the platforms online now: when the current online period began. */
export function onlineSince(platforms: PresenceState["platforms"]): EpochMs | null {
  let earliest: EpochMs | null = null;
  for (const p of Object.values(platforms)) {
    if (p?.status === "online" && (earliest === null || p.since < earliest)) earliest = p.since;
  }
  return earliest;
}

const kickOrder = (a: Kick, b: Kick) =>
  b.at - a.at || compareStrings(a.platform, b.platform) || compareStrings(a.by, b.by);

// The kick list is a bounded set of every kick ever reported, newest first. Keeping the
// top KICK_LIMIT of a set by a total order gives the same list for any arrival order,
// which recording only the kicks that won their platform would not.
function recordKick(kicks: readonly Kick[], kick: Kick): { kicks: readonly Kick[]; comparison: Comparison } {
  if (kicks.some((k) => kickOrder(k, kick) === 0)) return { kicks, comparison: "same" };
  const next = [...kicks, kick].sort(kickOrder).slice(0, KICK_LIMIT);
  return next.includes(kick) ? { kicks: next, comparison: "newer" } : { kicks, comparison: "older" };
}

/** What one reduce is building: the platforms so far, each offer's comparison, the effects. */
interface Draft {
  readonly platforms: Partial<Record<Platform, PlatformState>>;
  readonly comparisons: Comparison[];
  readonly effects: Effect[];
}

// Offers one platform change, which applies only if above the platform's current one. A
// module function, not a closure made per callback: the deployed bundle keeps function
// names, which costs a defineProperty for every closure it creates.
function offer(draft: Draft, platform: Platform, change: PlatformState): void {
  const current = draft.platforms[platform];
  const comparison = comparePlatformChange(change, current);
  draft.comparisons.push(comparison);
  if (comparison !== "newer") return;
  draft.platforms[platform] = change;
  if (current?.status !== change.status) {
    draft.effects.push({
      kind: "device.status_changed",
      platform,
      from: current?.status ?? "unknown",
      to: change.status,
      reason: change.reason,
    });
  }
}

/** Applies one callback. Returns the next state, what happened, and the effects to publish. */
export function reduce(state: PresenceState, event: PresenceEvent): Reduction {
  const draft: Draft = { platforms: { ...state.platforms }, comparisons: [], effects: [] };
  const { platforms, comparisons, effects } = draft;
  let kicks = state.kicks;
  let customStatus = state.customStatus;
  let customStatusAt = state.customStatusAt;

  const t = event.eventTime;
  const target = targetState(event);
  if (target === null) {
    const comparison = compareCustomStatus(event.customStatus, t, state);
    comparisons.push(comparison);
    if (comparison === "newer") {
      if (event.customStatus !== state.customStatus) {
        effects.push({ kind: "user.custom_status_changed", from: state.customStatus, to: event.customStatus });
      }
      customStatus = event.customStatus;
      customStatusAt = t;
    }
  } else {
    // Kicks first: a login's kick of another platform is a change of that platform.
    for (const kicked of event.kicked) {
      const recorded = recordKick(kicks, { platform: kicked, at: t, by: event.platform });
      comparisons.push(recorded.comparison);
      kicks = recorded.kicks;
      if (recorded.comparison === "newer")
        effects.push({ kind: "device.kicked", platform: kicked, by: event.platform });
      // A login that kicked another device of its own platform is applied after that
      // kick, so the platform ends online; the kick itself stays in the kick list.
      if (kicked !== event.platform) {
        offer(draft, kicked, {
          status: "offline",
          reason: KICKED_REASON,
          since: t,
          clientIp: null,
          by: event.platform,
        });
      }
    }
    offer(draft, event.platform, {
      status: target,
      reason: event.reason,
      since: t,
      clientIp: event.clientIp,
      by: null,
    });
  }

  // A repeat of an event whose changes are all in place already is a duplicate even when
  // part of it was stale the first time (a login stale on its own platform whose kick applied).
  const outcome = comparisons.includes("newer") ? "applied" : comparisons.includes("same") ? "duplicate" : "stale";
  // A leave is seen whatever its outcome: a late Logout still says when the user was last there.
  const lastSeen = isLeave(event) ? Math.max(state.lastSeen ?? t, t) : state.lastSeen;
  if (outcome !== "applied") {
    return { state: lastSeen === state.lastSeen ? state : { ...state, lastSeen }, outcome, effects: [] };
  }

  const before = userStatus(state.platforms);
  const after = userStatus(platforms);
  if (before !== after) effects.push({ kind: "user.status_changed", from: before, to: after, at: t });

  return {
    state: {
      platforms,
      customStatus,
      customStatusAt,
      onlineSince: onlineSince(platforms),
      lastSeen,
      updatedAt: Math.max(state.updatedAt ?? t, t),
      version: state.version + 1,
      kicks,
    },
    outcome,
    effects,
  };
}
