import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { reduce } from "../../src/presence/reducer";
import { eventsAndPermutation, presenceEvent } from "../support/arbitraries";
import { fold } from "../support/events";

// The whole state but `version`, which counts applied changes and so depends on order.
const finalView = (events: Parameters<typeof fold>[0]) => {
  return { ...fold(events), version: 0 };
};

describe("reducer properties", () => {
  it("any arrival order gives the same final state, every field but version", () => {
    fc.assert(
      fc.property(eventsAndPermutation, ([events, shuffled]) => {
        expect(finalView(shuffled)).toEqual(finalView(events));
      }),
      { numRuns: 2000 },
    );
  });

  it("a repeat changes nothing: a duplicate if the first delivery applied, else stale again", () => {
    fc.assert(
      fc.property(fc.array(presenceEvent, { maxLength: 15 }), presenceEvent, (before, event) => {
        const first = reduce(fold(before), event);
        const s = first.state;
        const again = reduce(s, event);
        expect(again.outcome).toBe(first.outcome === "stale" ? "stale" : "duplicate");
        expect(again.state).toBe(s);
        expect(again.effects).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });

  it("duplicated delivery anywhere in the stream leaves the final state as without it", () => {
    fc.assert(
      fc.property(
        eventsAndPermutation,
        fc.array(fc.nat(), { minLength: 1, maxLength: 10 }),
        ([events, shuffled], picks) => {
          const withRepeats = [...shuffled];
          for (const p of picks) withRepeats.splice(p % (withRepeats.length + 1), 0, events[p % events.length]!);
          expect(finalView(withRepeats)).toEqual(finalView(events));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("only applied events change state (a late leave moves only lastSeen); version counts them exactly", () => {
    fc.assert(
      fc.property(fc.array(presenceEvent, { maxLength: 25 }), (events) => {
        let state = fold([]);
        let applied = 0;
        for (const e of events) {
          const r = reduce(state, e);
          if (r.outcome === "applied") applied += 1;
          else expect({ ...r.state, lastSeen: state.lastSeen }).toEqual(state);
          if (r.outcome !== "applied") expect(r.effects).toEqual([]);
          state = r.state;
        }
        expect(state.version).toBe(applied);
      }),
      { numRuns: 500 },
    );
  });

  it("user status is online exactly when onlineSince is set", () => {
    fc.assert(
      fc.property(fc.array(presenceEvent, { maxLength: 25 }), (events) => {
        const s = fold(events);
        const online = Object.values(s.platforms).some((p) => p?.status === "online");
        expect(s.onlineSince !== null).toBe(online);
      }),
      { numRuns: 500 },
    );
  });
});
