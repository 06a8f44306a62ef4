import * as core from "../../src/presence";
import { EMPTY_STATE, reduce } from "../../src/presence/reducer";
import type { Offered } from "./arbitraries";
import type { PresenceEvent, PresenceState } from "../../src/presence/types";

/** A domain event with sensible defaults: a Login on iOS at t=1000. */
export function ev(fields: Partial<PresenceEvent>): PresenceEvent {
  return {
    action: "Login",
    reason: "Register",
    platform: "iOS",
    eventTime: 1000,
    receivedAt: fields.eventTime ?? 1000,
    clientIp: null,
    kicked: [],
    customStatus: null,
    ...fields,
  };
}

export function fold(events: readonly PresenceEvent[], from: PresenceState = EMPTY_STATE): PresenceState {
  return events.reduce((state, event) => reduce(state, event).state, from);
}

/** Folds callbacks and reconcile answers, in the order given, through the core's front door. */
export function foldMixed(items: readonly Offered[], from: PresenceState = EMPTY_STATE): PresenceState {
  return items.reduce(
    (state, item) =>
      "callback" in item ? core.reduce(state, item.callback).state : core.observe(state, item.observation).state,
    from,
  );
}
