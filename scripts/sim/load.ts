// load: many users, many callbacks in flight, then every user's presence read back.
import { isConnectionRefused, unreachable } from "../lib/cli.ts";
import { queryPresence, sendCallback, theWorker, type Action, type StateEvent } from "../lib/tencent-client.ts";
import type { Options } from "./options.ts";
import { describe, problems, showUser, sleep, standin, type Snapshot } from "./output.ts";

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function runLoad(options: Options): Promise<void> {
  const opts = { ...options, users: options.users ?? 100 };
  const prefix = opts.user ?? `sim-load-${Date.now().toString(36)}`;
  const total = opts.users * opts.events;
  const cycle: { action: Action; reason?: string }[] = [
    { action: "Login" },
    { action: "Disconnect", reason: "LinkClose" },
    { action: "Login" },
    { action: "Logout" },
  ];
  const platforms = ["IOS", "Android", "Web", "Windows", "Mac"];
  const start = Date.now() - total; // one EventTime millisecond per callback, ending now
  // Interleave users so that consecutive callbacks hit different objects, as in production.
  const jobs: StateEvent[] = [];
  for (let k = 0; k < opts.events; k++) {
    for (let u = 0; u < opts.users; u++) {
      const step = cycle[k % cycle.length]!;
      jobs.push({
        account: `${prefix}-u${u}`,
        action: step.action,
        reason: step.reason,
        platform: platforms[u % platforms.length]!,
        clientIp: `10.0.${(u >> 8) & 255}.${u & 255}`,
        eventTime: start + jobs.length,
      });
    }
  }
  console.log(
    `load: ${opts.users} users × ${opts.events} events = ${total} callbacks, ${opts.concurrency} in flight → ${opts.callback.url}`,
  );
  const latencies: number[] = [];
  const byStatus = new Map<number, number>();
  let next = 0;
  const began = performance.now();
  // Per user, events are sent in EventTime order (a user's k-th event is only sent once its
  // (k-1)-th was answered), so the final state is the last event of each user's cycle.
  const perUserDone: number[] = new Array(opts.users).fill(0);
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      const e = jobs[i]!;
      const u = i % opts.users;
      const k = Math.floor(i / opts.users);
      while (perUserDone[u]! < k) await sleep(1);
      // A Worker that is not running stops the run with one line; any other failure is counted.
      const r = await sendCallback(opts.callback, e).catch((err: unknown) => {
        if (isConnectionRefused(err)) throw unreachable(theWorker(opts.callback.url), err);
        console.error(`  ! ${e.account} ${describe(e)}: ${(err as Error).message}`);
        return { status: 0, ms: NaN };
      });
      perUserDone[u] = k + 1;
      latencies.push(r.ms);
      byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
      if (r.status !== 200) problems.count++;
      if (latencies.length % Math.max(1, Math.floor(total / 10)) === 0) {
        console.log(`  → ${latencies.length}/${total} sent`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency, total) }, worker));
  const secs = (performance.now() - began) / 1000;
  latencies.sort((a, b) => a - b);
  console.log(
    `  ${total} callbacks in ${secs.toFixed(2)}s = ${(total / secs).toFixed(0)}/s; latency p50 ${percentile(latencies, 50).toFixed(1)}ms p99 ${percentile(latencies, 99).toFixed(1)}ms; HTTP ${[...byStatus].map(([s, n]) => `${s}×${n}`).join(" ")}`,
  );
  console.log();
  const counts = new Map<string, number>();
  for (let i = 0; i < opts.users; i += 500) {
    const accounts = Array.from({ length: Math.min(500, opts.users - i) }, (_, j) => `${prefix}-u${i + j}`);
    const { status, json } = await queryPresence(opts.api, accounts);
    const results = (json as { results?: Snapshot[] } | null)?.results;
    if (status !== 200 || !Array.isArray(results)) {
      console.log(`  presence query: HTTP ${status} ${JSON.stringify(json).slice(0, 200)}`);
      problems.count++;
      return;
    }
    for (const r of results) counts.set(r.status ?? "?", (counts.get(r.status ?? "?") ?? 0) + 1);
    // The stand-in's truth follows at the end only: each user keeps getting callbacks until
    // then, so no staleness check runs before (unless one round of users takes 20 s).
    await standin(opts).follow(Object.fromEntries(results.map((r) => [r.account ?? "", r])));
  }
  const expected = cycle[(opts.events - 1) % cycle.length]!.action;
  const expectedStatus = expected === "Login" ? "online" : expected === "Disconnect" ? "disconnected" : "offline";
  console.log(
    `  presence of the ${opts.users} users read back: ${[...counts].map(([s, n]) => `${s} ${n}`).join(", ")} (expected all ${expectedStatus})`,
  );
  if ((counts.get(expectedStatus) ?? 0) !== opts.users) problems.count++;
  await showUser(opts, `${prefix}-u0`);
}
