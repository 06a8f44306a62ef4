// Reconciliation (docs/RECONCILE.md) against the local Tencent stand-in (`npm run tencent`,
// scripts/tencent-standin.ts): N users log in, then their Logouts are "lost" (the stand-in's
// truth says most of them are offline, the rest really online). Each user's alarm finds it
// stale after RECONCILE_AFTER_SECONDS, the app's reconciler asks the stand-in in calls of up
// to 500 accounts, and the answers heal the ghosts. Measured: REST calls made, the time from
// "stale" to every ghost healed, and the rows and alarms one check costs when it corrects a
// ghost and when it confirms an online user (a confirmed user is checked again each interval,
// so its counters are divided by how often the stand-in was asked for it).
//
// Local workerd keeps 3 files open per live object (its SQLite db, -wal, -shm): the phase
// reads workerd's open-files limit (raised by bench/lib/workerd-nofile.sh as far as the OS
// allows) and measures with as many users as fit, saying so, rather than starve workerd.
// Every request has a timeout, so a workerd that stops answering ends the phase with a
// problem instead of hanging the bench.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { runLoad } from "../lib/load.ts";
import { fmt } from "../lib/format.ts";
import { post } from "../lib/phase.ts";
import { APP, API_TOKEN, CALLBACK_TOKEN, PE_BINDINGS, log, type Profile } from "../lib/settings.ts";
import { OUT, WORKER_DIR, type BuildInfo } from "../lib/build.ts";
import { FILES_PER_OBJECT, objectsThatFit, openFilesLimit, openFilesOf } from "../lib/proc.ts";
import { startTarget } from "../lib/targets.ts";
import { CallbackWorkload } from "../lib/workload.ts";
import { startTencentStandin, type TencentStandin } from "../../scripts/lib/local-worker.ts";
import type { ExtraFigures } from "./extra-figures.ts";
import { usageReader, type Usage } from "./storage-rows.ts";
import { BENCH_ADMIN, BENCH_SECRET_KEY } from "./tencent-query.ts";

/** A fifth of the users are really online (their check is a confirmation), the rest ghosts. */
const ONLINE_EVERY = 5;
/** Our OptPlatform names → Tencent's REST platform names (docs/RECONCILE.md). */
const REST_PLATFORM: Record<string, string> = {
  IOS: "iPhone",
  Android: "Android",
  Web: "Web",
  Windows: "PC",
  Mac: "Mac",
};

/** Longest wait for one answer from the Worker or the stand-in. */
const REQUEST_TIMEOUT_MS = 15_000;

/** A fetch that gives up after REQUEST_TIMEOUT_MS (a stuck workerd must not hang the bench). */
const fetchSoon = (url: string, init: RequestInit = {}) =>
  fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });

interface Stats {
  calls?: number;
  accountsVerified?: number;
  corrections?: number;
  errors?: number;
  queueLength?: number;
}

/** The checkout's own stand-in (`npm run tencent`), on a free port, with the bench's keys only. */
async function startStandin(): Promise<TencentStandin | null> {
  const script = join(WORKER_DIR, "scripts/tencent-standin.ts");
  if (!existsSync(script)) return null;
  // Run from bench/out, so the stand-in reads no demo.env: only the keys given here.
  return startTencentStandin({
    script,
    cwd: OUT,
    env: { ...process.env, IM_SDKAPPIDS: APP, IM_SECRET_KEY: BENCH_SECRET_KEY, IM_ADMIN_IDENTIFIER: BENCH_ADMIN },
  });
}

/** Users that fit the workerd's open-files limit at 3 files each, beside what is open now. */
function usersThatFit(pid: number | null, requested: number) {
  const fit = objectsThatFit(pid);
  return {
    users: fit === null ? requested : Math.min(requested, fit),
    limit: openFilesLimit(pid),
    atStart: openFilesOf(pid),
  };
}

export async function runReconcile(profile: Profile, build: BuildInfo, usersRequested: number): Promise<ExtraFigures> {
  // Short, so the phase is short; a partial call goes once its oldest account waited a tenth of it.
  const STALE_AFTER_SECONDS = profile.name === "smoke" ? 2 : 10;
  if (!build.durableObjects.some((d) => d.className === "Reconciler")) {
    return { skipped: "this build has no Reconciler Durable Object" };
  }
  let standin: TencentStandin | null;
  try {
    standin = await startStandin();
  } catch (e) {
    // The checkout has a stand-in and it does not start: `npm run tencent` is broken too.
    return { skipped: null, problem: `the Tencent stand-in (npm run tencent) did not start: ${(e as Error).message}` };
  }
  if (!standin) return { skipped: "this checkout has no Tencent stand-in (scripts/tencent-standin.ts)" };
  const t = await startTarget({
    kind: "presence-edge",
    placement: "tmpfs",
    build,
    labelSuffix: "+reconcile",
    bindings: {
      ...PE_BINDINGS,
      IM_SECRET_KEY: BENCH_SECRET_KEY,
      IM_ADMIN_IDENTIFIER: BENCH_ADMIN,
      IM_REST_BASE_URL: standin.url,
      RECONCILE_AFTER_SECONDS: String(STALE_AFTER_SECONDS),
    },
  });
  const auth = { authorization: `Bearer ${API_TOKEN}` };
  const getJson = async <T>(url: string, init: RequestInit = {}): Promise<T> => {
    const res = await fetchSoon(url, init);
    if (!res.ok)
      throw new Error(`${init.method ?? "GET"} ${url}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
    return (await res.json()) as T;
  };
  const stats = () => getJson<Stats>(`${t.url}/v1/apps/${APP}/reconcile`, { headers: auth });
  const postSoon = (url: string, req: Parameters<typeof post>[1]) =>
    fetchSoon(url + req.path, {
      method: req.method ?? "POST",
      headers: { "content-type": "application/json", ...req.headers },
      body: req.body,
    });
  const standinGone = () => {
    const { exitCode, signalCode } = standin.child;
    if (exitCode === null && signalCode === null) return null;
    const tail = standin.stderr().trim().split("\n").slice(-5).join(" | ").slice(0, 600);
    return `the Tencent stand-in exited (${signalCode ?? `code ${exitCode}`}) during the phase: ${tail || "(no stderr)"}`;
  };
  const fds = usersThatFit(t.workerdPid, usersRequested);
  const users = fds.users;
  const openFiles = { limit: fds.limit, atStart: fds.atStart, peak: fds.atStart };
  const notePeak = () => {
    const now = openFilesOf(t.workerdPid);
    if (now !== null) openFiles.peak = Math.max(openFiles.peak ?? 0, now);
  };
  const cut =
    users < usersRequested
      ? `${users} of ${usersRequested} users: the open-files limit ${fds.limit} allows ${FILES_PER_OBJECT} files per live object`
      : null;
  if (cut) log(`  reconcile: ${cut}`);
  if (users < 10) {
    await t.dispose();
    standin.child.kill("SIGKILL");
    return { skipped: null, problem: `not measured: ${cut}`, usersRequested, users, openFiles };
  }
  try {
    const w = new CallbackWorkload({ app: APP, token: CALLBACK_TOKEN, users, prefix: "rec" });
    // The truth: every fifth user online on the platform it logged in from, the others offline.
    const platformOf = (i: number) => ["IOS", "Android", "Web", "Windows", "Mac"][i % 5]!;
    const online = (i: number) => i % ONLINE_EVERY === 0;
    for (let k = 0; k < users; k += 1000) {
      const accounts: Record<string, { platforms: Record<string, string> }> = {};
      for (let i = k; i < Math.min(users, k + 1000); i++) {
        accounts[w.population[i]!] = { platforms: online(i) ? { [REST_PLATFORM[platformOf(i)]!]: "Online" } : {} };
      }
      const res = await postSoon(standin.url, { path: `/truth/${APP}`, body: JSON.stringify({ accounts }) });
      if (res.status >= 300)
        throw new Error(`the stand-in refused the truth table: HTTP ${res.status} ${await res.text()}`);
    }
    // Everyone logs in; the ghosts' Logouts never arrive. A sample spread over the population
    // (ghosts and online users) logs in last, one at a time, each with its row counters read
    // right after its Login, before its check can have happened.
    const n = Math.min(profile.name === "smoke" ? 20 : 100, users);
    // Spread evenly, shifted by j so that ghosts and online users (i % 5) both appear; distinct,
    // since a user logged in twice would be sampled with a Disconnect as its last callback.
    const sampled = new Set<number>();
    for (let j = 0; j < n; j++) {
      let i = (Math.floor((j * users) / n) + j) % users;
      while (sampled.has(i)) i = (i + 1) % users;
      sampled.add(i);
    }
    const sample = [...sampled];
    const rest = w.population.map((_, i) => i).filter((i) => !sampled.has(i));
    const usage = await usageReader(t);
    let next = 0;
    const logins = await runLoad({
      url: t.url,
      connections: Math.max(...profile.connections),
      amount: rest.length,
      // A server that stopped answering makes autocannon retry without end: stop it instead.
      maxSeconds: 120 + rest.length / 50,
      next: () => w.appliedFor(rest[next++ % rest.length]!),
    });
    notePeak();
    const usageOf = (i: number) => (usage ? usage(w.population[i]!).catch(() => null) : Promise.resolve(null));
    const before = new Map<number, Usage | null>();
    for (const i of sample) {
      await (await postSoon(t.url, w.appliedFor(i))).arrayBuffer();
      before.set(i, await usageOf(i));
    }
    const loggedInAt = performance.now();

    const ghosts = users - Math.ceil(users / ONLINE_EVERY);
    const deadline = Date.now() + (STALE_AFTER_SECONDS + 120) * 1000;
    let stuck: string | null = null;
    let s: Stats = {};
    for (;;) {
      const gone = standinGone();
      if (gone) {
        stuck = gone;
        break;
      }
      try {
        s = await stats();
      } catch (e) {
        const open = openFilesOf(t.workerdPid);
        stuck =
          `GET /v1/apps/${APP}/reconcile did not answer: ${(e as Error).message}` +
          ` (workerd had ${open ?? "?"} files open, limit ${fds.limit ?? "?"})`;
        break;
      }
      notePeak();
      if ((s.corrections ?? 0) >= ghosts && (s.accountsVerified ?? 0) >= users) break;
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const healedAfterMs = performance.now() - loggedInAt;
    if (stuck) log(`  reconcile: ${stuck}`);
    const tencent = await getJson<{ calls?: number; maxAccountsPerCall?: number }>(`${standin.url}/stats`).catch(
      () => ({}) as { calls?: number; maxAccountsPerCall?: number },
    );
    // What the read API says now: every ghost offline, every online user still online.
    let offline: number | null = 0;
    for (let k = 0; k < users && !stuck; k += 500) {
      const accounts = w.population.slice(k, k + 500);
      const body = await postSoon(t.url, {
        path: `/v1/apps/${APP}/presence/query`,
        body: JSON.stringify({ accounts }),
        headers: auth,
      })
        .then((res) => res.json() as Promise<{ results?: { status?: string; snapshot?: { status?: string } }[] }>)
        .catch(() => null);
      if (!body) {
        offline = null;
        break;
      }
      offline += (body.results ?? []).filter((r) => (r.snapshot?.status ?? r.status) === "offline").length;
    }
    // Rows written and alarms set (each billed as a row) per check, by outcome: a user's
    // counter deltas divided by the times the stand-in was asked for it.
    const rows = { correction: [] as number[], confirmation: [] as number[] };
    const alarms = { correction: [] as number[], confirmation: [] as number[] };
    const checks = { correction: [] as number[], confirmation: [] as number[] };
    for (const i of sample) {
      if (stuck) break;
      const b = before.get(i);
      const a = await usageOf(i);
      const asked = await getJson<{ asked?: number }>(`${standin.url}/stats/${APP}/${w.population[i]!}`)
        .then((r) => r.asked ?? 0)
        .catch(() => 0);
      if (!a || !b || a.rowsWritten < b.rowsWritten || asked === 0) continue; // evicted (counters restarted) or never asked
      const kind = online(i) ? "confirmation" : "correction";
      checks[kind].push(asked);
      rows[kind].push((a.rowsWritten - b.rowsWritten) / asked);
      alarms[kind].push(((a.alarmsSet ?? 0) - (b.alarmsSet ?? 0)) / asked);
    }
    const mean = (v: number[]) => (v.length ? v.reduce((x, y) => x + y, 0) / v.length : null);
    const problems = [
      stuck,
      logins.ok < rest.length ? `${rest.length - logins.ok} of ${rest.length} Logins failed` : null,
      !stuck && (s.corrections ?? 0) < ghosts
        ? `${s.corrections ?? 0} of ${ghosts} ghosts healed within the deadline`
        : null,
    ].filter((p) => p !== null);
    const fig = {
      skipped: null,
      problem: problems.length ? problems.join("; ") : null,
      usersRequested,
      users,
      /** Why fewer users than requested were measured, or null. */
      usersCut: cut,
      openFiles,
      ghosts,
      staleAfterSeconds: STALE_AFTER_SECONDS,
      calls: tencent.calls ?? s.calls ?? null,
      maxAccountsPerCall: tencent.maxAccountsPerCall ?? null,
      accountsVerified: s.accountsVerified ?? null,
      corrections: s.corrections ?? null,
      errors: s.errors ?? null,
      offlineAfter: offline,
      /** From the last Login to every ghost healed; includes the staleness interval. */
      healedAfterMs,
      healMsAfterStale: healedAfterMs - STALE_AFTER_SECONDS * 1000,
      /** Per check that corrected a ghost / confirmed an online user. */
      rowsPerCorrection: mean(rows.correction),
      rowsPerConfirmation: mean(rows.confirmation),
      alarmsPerCorrection: mean(alarms.correction),
      alarmsPerConfirmation: mean(alarms.confirmation),
      /** Mean times the stand-in was asked for a sampled user, by outcome. */
      checksPerUser: { correction: mean(checks.correction), confirmation: mean(checks.confirmation) },
      sampled: { corrections: rows.correction.length, confirmations: rows.confirmation.length },
      summary: "",
    };
    fig.summary =
      `${users} stale users (${ghosts} ghosts) against the local stand-in${cut ? ` (${cut})` : ""}: ${fig.calls} REST calls,` +
      (problems.length
        ? ` ${fig.corrections ?? "?"} ghosts healed (${problems.join("; ")});`
        : ` every ghost healed ${fmt(fig.healMsAfterStale / 1000, 1)} s after the last one went stale (${STALE_AFTER_SECONDS} s interval);`) +
      ` per check that corrects ${fmt(fig.rowsPerCorrection, 2)} rows written and ${fmt(fig.alarmsPerCorrection, 2)} alarms set,` +
      ` per check that confirms ${fmt(fig.rowsPerConfirmation, 2)} rows and ${fmt(fig.alarmsPerConfirmation, 2)} alarms` +
      ` (each alarm set is billed as a row written; ${rows.correction.length + rows.confirmation.length} users sampled,` +
      ` an online one checked ${fmt(fig.checksPerUser.confirmation, 1)} times).`;
    log(`  reconcile: ${fig.summary}`);
    return fig;
  } finally {
    await t.dispose();
    standin.child.kill("SIGKILL"); // in-memory state only; a graceful stop may wait on idle keep-alive sockets
  }
}
