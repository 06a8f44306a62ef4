// The history entry a reconcile correction writes: action "Reconcile", reason "Reconciled",
// at Q (the observation's time), on the first platform it changed.
import { RECONCILED_REASON } from "../presence/observation";
import type { Action, Effect, EpochMs, Observation, PresenceEvent } from "../presence/types";

export const RECONCILE_ACTION = "Reconcile";

export function reconcileEntry(
  observation: Observation,
  effects: readonly Effect[],
  receivedAt: EpochMs,
): PresenceEvent {
  const first = effects.find((e) => e.kind === "device.status_changed");
  return {
    action: RECONCILE_ACTION as Action,
    reason: RECONCILED_REASON,
    platform: first?.kind === "device.status_changed" ? first.platform : "Unknown",
    eventTime: observation.at,
    receivedAt,
    clientIp: null,
    kicked: [],
    customStatus: null,
  };
}
