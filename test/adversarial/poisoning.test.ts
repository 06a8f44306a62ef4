// Storage poisoning: events that try to freeze a platform, invent platforms, or grow a
// user's storage without bound.
import { stubFor } from "../support/storage";
import { runInDurableObject } from "cloudflare:test";
import fc from "fast-check";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { KICK_LIMIT } from "../../src/presence/reducer";
import { PLATFORMS } from "../../src/presence/types";
import { apiFetch, getSnapshot, userPath } from "../support/api";
import { postCallback, sendStateChange } from "../support/callback";
import { MANY_REQUESTS_MS } from "../support/timeouts";

const HISTORY_LIMIT = 20; // test/support/bindings.ts

async function events(account: string): Promise<Record<string, any>[]> {
  const res = await apiFetch(`${userPath(account)}/events?limit=1000`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { events: Record<string, any>[] }).events;
}

async function storedRows(account: string): Promise<{ history: number; stateBytes: number }> {
  return runInDurableObject(stubFor(account), (_instance, state) => ({
    history: state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM history").one().n,
    stateBytes: state.storage.sql
      .exec<{ n: number }>("SELECT length(state_after) AS n FROM history ORDER BY seq DESC LIMIT 1")
      .one().n,
  }));
}

beforeAll(() => {
  vi.spyOn(console, "log").mockImplementation(() => {});
});
afterEach(() => {
  vi.useRealTimers();
});

describe("poisoning: EventTime in the future", () => {
  it("an EventTime far in the future is a 400 and cannot freeze a platform", async () => {
    const now = Date.now();
    expect((await sendStateChange({ account: "frozen", action: "Login", eventTime: now - 10_000 })).status).toBe(200);
    for (const ahead of [5 * 60_000 + 1_000, 86_400_000, 100 * 365 * 86_400_000, Number.MAX_SAFE_INTEGER - now]) {
      const res = await sendStateChange({ account: "frozen", action: "Login", eventTime: now + ahead });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { ErrorInfo: string }).ErrorInfo).toMatch(/^EventTime/);
    }
    expect((await sendStateChange({ account: "frozen", action: "Logout", eventTime: now })).status).toBe(200);
    const snap = await getSnapshot("frozen");
    expect(snap.platforms.iOS).toMatchObject({ status: "offline", since: now });
    expect(snap.updatedAt).toBe(now);
    expect((await events("frozen")).length).toBe(2);
  });

  it("an EventTime inside the 5-minute allowance holds a platform for at most those 5 minutes", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const now = Date.now();
    const ahead = now + 5 * 60_000 - 1_000;
    expect((await sendStateChange({ account: "skewed", action: "Login", eventTime: ahead })).status).toBe(200);
    // Until the clock passes that EventTime, older events are stale: the bound is 5 minutes.
    await sendStateChange({ account: "skewed", action: "Logout", eventTime: now + 1_000 });
    expect((await getSnapshot("skewed")).platforms.iOS.status).toBe("online");
    vi.setSystemTime(now + 5 * 60_000);
    await sendStateChange({ account: "skewed", action: "Logout", eventTime: Date.now() });
    expect((await getSnapshot("skewed")).platforms.iOS.status).toBe("offline");
  });
});

describe("poisoning: invented platforms", () => {
  it(
    "a flood of invented platform names collapses to the canonical set",
    async () => {
      const names = fc.sample(
        fc.oneof(
          fc.string({ maxLength: 32 }),
          fc.constantFrom("IOS", "ios", " iOS ", "macOS", "MAC", "linux", "restapi"),
        ),
        { numRuns: 150, seed: 42 },
      );
      let t = Date.now() - 1_000_000;
      for (let i = 0; i < names.length; i += 1) {
        const res = await sendStateChange(
          {
            account: "flood",
            action: i % 3 === 2 ? "Disconnect" : "Login",
            eventTime: (t += 10),
            kicked: names.slice(i, i + 16),
          },
          { optPlatform: names[i]! },
        );
        expect(res.status).toBe(200);
      }
      const snap = await getSnapshot("flood");
      const canonical: readonly string[] = PLATFORMS;
      for (const p of Object.keys(snap.platforms)) expect(canonical).toContain(p);
      expect(Object.keys(snap.platforms).length).toBeLessThanOrEqual(PLATFORMS.length);
      expect(snap.platforms.Unknown).toBeDefined();
      for (const k of snap.kicks) {
        expect(canonical).toContain(k.platform);
        expect(canonical).toContain(k.by);
      }
      for (const e of await events("flood")) {
        expect(canonical).toContain(e.platform);
        for (const k of e.kicked) expect(canonical).toContain(k);
      }
      // 150 callbacks.
    },
    MANY_REQUESTS_MS,
  );

  it("a kick of iOS hits the platform OptPlatform=IOS logged in, whatever the case", async () => {
    const t = Date.now() - 10_000;
    await sendStateChange({ account: "ios-kick", action: "Login", eventTime: t }, { optPlatform: "IOS" });
    await sendStateChange(
      { account: "ios-kick", action: "Login", eventTime: t + 1, kicked: ["ios"] },
      { optPlatform: "Android" },
    );
    const snap = await getSnapshot("ios-kick");
    expect(Object.keys(snap.platforms).sort()).toEqual(["Android", "iOS"]);
    expect(snap.platforms.iOS).toMatchObject({ status: "offline", reason: "Kicked" });
  });
});

describe("poisoning: bounded storage per user", () => {
  it(
    "history, kick list and the state row stay bounded however many callbacks arrive",
    async () => {
      const platforms = ["iOS", "Android", "Windows", "Mac", "Web", "iPad", "Linux"];
      let t = Date.now() - 1_000_000;
      for (let i = 0; i < 120; i += 1) {
        const res = await sendStateChange(
          {
            account: "bounded",
            action: "Login",
            reason: "R".repeat(64),
            eventTime: (t += 100),
            kicked: platforms.filter((p) => p !== platforms[i % platforms.length]),
          },
          { optPlatform: platforms[i % platforms.length]!, clientIp: "2001:db8::".padEnd(64, "f") },
        );
        expect(res.status).toBe(200);
        await sendStateChange({
          account: "bounded",
          action: "CustomStatusChange",
          eventTime: t + 1,
          customStatus: "s".repeat(256),
        });
      }
      const snap = await getSnapshot("bounded");
      expect(snap.version).toBe(240);
      expect(snap.kicks.length).toBe(KICK_LIMIT);
      expect((await events("bounded")).length).toBe(HISTORY_LIMIT);
      const rows = await storedRows("bounded");
      expect(rows.history).toBe(HISTORY_LIMIT);
      // 7 platforms, 20 kicks, 256-character status: a few KiB, not growing with traffic.
      expect(rows.stateBytes).toBeLessThan(8 * 1024);
      // 120 callbacks.
    },
    MANY_REQUESTS_MS,
  );

  it("free text with lone surrogates is stored as the same text in the state and the history", async () => {
    const res = await sendStateChange({
      account: "wtf16",
      action: "Login",
      reason: "x\ud800y",
      eventTime: Date.now() - 5,
    });
    expect(res.status).toBe(200);
    const [entry] = await events("wtf16");
    expect(entry!.reason).toBe("x\ufffdy");
    expect((await getSnapshot("wtf16")).platforms.iOS.reason).toBe("x\ufffdy");
  });

  it("a ClientIP longer than 64 characters is a 400 and stores nothing", async () => {
    const res = await postCallback(
      { Info: { Action: "Login", To_Account: "long-ip", Reason: "Register" } },
      { clientIp: "1".repeat(65) },
    );
    expect(res.status).toBe(400);
    expect((await getSnapshot("long-ip")).status).toBe("unknown");
  });
});
