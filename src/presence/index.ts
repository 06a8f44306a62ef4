// The pure core's front door: what the shells call, so none of them picks among the core's
// files. No I/O, no clock: time arrives inside the events and observations.
//
// - reduce:   one callback → the next state, its outcome and effects (reducer.ts moves the
//             registers; observation.ts lays Tencent's answers over them when there are any);
// - observe:  one reconcile answer at Q → the next state and whether anything shown changed;
// - snapshot: a state → what the read API shows.
//
// Types live in types.ts and the account rule in account.ts: both are imported directly
// (Node's type stripping loads those two files by name; see eslint.config.js).
import { reduceUnderObservations } from "./observation";
import { reduce as reduceCallbacks } from "./reducer";
import type { PresenceEvent, PresenceState, Reduction } from "./types";

export { EMPTY_STATE, KICK_LIMIT, onlineSince, userStatus } from "./reducer";
export { applyObservation as observe, RECONCILED_REASON, type ObservationResult } from "./observation";
export { toSnapshot as snapshot, type PlatformSnapshot, type Snapshot } from "./snapshot";

/** Applies one validated callback to a user's state. */
export function reduce(state: PresenceState, event: PresenceEvent): Reduction {
  // Most users were never reconciled: the registers alone are the state shown.
  return state.reconcile === undefined ? reduceCallbacks(state, event) : reduceUnderObservations(state, event);
}
