// The history entry a reconcile correction writes: action "Reconcile", reason "Reconciled",
// source "reconcile", at Q (the observation's time), on the first platform it changed.
import type { EntryInput } from "../user/history-store";
import { RECONCILED_REASON, userStatus } from "../presence";
import type { AppId, Effect, EpochMs, Observation, PresenceState } from "../presence/types";

export const RECONCILE_ACTION = "Reconcile";

export function reconcileEntry(observation: Observation, effects: readonly Effect[], receivedAt: EpochMs): EntryInput {
  const first = effects.find((e) => e.kind === "device.status_changed");
  return {
    eventTime: observation.at,
    receivedAt,
    action: RECONCILE_ACTION,
    reason: RECONCILED_REASON,
    platform: first?.kind === "device.status_changed" ? first.platform : "Unknown",
    clientIp: null,
    kicked: [],
    source: "reconcile",
    requestKey: null,
  };
}

/** The log line of a correction (always logged, like a rejected callback): no account, no secret. */
export function correctionLine(app: AppId, seq: number, entry: EntryInput, state: PresenceState) {
  return { msg: "reconcile correction", app, seq, platform: entry.platform, status: userStatus(state.platforms) };
}
