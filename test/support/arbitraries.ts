import fc from "fast-check";
import type { PresenceEvent } from "../../src/presence/types";

// Few platforms, times and values, so that ties and collisions are common.
const platform = fc.constantFrom("iOS", "Android", "Windows", "Web") satisfies fc.Arbitrary<PresenceEvent["platform"]>;

export const presenceEvent: fc.Arbitrary<PresenceEvent> = fc
  .record({
    action: fc.constantFrom("Login", "Logout", "Disconnect", "CustomStatusChange"),
    platform,
    eventTime: fc.integer({ min: 1, max: 8 }),
    clientIp: fc.constantFrom(null, "1.1.1.1", "2.2.2.2"),
    kicked: fc.uniqueArray(platform, { maxLength: 3 }),
    customStatus: fc.constantFrom(null, "busy", "away"),
    reasonVariant: fc.boolean(),
  })
  .map(({ action, reasonVariant, kicked, customStatus, ...rest }) => ({
    ...rest,
    action,
    reason: {
      Login: "Register",
      Logout: "Unregister",
      Disconnect: reasonVariant ? "LinkClose" : "TimeOut",
      CustomStatusChange: "SetCustomStatus",
    }[action],
    receivedAt: 100,
    kicked: action === "Login" ? kicked : [],
    customStatus: action === "CustomStatusChange" ? customStatus : null,
  }));

export const eventsAndPermutation = fc
  .array(presenceEvent, { minLength: 1, maxLength: 25 })
  .chain((events) =>
    fc.tuple(fc.constant(events), fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length })),
  );
