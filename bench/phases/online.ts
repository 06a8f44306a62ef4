// Who is online (SPEC §12, docs/ONLINE.md): what the index's reads cost and how fresh they are.
// One presence-edge (tmpfs, the default ONLINE_INDEX_SHARDS) serves two apps:
//   1. the population (the profile's users) logs in, and the index settles;
//   2. reads with nothing else running: GET /online, and the first 1 000-user page of
//      GET /online/users, one request at a time; then one whole walk of the list;
//   3. freshness under steady load: while the first app takes steady ingest (every callback a
//      transition) at the largest connection count, probe users of the second app log in and
//      out one at a time; after each callback's 200, GET /online and GET /online/users of the
//      second app are read back to back until both show the change. What is timed: from having
//      read the callback's 200 to having read the first answer that shows it (so one read's
//      latency at most is added to the index's own delay); the reads' own latencies under load
//      are kept too;
//   4. what the index costs per callback (online-cost.ts);
// and then one shard's capacity, in a Worker of its own with ONLINE_INDEX_SHARDS=1 (online-cost.ts).

import { runLoad } from "../lib/load.ts";
import { measure, post } from "../lib/phase.ts";
import { APP, CALLBACK_TOKEN, PE_BINDINGS, PROBE_APP, log, type OnlineProfile, type Profile } from "../lib/settings.ts";
import { fmt } from "../lib/format.ts";
import type { BuildInfo } from "../lib/build.ts";
import { startTarget, type Target } from "../lib/targets.ts";
import { CallbackWorkload } from "../lib/workload.ts";
import { shardName } from "../../src/online/shard.ts";
import type { AppId } from "../../src/presence/types.ts";
import type { ExtraFigures } from "./extra-figures.ts";
import { indexCostProbes, shardCapacity } from "./online-cost.ts";
import {
  countsPath,
  pollUntil,
  settledRows,
  summary,
  timedGet,
  usersPath,
  type CountsAnswer,
  type UsersPage,
} from "./online-http.ts";

/** The probe users of the second app, logged in and out in turn. */
const PROBE_USERS = 20;
/** A change not shown after this long counts as this long (and as missed). */
const SHOW_TIMEOUT_MS = 10_000;
const PAGE = 1000;

export async function runOnline(profile: Profile, build: BuildInfo, o: OnlineProfile): Promise<ExtraFigures> {
  const shards = Number(build.vars.ONLINE_INDEX_SHARDS ?? "16");
  const pe = await startTarget({
    kind: "presence-edge",
    placement: "tmpfs",
    build,
    bindings: { ...PE_BINDINGS, IM_SDKAPPIDS: `${APP},${PROBE_APP}` },
    labelSuffix: "+online",
  });
  const problems: string[] = [];
  let fig: Record<string, unknown>;
  try {
    const first = await timedGet<CountsAnswer>(pe, countsPath(APP));
    if (first.status === 404) return { skipped: "this build has no who-is-online index (GET …/online answered 404)" };
    if (first.status !== 200) return { skipped: null, problem: `GET /online answered HTTP ${first.status}` };
    const shardNames = Array.from({ length: shards }, (_, i) => shardName(APP as AppId, shards, i));
    const c = Math.max(...profile.connections);

    // 1. The population online, and the index settled.
    const w = new CallbackWorkload({ app: APP, token: CALLBACK_TOKEN, users: profile.users, prefix: "online" });
    w.useMix("login-logout");
    const began = performance.now();
    await runLoad({ url: pe.url, connections: c, amount: profile.users, next: () => w.precreate() });
    const all = await pollUntil(async () => {
      const r = await timedGet<CountsAnswer>(pe, countsPath(APP));
      return r.body?.online === profile.users ? r.at : null;
    }, 60_000);
    if (all === null) problems.push(`GET /online never showed the ${profile.users} users online`);
    const indexedMs = all === null ? null : all - began;

    // 2. Reads with the population online and nothing else running.
    const reads = await idleReads(pe, o, profile.users, problems);
    log(
      `  online: ${profile.users} users online in ${shards} shards (counted ${fmt(indexedMs, 0)} ms after the first Login was sent);` +
        ` GET /online p50 ${fmt(reads.counts.p50, 1)} ms, p99 ${fmt(reads.counts.p99, 1)} ms;` +
        ` a ${reads.pageUsers}-user page p50 ${fmt(reads.page.p50, 1)} ms, p99 ${fmt(reads.page.p99, 1)} ms;` +
        ` the whole list ${reads.walk.users} users in ${reads.walk.pages} pages, ${fmt(reads.walk.ms, 0)} ms`,
    );

    // 3. Freshness under steady load.
    const fresh = await freshness(pe, w, profile, c, problems);
    log(
      `  online: callback → shown under steady load (${fmt(fresh.load.rps, 0)}/s at ${c} connections), ${fresh.counts.n} probes:` +
        ` counts p50 ${fmt(fresh.counts.p50, 1)} ms, p99 ${fmt(fresh.counts.p99, 1)} ms; list p50 ${fmt(fresh.list.p50, 1)} ms,` +
        ` p99 ${fmt(fresh.list.p99, 1)} ms; ${fresh.missed} not shown within ${SHOW_TIMEOUT_MS / 1000} s`,
    );

    // 4. What the index costs, once the load's last sends have been applied.
    const settled = await settledRows(pe, shardNames, 30_000);
    if (!settled.settled) problems.push("the index kept writing 30 s after the load stopped");
    const cost = await indexCostProbes(pe, profile, shards);
    fig = { shards, population: profile.users, indexedMs, reads, freshness: fresh, cost };
  } finally {
    await pe.dispose();
  }
  const capacity = await shardCapacity(profile, build, o);
  if (capacity.problem) problems.push(capacity.problem);
  return { skipped: null, problem: problems.length ? problems.join("; ") : null, ...fig, capacity };
}

async function idleReads(pe: Target, o: OnlineProfile, population: number, problems: string[]) {
  const counts: number[] = [];
  for (let i = 0; i < o.reads; i++) {
    const r = await timedGet<CountsAnswer>(pe, countsPath(APP));
    if (r.status !== 200) problems.push(`GET /online answered HTTP ${r.status}`);
    counts.push(r.ms);
  }
  const pages: number[] = [];
  let pageUsers = 0;
  for (let i = 0; i < o.pages; i++) {
    const r = await timedGet<UsersPage>(pe, usersPath(APP, PAGE));
    if (r.status !== 200) problems.push(`GET /online/users answered HTTP ${r.status}`);
    pages.push(r.ms);
    pageUsers = r.body?.users.length ?? 0;
  }
  // The whole list, page after page: every user once.
  const seen = new Set<string>();
  let cursor: string | null = null;
  let walkPages = 0;
  const walkStart = performance.now();
  do {
    const r: Awaited<ReturnType<typeof timedGet<UsersPage>>> = await timedGet<UsersPage>(
      pe,
      usersPath(APP, PAGE, cursor),
    );
    if (r.status !== 200 || r.body === null) {
      problems.push(`GET /online/users (walk) answered HTTP ${r.status}`);
      break;
    }
    for (const u of r.body.users) seen.add(u.account);
    cursor = r.body.cursor;
    walkPages++;
  } while (cursor !== null);
  const walkMs = performance.now() - walkStart;
  if (seen.size !== population) problems.push(`the list walk found ${seen.size} users of ${population} online`);
  return {
    counts: summary(counts),
    page: summary(pages),
    pageUsers,
    walk: { users: seen.size, pages: walkPages, ms: walkMs },
  };
}

async function freshness(pe: Target, w: CallbackWorkload, profile: Profile, c: number, problems: string[]) {
  const probes = new CallbackWorkload({ app: PROBE_APP, token: CALLBACK_TOKEN, users: PROBE_USERS, prefix: "probe" });
  probes.useMix("login-logout");
  let loading = true;
  const load = measure(pe, `online: steady load c${c}`, {
    url: pe.url,
    connections: c,
    duration: profile.steadySec,
    next: () => w.applied(),
  }).finally(() => (loading = false));
  const counts: number[] = [];
  const list: number[] = [];
  const countsReads: number[] = [];
  const pageReads: number[] = [];
  let online = 0;
  let missed = 0;
  for (let i = 0; loading; i++) {
    const req = probes.appliedFor(i % PROBE_USERS);
    const { Info } = JSON.parse(req.body) as { Info: { To_Account: string; Action: string } };
    const joins = Info.Action === "Login";
    const res = await post(pe.url, req);
    await res.arrayBuffer();
    const answered = performance.now();
    if (res.status !== 200) {
      problems.push(`a probe callback answered HTTP ${res.status}`);
      break;
    }
    const expected = online + (joins ? 1 : -1);
    let countsAt: number | null = null;
    let listAt: number | null = null;
    let lastCount: number | null = null;
    while ((countsAt === null || listAt === null) && performance.now() - answered < SHOW_TIMEOUT_MS) {
      await Promise.all([
        countsAt === null &&
          timedGet<CountsAnswer>(pe, countsPath(PROBE_APP)).then((r) => {
            countsReads.push(r.ms);
            lastCount = r.body?.online ?? lastCount;
            if (r.body?.online === expected) countsAt = r.at - answered;
          }),
        listAt === null &&
          timedGet<UsersPage>(pe, usersPath(PROBE_APP, PAGE)).then((r) => {
            pageReads.push(r.ms);
            if (r.body && r.body.users.some((u) => u.account === Info.To_Account) === joins) listAt = r.at - answered;
          }),
      ]);
    }
    if (countsAt === null || listAt === null) missed++;
    counts.push(countsAt ?? SHOW_TIMEOUT_MS);
    list.push(listAt ?? SHOW_TIMEOUT_MS);
    // After a miss, carry on from what the index says.
    online = countsAt === null ? (lastCount ?? expected) : expected;
  }
  const phase = await load;
  if (missed) problems.push(`${missed} probe changes were not shown within ${SHOW_TIMEOUT_MS / 1000} s`);
  return {
    probes: counts.length,
    counts: summary(counts),
    list: summary(list),
    missed,
    load: { connections: c, rps: phase.rps, requests: phase.requests, non2xx: phase.non2xx },
    readsUnderLoad: { counts: summary(countsReads), page: summary(pageReads) },
    phase,
  };
}
