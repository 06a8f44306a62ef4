// Faults: a Durable Object evicted between every step of a scenario (memory lost, storage
// kept) must end exactly where an object that was never evicted ends.
import { stubFor } from "../support/storage";
import { evictDurableObject } from "cloudflare:test";
import fc from "fast-check";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { apiFetch, getSnapshot, userPath } from "../support/api";
import { sendStateChange, type StateChangeFields } from "../support/callback";
import { MANY_REQUESTS_MS } from "../support/timeouts";

type Step = Omit<StateChangeFields, "account"> & { optPlatform: string };

async function view(account: string) {
  const snapshot = await getSnapshot(account);
  delete snapshot.account;
  const res = await apiFetch(`${userPath(account)}/events?limit=1000`);
  const { events } = (await res.json()) as { events: Record<string, unknown>[] };
  // receivedAt is the Worker clock at arrival: the one field two runs cannot share.
  return { snapshot, events: events.map(({ receivedAt: _r, ...e }) => e) };
}

async function run(account: string, steps: readonly Step[], evict: boolean): Promise<void> {
  for (const { optPlatform, ...fields } of steps) {
    const res = await sendStateChange({ ...fields, account }, { optPlatform });
    expect(res.status).toBe(200);
    if (evict) await evictDurableObject(stubFor(account));
  }
}

const T = Date.now() - 3_600_000;
const step = fc.record({
  action: fc.constantFrom("Login", "Logout", "Disconnect", "CustomStatusChange"),
  optPlatform: fc.constantFrom("IOS", "Android", "Windows", "Web"),
  eventTime: fc.integer({ min: 0, max: 12 }).map((n) => T + n * 1000),
  kicked: fc.subarray(["iOS", "Android", "Windows", "Mac"]),
  customStatus: fc.constantFrom("", "busy", "away"),
});

let users = 0;

describe("faults: eviction between steps", () => {
  beforeAll(() => {
    vi.spyOn(console, "log").mockImplementation(() => {});
  });

  it("a scripted day (logins, kicks, stale and duplicate events, custom status) survives eviction", async () => {
    const script: Step[] = [
      { action: "Login", optPlatform: "IOS", eventTime: T },
      { action: "Login", optPlatform: "Windows", eventTime: T + 10, kicked: ["iOS"] },
      { action: "Login", optPlatform: "Windows", eventTime: T + 10, kicked: ["iOS"] }, // duplicate
      { action: "Logout", optPlatform: "IOS", eventTime: T + 5 }, // stale
      { action: "CustomStatusChange", optPlatform: "Web", eventTime: T + 20, customStatus: "busy" },
      { action: "Disconnect", optPlatform: "Windows", eventTime: T + 30, reason: "TimeOut" },
      { action: "Login", optPlatform: "Android", eventTime: T + 40 },
      { action: "CustomStatusChange", optPlatform: "Web", eventTime: T + 50, customStatus: "" },
      { action: "Logout", optPlatform: "Android", eventTime: T + 60 },
    ];
    await run("day-evicted", script, true);
    await run("day-kept", script, false);
    const evicted = await view("day-evicted");
    expect(evicted).toEqual(await view("day-kept"));
    expect(evicted.snapshot).toMatchObject({ status: "disconnected", customStatus: null, version: 7 });
    expect(evicted.events.map((e) => e.outcome)).toContain("stale");
    expect(evicted.events.map((e) => e.outcome)).toContain("duplicate");
  });

  it(
    "random scenarios end in the same snapshot and history with or without eviction",
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
          const n = ++users;
          await run(`evicted-${n}`, steps as Step[], true);
          await run(`kept-${n}`, steps as Step[], false);
          expect(await view(`evicted-${n}`)).toEqual(await view(`kept-${n}`));
        }),
        { numRuns: 25 },
      );
      // Up to 24 callbacks and 12 evictions per run, 25 runs.
    },
    MANY_REQUESTS_MS,
  );

  it(
    "history past HISTORY_LIMIT is the same with or without eviction",
    async () => {
      const steps: Step[] = Array.from({ length: 45 }, (_, i) => ({
        action: i % 2 === 0 ? "Login" : "Logout",
        optPlatform: ["IOS", "Android", "Web"][i % 3]!,
        eventTime: T + i,
      }));
      await run("long-evicted", steps, true);
      await run("long-kept", steps, false);
      const evicted = await view("long-evicted");
      expect(evicted).toEqual(await view("long-kept"));
      expect(evicted.events.map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => 45 - i));
      // 90 callbacks and 45 evictions.
    },
    MANY_REQUESTS_MS,
  );
});
