import fc from "fast-check";
import { isDeepStrictEqual } from "node:util";
import { describe, expect, it } from "vitest";
import { reduce } from "../../src/presence/reducer";
import * as core from "../../src/presence";
import type { Observation, PresenceState } from "../../src/presence/types";
import { eventsAndPermutation, mixAndPermutation, mixItem, presenceEvent } from "../support/arbitraries";
import { fold, foldMixed } from "../support/events";

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

// Mixes of callbacks and reconcile answers (observations at Q), through the front door's reduce and
// observe: the same invariant, now over both kinds of input.
const shown = (s: PresenceState) => ({
  ...s,
  version: 0,
  reconcile: undefined,
  observations: s.reconcile?.observations ?? [],
});

const hidden = (s: PresenceState) => ({ ...shown(s), observations: [] });

describe("reducer properties with reconcile answers", () => {
  it("any arrival order of callbacks and answers gives the same state, every field but version", () => {
    fc.assert(
      fc.property(mixAndPermutation, ([items, shuffled]) => {
        expect(shown(foldMixed(shuffled))).toEqual(shown(foldMixed(items)));
      }),
      { numRuns: 3000 },
    );
  });

  it("an answer that agrees with what is shown changes nothing shown, publishes nothing, also after a reload", () => {
    fc.assert(
      fc.property(
        fc.array(mixItem, { maxLength: 12 }),
        fc.integer({ min: 9, max: 12 }),
        fc.boolean(),
        (items, at, reload) => {
          const folded = foldMixed(items);
          // The shell loads a user from its history row's JSON after an eviction.
          const s = reload ? (JSON.parse(JSON.stringify(folded)) as PresenceState) : folded;
          const agreeing: Observation = {
            at,
            platforms: Object.fromEntries(
              Object.entries(s.platforms).flatMap(([p, v]) => (v && v.status !== "offline" ? [[p, v.status]] : [])),
            ),
          };
          const r = core.observe(s, agreeing);
          expect(r.changed).toBe(false);
          expect(r.effects).toEqual([]);
          expect(hidden(r.state)).toEqual(hidden(s));
          expect(r.state.version).toBe(s.version);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("a callback is applied exactly when something shown moved (lastSeen aside), an answer changed exactly when anything shown moved; version counts both", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(mixItem, fc.boolean()), { maxLength: 20 }), (steps) => {
        let state = foldMixed([]);
        let changes = 0;
        for (const [item, reload] of steps) {
          // The shell loads a user from its history row's JSON after an eviction.
          if (reload) state = JSON.parse(JSON.stringify(state)) as PresenceState;
          if ("callback" in item) {
            const r = core.reduce(state, item.callback);
            // As in the reducer, a late leave moves lastSeen and is still stale (SPEC §3: what
            // users see decides the outcome, so a change hidden by a newer answer is stale too).
            const moved = !isDeepStrictEqual(
              { ...hidden(r.state), lastSeen: null },
              { ...hidden(state), lastSeen: null },
            );
            expect(r.outcome === "applied").toBe(moved);
            if (r.outcome === "applied") changes += 1;
            else expect(r.effects).toEqual([]);
            state = r.state;
          } else {
            const r = core.observe(state, item.observation);
            const moved = !isDeepStrictEqual(hidden(r.state), hidden(state));
            expect(r.changed).toBe(moved);
            if (r.changed) changes += 1;
            else expect(r.effects).toEqual([]);
            const again = core.observe(r.state, item.observation);
            expect(again.state).toBe(r.state);
            expect(again.changed).toBe(false);
            state = r.state;
          }
        }
        expect(state.version).toBe(changes);
        const online = Object.values(state.platforms).some((p) => p?.status === "online");
        expect(state.onlineSince !== null).toBe(online);
      }),
      { numRuns: 1000 },
    );
  });

  it("without answers, the front door's reduce is the reducer itself", () => {
    fc.assert(
      fc.property(fc.array(presenceEvent, { maxLength: 15 }), (events) => {
        expect(foldMixed(events.map((callback) => ({ callback })))).toEqual(fold(events));
      }),
      { numRuns: 300 },
    );
  });
});
