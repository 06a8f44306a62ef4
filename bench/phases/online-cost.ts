// Who is online: what the index costs per callback, and what one shard takes.
//
// Cost (SPEC §11): callbacks of each kind sent one at a time to users of their own, with the
// runtime's counters read before and after: the user object's rows written and its requests to
// the index (storageUsage()), the rows written by the user's shard, and over all of it the rows
// written by the app's totals object (counts over time: at most three a minute, none per
// callback). A send to the shard leaves after the callback's 200, so after a callback that sent
// one the shard's counter is polled until it moved.
//
// Capacity: a Worker of its own with ONLINE_INDEX_SHARDS=1, so that every transition of the app
// goes to one shard, under the heaviest steady load (the largest connection count, Login/Logout:
// every callback a transition): the rate the shard applies, and whether it keeps up (its rows
// stop moving as soon as the load stops, and every transition was applied or coalesced away by
// the user objects). Then the shard's own rate, with update() driven straight at a second shard
// and nothing else running.

import { runLoad } from "../lib/load.ts";
import { measure, post } from "../lib/phase.ts";
import { APP, CALLBACK_TOKEN, PE_BINDINGS, log, type OnlineProfile, type Profile } from "../lib/settings.ts";
import { fmt } from "../lib/format.ts";
import type { BuildInfo } from "../lib/build.ts";
import type { Req } from "../lib/load.ts";
import { startTarget, type Target } from "../lib/targets.ts";
import { CallbackWorkload } from "../lib/workload.ts";
import { shardName, shardOf, totalsName } from "../../src/online/shard.ts";
import type { AppId } from "../../src/presence/types.ts";
import { pollUntil, settledRows, usageOf } from "./online-http.ts";

/** Rows and requests per callback of one kind, averaged over its users. */
export interface IndexProbe {
  kind: string;
  /** Whether the callback changes the user's status or online platforms (SPEC §12). */
  transition: boolean;
  n: number;
  statuses: number[];
  /** Rows written by the user's own object (its history row, as without the index). */
  userRows: number | null;
  /** Requests the user's object made to the index (storageUsage().indexRequests). */
  indexRequests: number | null;
  /** Rows written by the user's shard. */
  shardRows: number | null;
}

export interface IndexCost {
  probes: IndexProbe[];
  /**
   * Rows written by the app's totals object while the probes ran (its one-time table creation
   * apart, in `setupRowsWritten`: a first stored minute may fall in the window), and the minutes
   * they spanned.
   */
  totals: { rowsWritten: number | null; setupRowsWritten: number | null; minutes: number };
}

const KINDS: { kind: string; transition: boolean; make: (w: CallbackWorkload, i: number) => Req }[] = [
  { kind: "first touch (Login)", transition: true, make: (w, i) => w.appliedFor(i) },
  { kind: "second Login, same platform", transition: false, make: (w, i) => w.appliedFor(i) },
  { kind: "custom status", transition: false, make: (w, i) => w.customStatusFor(i, "busy") },
  { kind: "duplicate", transition: false, make: (w, i) => w.duplicate(i) },
  { kind: "stale", transition: false, make: (w, i) => w.staleFor(i) },
  { kind: "Logout", transition: true, make: (w, i) => w.appliedFor(i) },
  { kind: "Login", transition: true, make: (w, i) => w.appliedFor(i) },
];

const accountOf = (req: Req) => (JSON.parse(req.body) as { Info: { To_Account: string } }).Info.To_Account;
const minuteOf = (ms: number) => Math.floor(ms / 60_000);

export async function indexCostProbes(pe: Target, profile: Profile, shards: number): Promise<IndexCost> {
  const n = profile.probeEach;
  const w = new CallbackWorkload({ app: APP, token: CALLBACK_TOKEN, users: n, prefix: "index-cost" });
  // Login, Login, Logout: the second Login of a platform already online changes nothing.
  w.useMix("login-login-logout");
  const totals = totalsName(APP as AppId, shards);
  const totals0 = await usageOf(pe, totals, "totals").catch(() => null);
  const started = Date.now();
  const probes: IndexProbe[] = [];
  for (const k of KINDS) {
    let userRows = 0;
    let requests = 0;
    let shardRows = 0;
    let counted = 0;
    const statuses = new Set<number>();
    for (let i = 0; i < n; i++) {
      const req = k.make(w, i);
      const account = accountOf(req);
      const shard = shardName(APP as AppId, shards, shardOf(account, shards));
      const user0 = await usageOf(pe, `${APP}:${account}`, "user");
      const shard0 = await usageOf(pe, shard, "shard");
      const res = await post(pe.url, req);
      await res.arrayBuffer();
      statuses.add(res.status);
      const user1 = await usageOf(pe, `${APP}:${account}`, "user");
      const sent = (user1.indexRequests ?? 0) - (user0.indexRequests ?? 0);
      // The send leaves after the 200: wait for the shard to have it (one row), or 5 s.
      const moved =
        sent > 0
          ? await pollUntil(async () => {
              const u = await usageOf(pe, shard, "shard");
              return u.rowsWritten! > shard0.rowsWritten! ? u : null;
            }, 5_000)
          : null;
      const shard1 = moved ?? (await usageOf(pe, shard, "shard"));
      const deltas = [user1.rowsWritten! - user0.rowsWritten!, sent, shard1.rowsWritten! - shard0.rowsWritten!];
      // A counter that went down belongs to a restarted instance: that callback is not counted.
      if (deltas.some((d) => !Number.isFinite(d) || d < 0)) continue;
      userRows += deltas[0]!;
      requests += deltas[1]!;
      shardRows += deltas[2]!;
      counted++;
    }
    const per = (v: number) => (counted === n ? v / n : null);
    probes.push({
      kind: k.kind,
      transition: k.transition,
      n,
      statuses: [...statuses],
      userRows: per(userRows),
      indexRequests: per(requests),
      shardRows: per(shardRows),
    });
  }
  const totals1 = await usageOf(pe, totals, "totals").catch(() => null);
  const cost: IndexCost = {
    probes,
    totals: {
      rowsWritten:
        totals0 && totals1
          ? totals1.rowsWritten! - totals0.rowsWritten! - (totals1.setupRowsWritten! - totals0.setupRowsWritten!)
          : null,
      setupRowsWritten: totals0 && totals1 ? totals1.setupRowsWritten! - totals0.setupRowsWritten! : null,
      minutes: minuteOf(Date.now()) - minuteOf(started) + 1,
    },
  };
  log(
    `  online: per callback, ${probes.map((p) => `${p.kind}: ${fmt(p.indexRequests, 2)} index requests, ${fmt(p.shardRows, 2)} shard rows`).join("; ")};` +
      ` the totals object wrote ${fmt(cost.totals.rowsWritten, 0)} rows in ${cost.totals.minutes} minute(s)` +
      ` (and ${fmt(cost.totals.setupRowsWritten, 0)} creating its tables, once)`,
  );
  return cost;
}

export interface ShardCapacity {
  problem: string | null;
  connections: number;
  seconds: number;
  /** Callbacks a second the Worker took, each a transition. */
  transitionsPerSecond: number;
  transitions: number;
  /** Rows the one shard wrote a second during the load: updates applied. */
  appliedPerSecond: number;
  /**
   * Applied in all, once its rows stopped moving after the load: the transitions answered, and
   * those still in flight when the load stopped, less what the user objects coalesced.
   */
  applied: number;
  /** How long after the load the shard's rows last moved (to 0.1 s). */
  drainMs: number;
  /** The shard alone: update() calls a second, driven straight at it. */
  direct: { calls: number; concurrency: number; ms: number; perSecond: number } | null;
}

export async function shardCapacity(profile: Profile, build: BuildInfo, o: OnlineProfile): Promise<ShardCapacity> {
  const pe = await startTarget({
    kind: "presence-edge",
    placement: "tmpfs",
    build,
    bindings: { ...PE_BINDINGS, ONLINE_INDEX_SHARDS: "1" },
    labelSuffix: "+1shard",
  });
  try {
    const shard = shardName(APP as AppId, 1, 0);
    const c = Math.max(...profile.connections);
    const w = new CallbackWorkload({ app: APP, token: CALLBACK_TOKEN, users: profile.users, prefix: "capacity" });
    w.useMix("login-logout");
    await runLoad({ url: pe.url, connections: c, amount: profile.users, next: () => w.precreate() });
    const before = await settledRows(pe, [shard], 30_000);
    const phase = await measure(pe, `online: 1 shard, steady c${c}`, {
      url: pe.url,
      connections: c,
      duration: profile.steadySec,
      next: () => w.applied(),
    });
    const atEnd = (await usageOf(pe, shard, "shard")).rowsWritten!;
    const after = await settledRows(pe, [shard], 60_000);
    // The shard alone: another shard of another app, so the first one's rows stay as they are.
    const calls = o.driveCalls;
    const drive = await fetch(
      `${pe.usageUrl}/drive?of=shard&name=${encodeURIComponent(shardName("1400000009" as AppId, 1, 0))}&n=${calls}&concurrency=${c}`,
      { signal: AbortSignal.timeout(120_000) },
    );
    const driven = drive.ok ? ((await drive.json()) as { n: number; ms: number }) : null;
    const cap: ShardCapacity = {
      problem: after.settled ? null : "the one shard kept writing 60 s after the load stopped",
      connections: c,
      seconds: phase.seconds,
      transitionsPerSecond: phase.rps,
      transitions: phase.ok,
      appliedPerSecond: (atEnd - before.rows) / phase.seconds,
      applied: after.rows - before.rows,
      drainMs: after.lastMoveMs,
      direct: driven
        ? { calls: driven.n, concurrency: c, ms: driven.ms, perSecond: driven.n / (driven.ms / 1000) }
        : null,
    };
    if (!driven) cap.problem = `driving the shard answered HTTP ${drive.status}: ${(await drive.text()).slice(0, 200)}`;
    log(
      `  online: 1 shard under ${fmt(cap.transitionsPerSecond, 0)} transitions/s: applied ${fmt(cap.appliedPerSecond, 0)}/s,` +
        ` ${cap.applied} for ${cap.transitions} transitions answered, its rows still moving ${fmt(cap.drainMs, 0)} ms after the load;` +
        ` driven alone ${fmt(cap.direct?.perSecond, 0)} updates/s (${cap.direct?.calls} calls, ${c} at a time)`,
    );
    return cap;
  } finally {
    await pe.dispose();
  }
}
