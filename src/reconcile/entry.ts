// The history entry a reconcile correction writes: action "Reconcile", reason "Reconciled",
// source "reconcile", at Q (the observation's time), on the first platform it changed.
import type { EntryInput } from "../user/history-store";
import { RECONCILED_REASON, userStatus } from "../presence";
import type { AccountId, AppId, Effect, EpochMs, Observation, PresenceState } from "../presence/types";

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

/**
 * The log line of a correction (always logged, like a rejected callback). It names the account,
 * so that an operator can look the user up; nothing of the app's key or UserSig is in reach here.
 */
export function correctionLine(app: AppId, account: AccountId, seq: number, entry: EntryInput, state: PresenceState) {
  return {
    msg: "reconcile correction",
    app,
    account,
    seq,
    platform: entry.platform,
    status: userStatus(state.platforms),
  };
}
