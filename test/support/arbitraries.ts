import fc from "fast-check";
import type { ConnectionState, Observation, PresenceEvent } from "../../src/presence/types";

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

/** A reconcile answer at Q: a few platforms online or disconnected, the rest offline. */
export const observation: fc.Arbitrary<Observation> = fc
  .record({
    at: fc.integer({ min: 1, max: 8 }),
    listed: fc.uniqueArray(fc.tuple(platform, fc.constantFrom<ConnectionState>("online", "disconnected", "offline")), {
      maxLength: 3,
      selector: ([p]) => p,
    }),
  })
  .map(({ at, listed }) => ({ at, platforms: Object.fromEntries(listed) }));

export type Offered = { readonly callback: PresenceEvent } | { readonly observation: Observation };

/** Callbacks and reconcile answers mixed, and the same items in another order. */
export const mixItem: fc.Arbitrary<Offered> = fc.oneof(
  { weight: 3, arbitrary: presenceEvent.map((callback): Offered => ({ callback })) },
  { weight: 2, arbitrary: observation.map((o): Offered => ({ observation: o })) },
);

export const mixAndPermutation = fc
  .array(mixItem, { minLength: 1, maxLength: 16 })
  .chain((items) =>
    fc.tuple(fc.constant(items), fc.shuffledSubarray(items, { minLength: items.length, maxLength: items.length })),
  );
