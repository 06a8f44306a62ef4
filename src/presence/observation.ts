// Reconcile answers in the pure core: Tencent's `query_online_status` answer for one user is
// an *observation* at Q (the Worker time the query was sent), laid over the state that the
// callbacks alone made. No I/O, no clock.
//
// Why an overlay and not one more change offered to the platform registers: a confirmation
// (Tencent agrees with us) must change nothing, yet an "online at Q" that arrives before a
// delayed Login at t < Q must end the same as the other way round (the Login's `since` and
// reason, not "Reconciled" at Q). No single register order does both, so the callbacks keep
// their registers (reducer.ts, untouched) and the observations form a second set beside them.
//
// Invariant (as in reducer.ts): every field but `version` is a function of the *set* of
// callbacks and observations offered, not of their order. For each platform the shown value
// is a walk, in time order, over its newest callback change and the observations after it:
// - an observation newer than the platform's last callback change (Q > since) that disagrees
//   with the walk so far replaces it: { status, reason "Reconciled", since Q };
// - one that agrees confirms it: `since`, reason and client IP stay as they were;
// - one at or before the last callback change is ignored there (a callback that raced the
//   query wins);
// - a platform never seen that Tencent lists offline (or omits) stays unseen.
// onlineSince, lastSeen and updatedAt are derived from the walk the same way the reducer
// derives them from callbacks; the callbacks' own values are kept in `reconcile.callbacks`.
// A callback's outcome is what it did to what is shown (SPEC §3): one whose change a newer
// answer hides is `stale`, publishes nothing and leaves `version` (the changes shown) alone.
// Two bounds on "any order": a user keeps OBSERVATION_LIMIT answers (the oldest that no longer
// change what is shown go first), and the shell writes a confirmation only with the next
// change; either is noticed only by a callback delayed past later answers.
import { onlineSince, reduce, userStatus } from "./reducer";
import type {
  ConnectionState,
  Effect,
  EpochMs,
  Kick,
  Observation,
  Platform,
  PlatformState,
  PresenceEvent,
  PresenceState,
  ReconcileMemory,
  Reduction,
} from "./types";

export const RECONCILED_REASON = "Reconciled";
/**
 * Observations kept per user. Confirmations arrive once per interval, so the list is
 * bounded; beyond the limit the oldest one whose removal changes nothing shown is dropped.
 */
export const OBSERVATION_LIMIT = 16;

export interface ObservationResult {
  readonly state: PresenceState;
  /** False for a confirmation: nothing shown changed (no history entry, no row, no event). */
  readonly changed: boolean;
  readonly effects: readonly Effect[];
}

type Platforms = Partial<Record<Platform, PlatformState>>;

interface Overlay {
  readonly platforms: Platforms;
  readonly lastSeen: EpochMs | null;
  readonly updatedAt: EpochMs | null;
}

function observationKey(o: Observation): string {
  const entries = Object.entries(o.platforms).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${o.at}\u0000${JSON.stringify(entries)}`;
}

function compareObservations(a: Observation, b: Observation): number {
  if (a.at !== b.at) return a.at - b.at;
  const ka = observationKey(a);
  const kb = observationKey(b);
  return ka === kb ? 0 : ka < kb ? -1 : 1;
}

const maxOf = (a: EpochMs | null, b: EpochMs | null): EpochMs | null =>
  a === null ? b : b === null ? a : Math.max(a, b);

// A memory is rebuilt field by field, not spread: a state stored by an earlier version carries
// fields this one no longer keeps (a `corrections` count), and they should not live on.
const memoryOf = (callbacks: PresenceState, observations: readonly Observation[]): ReconcileMemory => ({
  callbacks,
  observations,
});
const withObservations = (memory: ReconcileMemory, observations: readonly Observation[]) =>
  memoryOf(memory.callbacks, observations);
const withCallbacks = (memory: ReconcileMemory, callbacks: PresenceState) => memoryOf(callbacks, memory.observations);

/** The platforms, lastSeen and updatedAt shown for the callbacks' state plus the observations. */
function overlay(callbacks: PresenceState, observations: readonly Observation[]): Overlay {
  const platforms: Platforms = { ...callbacks.platforms };
  let lastSeen = callbacks.lastSeen;
  let updatedAt = callbacks.updatedAt;
  const names = new Set<Platform>(Object.keys(callbacks.platforms) as Platform[]);
  for (const o of observations) for (const p of Object.keys(o.platforms) as Platform[]) names.add(p);
  for (const name of names) {
    let current = platforms[name];
    for (const o of observations) {
      if (current !== undefined && o.at <= current.since) continue;
      const observed: ConnectionState = o.platforms[name] ?? "offline";
      if (current === undefined ? observed === "offline" : observed === current.status) continue;
      if (current?.status === "online") lastSeen = maxOf(lastSeen, o.at);
      updatedAt = maxOf(updatedAt, o.at);
      current = { status: observed, reason: RECONCILED_REASON, since: o.at, clientIp: null, by: null };
    }
    if (current !== undefined) platforms[name] = current;
  }
  return { platforms, lastSeen, updatedAt };
}

/** What is shown for `memory`; `version` is the caller's: it counts changes shown, in arrival order. */
function compose(memory: ReconcileMemory, version: number): PresenceState {
  const shown = overlay(memory.callbacks, memory.observations);
  const { callbacks } = memory;
  return {
    platforms: shown.platforms,
    customStatus: callbacks.customStatus,
    customStatusAt: callbacks.customStatusAt,
    onlineSince: onlineSince(shown.platforms),
    lastSeen: shown.lastSeen,
    updatedAt: shown.updatedAt,
    version,
    kicks: callbacks.kicks,
    reconcile: memory,
  };
}

/** True when anything a reader sees differs (every snapshot field but version). */
function shownDiffers(a: PresenceState, b: PresenceState): boolean {
  return a.lastSeen !== b.lastSeen || movedBesidesLastSeen(a, b);
}

/**
 * True when a callback did something: what is shown moved, `lastSeen` aside (the reducer's rule:
 * a late leave moves `lastSeen` and is still stale), or the custom status register moved (the
 * reducer applies a newer custom status equal to the old one, and observations never touch it).
 */
function movedBesidesLastSeen(a: PresenceState, b: PresenceState): boolean {
  return (
    a.onlineSince !== b.onlineSince ||
    a.updatedAt !== b.updatedAt ||
    a.customStatus !== b.customStatus ||
    a.customStatusAt !== b.customStatusAt ||
    kicksDiffer(a.kicks, b.kicks) ||
    JSON.stringify(sortedPlatforms(a.platforms)) !== JSON.stringify(sortedPlatforms(b.platforms))
  );
}

// By value, not by reference: a state loaded from storage holds its kick list and its
// callbacks' kick list as two parsed copies of one list, and compose() takes the latter.
function kicksDiffer(a: readonly Kick[], b: readonly Kick[]): boolean {
  if (a === b) return false;
  if (a.length !== b.length) return true;
  return a.some((k, i) => k.at !== b[i]!.at || k.platform !== b[i]!.platform || k.by !== b[i]!.by);
}

function sortedPlatforms(platforms: Platforms): [string, PlatformState | undefined][] {
  return Object.entries(platforms).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
}

/** device.status_changed per platform whose status moved, then user.status_changed. */
function statusEffects(before: PresenceState, after: PresenceState, at: EpochMs): Effect[] {
  const effects: Effect[] = [];
  const names = new Set([...Object.keys(before.platforms), ...Object.keys(after.platforms)] as Platform[]);
  for (const platform of names) {
    const from = before.platforms[platform];
    const to = after.platforms[platform];
    if (to === undefined || from?.status === to.status) continue;
    effects.push({
      kind: "device.status_changed",
      platform,
      from: from?.status ?? "unknown",
      to: to.status,
      reason: to.reason,
    });
  }
  const from = userStatus(before.platforms);
  const to = userStatus(after.platforms);
  if (from !== to) effects.push({ kind: "user.status_changed", from, to, at });
  return effects;
}

/** Keeps the list bounded without changing what is shown, when that is possible. */
function bounded(memory: ReconcileMemory, shown: PresenceState): readonly Observation[] {
  let observations = memory.observations;
  while (observations.length > OBSERVATION_LIMIT) {
    const list = observations;
    const removable = list.findIndex(
      (_, i) =>
        !shownDiffers(
          shown,
          compose(
            withObservations(
              memory,
              list.filter((_o, j) => j !== i),
            ),
            0,
          ),
        ),
    );
    observations = list.filter((_o, j) => j !== (removable === -1 ? 0 : removable));
  }
  return observations;
}

/**
 * Applies one callback to a user Tencent was asked about: the reducer's own registers move as
 * they always do, then the observations are laid over them again (index.ts calls this only
 * when there are observations; without, the registers alone are the state).
 *
 * The outcome is what the callback did to what is shown (SPEC §3): a change the registers took
 * but a newer observation hides (a late Login at t < Q after "offline at Q") is `stale`, with no
 * effect and no version, as it would be had the answer been a callback at Q.
 */
export function reduceUnderObservations(state: PresenceState, event: PresenceEvent): Reduction {
  const memory = state.reconcile;
  if (memory === undefined) return reduce(state, event);
  const r = reduce(memory.callbacks, event);
  if (r.state === memory.callbacks) return { state, outcome: r.outcome, effects: [] };
  const next = compose(withCallbacks(memory, r.state), state.version);
  if (r.outcome !== "applied") return { state: next, outcome: r.outcome, effects: [] };
  if (!movedBesidesLastSeen(state, next)) return { state: next, outcome: "stale", effects: [] };
  const shown = { ...next, version: state.version + 1 };
  // Kicks and custom status come from the callback; status changes are those now shown.
  const own = r.effects.filter((e) => e.kind === "device.kicked" || e.kind === "user.custom_status_changed");
  return { state: shown, outcome: "applied", effects: [...own, ...statusEffects(state, shown, event.eventTime)] };
}

/** Applies Tencent's answer for this user, observed at `observation.at` (Q). */
export function applyObservation(state: PresenceState, observation: Observation): ObservationResult {
  const memory: ReconcileMemory = state.reconcile ?? memoryOf(state, []);
  const known = memory.observations;
  if (known.some((o) => compareObservations(o, observation) === 0)) return { state, changed: false, effects: [] };
  const grown = withObservations(memory, [...known, observation].sort(compareObservations));
  const candidate = compose(grown, state.version);
  const changed = shownDiffers(state, candidate);
  const version = state.version + (changed ? 1 : 0);
  const next = compose(withObservations(grown, bounded(grown, candidate)), version);
  return { state: next, changed, effects: changed ? statusEffects(state, next, observation.at) : [] };
}

/** The state as the callbacks alone made it (for tests and diagnostics). */
export function callbacksOnly(state: PresenceState): PresenceState {
  return state.reconcile?.callbacks ?? state;
}
