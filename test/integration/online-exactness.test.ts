// SPEC §12, exact: once callbacks stop, the counts per status and platform equal what the users'
// own snapshots say, and the list walk returns exactly the users whose snapshots are online, each
// once, whatever came before: callbacks out of order, duplicates, kicks, reconcile corrections,
// erasures, and user and shard objects restarted in between (memory lost, storage kept).
//
// Alone in its file: the app's whole index is compared with the users this test made.
import fc from "fast-check";
import { expect, it, vi } from "vitest";
import type { AccountId, AppId, ConnectionState, Platform } from "../../src/presence/types";
import { apiFetch, getSnapshot, userPath } from "../support/api";
import { TEST_APP } from "../support/bindings";
import { sendStateChange } from "../support/callback";
import { listAll, onlineCounts, restart, settleAll, shardAt, SHARDS } from "../support/online";
import { stubFor } from "../support/storage";
import { MANY_REQUESTS_MS } from "../support/timeouts";

const USERS = 300;
const OPERATIONS = 3000;
const PLATFORMS = ["iOS", "Android", "Windows", "Web", "Mac"] as const satisfies readonly Platform[];
const OPT_PLATFORM: Record<(typeof PLATFORMS)[number], string> = {
  iOS: "IOS",
  Android: "Android",
  Windows: "Windows",
  Web: "Web",
  Mac: "Mac",
};

const user = fc.integer({ min: 0, max: USERS - 1 });
const platform = fc.constantFrom(...PLATFORMS);
// Few distinct times, so that reordering, ties and stale callbacks are common.
const time = fc.integer({ min: 0, max: 60 });

const operation = fc.oneof(
  {
    weight: 60,
    arbitrary: fc.record({
      kind: fc.constant("callback" as const),
      user,
      action: fc.constantFrom("Login", "Login", "Logout", "Disconnect", "CustomStatusChange"),
      platform,
      time,
      kicked: fc.subarray([...PLATFORMS], { maxLength: 2 }),
    }),
  },
  { weight: 10, arbitrary: fc.record({ kind: fc.constant("repeat" as const), user }) },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant("observe" as const),
      user,
      time,
      platforms: fc.dictionary(platform, fc.constantFrom<ConnectionState>("online", "disconnected"), {
        maxKeys: 2,
        noNullPrototype: true, // crosses RPC: a plain object
      }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("erase" as const), user }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("restart-user" as const), user }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("restart-shard" as const), shard: fc.nat(SHARDS - 1) }) },
);

it(
  "after thousands of random callbacks, corrections, erasures and restarts, counts and list equal the snapshots",
  async () => {
    vi.spyOn(console, "log").mockImplementation(() => {});
    const seed = Date.now() % 2_147_483_647;
    const why = `fast-check seed ${seed}`;
    const [ops] = fc.sample(fc.array(operation, { minLength: OPERATIONS, maxLength: OPERATIONS }), {
      seed,
      numRuns: 1,
    });
    const base = Date.now() - 600_000;
    const account = (i: number) => `exact-${i}`;
    const sent = new Map<number, { fields: Parameters<typeof sendStateChange>[0]; optPlatform: string }[]>();
    const touched = new Set<string>();

    for (const op of ops!) {
      if (op.kind === "callback" || op.kind === "repeat") {
        let call: { fields: Parameters<typeof sendStateChange>[0]; optPlatform: string } | undefined;
        if (op.kind === "callback") {
          call = {
            fields: {
              account: account(op.user),
              action: op.action,
              eventTime: base + op.time * 1000,
              ...(op.action === "Login" ? { kicked: op.kicked.filter((p) => p !== op.platform) } : {}),
              ...(op.action === "CustomStatusChange" ? { customStatus: "busy" } : {}),
            },
            optPlatform: OPT_PLATFORM[op.platform],
          };
          sent.set(op.user, [...(sent.get(op.user) ?? []), call]);
        } else {
          const earlier = sent.get(op.user) ?? [];
          call = earlier[(op.user * 7919) % Math.max(earlier.length, 1)];
          if (call === undefined) continue;
        }
        touched.add(call.fields.account);
        const res = await sendStateChange(call.fields, { optPlatform: call.optPlatform });
        expect(res.status, why).toBe(200);
      } else if (op.kind === "observe") {
        touched.add(account(op.user));
        await stubFor(account(op.user)).applyObservation(TEST_APP as AppId, account(op.user) as AccountId, {
          at: base + op.time * 1000 + 500,
          platforms: op.platforms,
        });
      } else if (op.kind === "erase") {
        const res = await apiFetch(userPath(account(op.user)), { method: "DELETE" });
        expect(res.status, why).toBe(204);
      } else if (op.kind === "restart-user") {
        await restart(stubFor(account(op.user)));
      } else {
        await restart(shardAt(op.shard));
      }
    }

    // Callbacks have stopped: every user's object loads (a restarted one checks its stored key) and
    // its shard gets what it did not acknowledge.
    const accounts = [...touched].sort();
    await settleAll(accounts);

    const expected = { platforms: {} as Record<string, number> };
    const online = new Set<string>();
    const disconnected = new Set<string>();
    const onMac = new Set<string>();
    for (const a of accounts) {
      const snapshot = await getSnapshot(a);
      if (snapshot.status === "online") online.add(a);
      if (snapshot.status === "disconnected") disconnected.add(a);
      for (const [p, state] of Object.entries(snapshot.platforms as Record<string, { status: string }>)) {
        if (state.status !== "online") continue;
        expected.platforms[p] = (expected.platforms[p] ?? 0) + 1;
        if (p === "Mac") onMac.add(a);
      }
    }
    expect(online.size, why).toBeGreaterThan(0);
    expect(disconnected.size, why).toBeGreaterThan(0);

    const counts = await onlineCounts();
    expect({ online: counts.online, disconnected: counts.disconnected }, why).toEqual({
      online: online.size,
      disconnected: disconnected.size,
    });
    for (const [p, n] of Object.entries(counts.platforms)) expect(n, `${why}: ${p}`).toBe(expected.platforms[p] ?? 0);

    // Small pages, so that the walk crosses shard boundaries and resumes inside shards.
    const walked = await listAll({ limit: "37" });
    expect(walked.map((u) => u.account).sort(), why).toEqual([...online].sort());
    const any = (await listAll({ status: "any", limit: "1000" })).map((u) => u.account);
    expect(new Set(any).size, why).toBe(any.length);
    expect(any.sort(), why).toEqual([...online, ...disconnected].sort());
    expect((await listAll({ status: "disconnected", limit: "5" })).map((u) => u.account).sort(), why).toEqual(
      [...disconnected].sort(),
    );
    expect((await listAll({ platform: "Mac" })).map((u) => u.account).sort(), why).toEqual([...onMac].sort());
  },
  // 3 000 operations through the Worker (callbacks, reads, restarts), then a read per user:
  // seconds on a quiet machine, several times that with both cores busy.
  MANY_REQUESTS_MS,
);
