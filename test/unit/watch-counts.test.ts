// A hub's side of live counts (src/watch/hub-counts.ts), with a fake totals object: a push that
// overtakes the totals object's answer is held and sent after it; a connection that does not
// watch the counts refuses pushes; a call that fails leaves a leftover for the release.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { CountsWatchAnswer } from "../../src/online/count-watchers";
import type { AppId } from "../../src/presence/types";
import { HubCounts, type TotalsLink } from "../../src/watch/hub-counts";
import { connectionOf, countsToRelease, storedOf, type Connection } from "../../src/watch/hub-state";
import { releaseStored } from "../../src/watch/unregister";
import { injectedFault } from "../support/expected-output";

afterEach(() => vi.restoreAllMocks());

const app = "1400000001" as AppId;
const HUB = "a".repeat(64);
const answer = (online: number) => ({ app, online, disconnected: 0, platforms: {}, asOf: 1 });
const push = (online: number) => JSON.stringify({ type: "counts", counts: answer(online) });

const connection = (): Connection =>
  connectionOf(
    { mode: "websocket", app, expiresAt: null, scope: null, key: "k", credential: "key:k", countsAllowed: true },
    0,
  );

/** A totals object whose answers the test releases when it wants. */
function fakeTotals() {
  const calls: string[] = [];
  let answerWith: (a: CountsWatchAnswer) => void = () => {};
  let failNext = false;
  const link: TotalsLink = {
    watch: (_app, hub) => {
      calls.push(`watch ${hub}`);
      return new Promise<CountsWatchAnswer>((resolve) => (answerWith = resolve));
    },
    unwatch: async (_app, hub) => {
      calls.push(`unwatch ${hub}`);
      if (failNext) throw injectedFault("totals unreachable");
    },
  };
  return { link, calls, answer: (a: CountsWatchAnswer) => answerWith(a), failUnwatch: () => (failNext = true) };
}

describe("a hub's live counts", () => {
  it("holds a push that overtakes the answer and sends it after the answer", async () => {
    const totals = fakeTotals();
    const counts = new HubCounts();
    const c = connection();
    expect(counts.deliver(c, push(1))).toBeNull(); // not watching yet: the totals object drops the hub
    const subscribed = counts.subscribe(totals.link, c, HUB);
    expect(counts.deliver(c, push(5))).toEqual([]); // held
    expect(counts.deliver(c, push(6))).toEqual([]); // the newest is kept
    totals.answer({ ok: true, counts: answer(4) as never });
    expect(await subscribed).toEqual({
      messages: [JSON.stringify({ type: "counts", counts: answer(4) }), push(6)],
      persist: true,
      error: null,
    });
    expect(counts.deliver(c, push(7))).toEqual([push(7)]); // from now on, at once
    expect(storedOf(c)).toMatchObject({ counts: true, countsLeftover: false });
  });

  it("a refusal leaves the connection as it was; a failed call leaves a leftover to release", async () => {
    vi.spyOn(console, "log").mockImplementation(() => {});
    const counts = new HubCounts();
    const c = connection();
    const refusing: TotalsLink = { watch: async () => ({ ok: false, message: "full" }), unwatch: async () => {} };
    expect(await counts.subscribe(refusing, c, HUB)).toEqual({
      messages: [],
      persist: false,
      error: "could not watch the app's counts: full",
    });
    expect([c.counts, c.countsLeftover]).toEqual([false, false]);

    const failing: TotalsLink = {
      watch: async () => {
        throw injectedFault("totals unreachable");
      },
      unwatch: async () => {},
    };
    expect(await counts.subscribe(failing, c, HUB)).toMatchObject({ persist: true, error: /did not answer/ });
    expect([c.counts, c.countsLeftover]).toEqual([false, true]);
    expect(countsToRelease(storedOf(c))).toBe(true);
  });

  it("unsubscribe unregisters; a failed call is kept as a leftover, and the release tries again", async () => {
    vi.spyOn(console, "log").mockImplementation(() => {});
    const totals = fakeTotals();
    const counts = new HubCounts();
    const c = connection();
    expect(await counts.unsubscribe(totals.link, c, HUB)).toBe(false); // not watching: nothing to do
    expect(totals.calls).toEqual([]);
    c.counts = true;
    totals.failUnwatch();
    expect(await counts.unsubscribe(totals.link, c, HUB)).toBe(true);
    expect([c.counts, c.countsLeftover]).toEqual([false, true]);

    // The release (no accounts here, so no user object is called) keeps what did not answer.
    const env = {} as Env;
    expect(await releaseStored(env, totals.link, HUB, storedOf(c))).toMatchObject({
      counts: false,
      countsLeftover: true,
    });
    const answering: TotalsLink = { ...totals.link, unwatch: async () => {} };
    expect(await releaseStored(env, answering, HUB, storedOf(c))).toBeNull();
    // A connection that never watched the counts does not call the totals object at all.
    expect(await releaseStored(env, totals.link, HUB, storedOf(connection()))).toBeNull();
    expect(totals.calls).toEqual([`unwatch ${HUB}`, `unwatch ${HUB}`]);
  });
});
