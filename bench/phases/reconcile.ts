// Reconciliation (docs/RECONCILE.md) against the local Tencent stand-in (`npm run tencent`,
// scripts/tencent-standin.ts): N users log in, then their Logouts are "lost" (the stand-in's
// truth says most of them are offline, the rest really online). Each user's alarm finds it
// stale after RECONCILE_AFTER_SECONDS, the app's reconciler asks the stand-in in calls of up
// to 500 accounts, and the answers heal the ghosts. Measured: REST calls made, the time from
// "stale" to every ghost healed, and the rows a correction and a confirmation write.

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { runLoad } from "../lib/load.ts";
import { fmt } from "../lib/format.ts";
import { post } from "../lib/phase.ts";
import { APP, API_TOKEN, CALLBACK_TOKEN, PE_BINDINGS, log, type Profile } from "../lib/settings.ts";
import { OUT, WORKER_DIR, startTarget, type BuildInfo } from "../lib/targets.ts";
import { CallbackWorkload } from "../lib/workload.ts";
import type { ExtraFigures } from "./extras.ts";
import { usageReader, type Usage } from "./storage-rows.ts";
import { BENCH_ADMIN, BENCH_SECRET_KEY } from "./tencent-query.ts";

/** The stand-in listens on a free port of the bench's range (another run may hold one). */
const STANDIN_PORTS = [8850, 8869] as const;
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

interface Stats {
  calls?: number;
  accountsVerified?: number;
  corrections?: number;
  errors?: number;
  queueLength?: number;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

async function startStandin(): Promise<{ child: ChildProcess; url: string } | null> {
  const script = join(WORKER_DIR, "scripts/tencent-standin.ts");
  if (!existsSync(script)) return null;
  let port = STANDIN_PORTS[0];
  while (!(await portIsFree(port))) if (++port > STANDIN_PORTS[1]) throw new Error("no free port in 8850-8869");
  // Run from bench/out, so the stand-in reads no demo.env: only the keys given here.
  const child = spawn(process.execPath, [script, "--port", String(port), "--quiet"], {
    cwd: OUT,
    env: { ...process.env, IM_SDKAPPIDS: APP, IM_SECRET_KEY: BENCH_SECRET_KEY, IM_ADMIN_IDENTIFIER: BENCH_ADMIN },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) {
      const why = stderr.split("\n").filter((l) => /Error|^file:/.test(l));
      throw new Error(`it exited: ${(why.length ? why.slice(0, 3).join(" | ") : stderr).slice(0, 400)}`);
    }
    try {
      await fetch(url);
      return { child, url };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill();
  throw new Error(`the stand-in did not listen on ${url} within 10 s: ${stderr.slice(0, 300)}`);
}

export async function runReconcile(profile: Profile, build: BuildInfo, users: number): Promise<ExtraFigures> {
  // Short, so the phase is short; a partial call goes once its oldest account waited a tenth of it.
  const STALE_AFTER_SECONDS = profile.name === "smoke" ? 2 : 10;
  if (!build.durableObjects.some((d) => d.className === "Reconciler")) {
    return { skipped: "this build has no Reconciler Durable Object" };
  }
  let standin: Awaited<ReturnType<typeof startStandin>>;
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
  const stats = async (): Promise<Stats> =>
    (await (await fetch(`${t.url}/v1/apps/${APP}/reconcile`, { headers: auth })).json()) as Stats;
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
      const res = await post(standin.url, { path: `/truth/${APP}`, body: JSON.stringify({ accounts }) });
      if (res.status >= 300)
        throw new Error(`the stand-in refused the truth table: HTTP ${res.status} ${await res.text()}`);
    }
    // Everyone logs in; the ghosts' Logouts never arrive. A sample spread over the population
    // (ghosts and online users) logs in last, one at a time, each with its row counters read
    // right after its Login, before its check can have happened.
    const n = Math.min(profile.name === "smoke" ? 20 : 100, users);
    const sample = Array.from({ length: n }, (_, j) => (Math.floor((j * users) / n) + j) % users);
    const sampled = new Set(sample);
    const rest = w.population.map((_, i) => i).filter((i) => !sampled.has(i));
    let next = 0;
    await runLoad({
      url: t.url,
      connections: Math.max(...profile.connections),
      amount: rest.length,
      next: () => w.appliedFor(rest[next++ % rest.length]!),
    });
    const usage = await usageReader(t);
    const before = new Map<number, Usage | null>();
    for (const i of sample) {
      await (await post(t.url, w.appliedFor(i))).arrayBuffer();
      before.set(i, usage ? await usage(w.population[i]!).catch(() => null) : null);
    }
    const loggedInAt = performance.now();

    const ghosts = users - Math.ceil(users / ONLINE_EVERY);
    const deadline = Date.now() + (STALE_AFTER_SECONDS + 120) * 1000;
    let s = await stats();
    while ((s.corrections ?? 0) < ghosts || (s.accountsVerified ?? 0) < users) {
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 200));
      s = await stats();
    }
    const healedAfterMs = performance.now() - loggedInAt;
    const tencent = (await (await fetch(`${standin.url}/stats`)).json()) as {
      calls?: number;
      maxAccountsPerCall?: number;
    };
    // What the read API says now: every ghost offline, every online user still online.
    let offline = 0;
    for (let k = 0; k < users; k += 500) {
      const accounts = w.population.slice(k, k + 500);
      const res = await post(t.url, {
        path: `/v1/apps/${APP}/presence/query`,
        body: JSON.stringify({ accounts }),
        headers: auth,
      });
      const body = (await res.json()) as { results?: { status?: string; snapshot?: { status?: string } }[] };
      offline += (body.results ?? []).filter((r) => (r.snapshot?.status ?? r.status) === "offline").length;
    }
    // Rows written and alarms set (each billed as a row) by the check, per kind of outcome.
    const rows = { correction: [] as number[], confirmation: [] as number[] };
    const alarms = { correction: [] as number[], confirmation: [] as number[] };
    for (const i of sample) {
      const b = before.get(i);
      const a = usage ? await usage(w.population[i]!).catch(() => null) : null;
      if (!a || !b || a.rowsWritten < b.rowsWritten) continue; // evicted in between: counters restarted
      const kind = online(i) ? "confirmation" : "correction";
      rows[kind].push(a.rowsWritten - b.rowsWritten);
      alarms[kind].push((a.alarmsSet ?? 0) - (b.alarmsSet ?? 0));
    }
    const mean = (v: number[]) => (v.length ? v.reduce((x, y) => x + y, 0) / v.length : null);
    const fig = {
      skipped: null,
      problem:
        (s.corrections ?? 0) < ghosts ? `${s.corrections ?? 0} of ${ghosts} ghosts healed within the deadline` : null,
      users,
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
      rowsPerCorrection: mean(rows.correction),
      rowsPerConfirmation: mean(rows.confirmation),
      alarmsPerCorrection: mean(alarms.correction),
      alarmsPerConfirmation: mean(alarms.confirmation),
      sampled: { corrections: rows.correction.length, confirmations: rows.confirmation.length },
      summary: "",
    };
    fig.summary =
      `${users} stale users (${ghosts} ghosts) against the local stand-in: ${fig.calls} REST calls, every ghost healed` +
      ` ${fmt(fig.healMsAfterStale / 1000, 1)} s after the last one went stale (${STALE_AFTER_SECONDS} s interval);` +
      ` per correction ${fmt(fig.rowsPerCorrection, 2)} rows written and ${fmt(fig.alarmsPerCorrection, 2)} alarms set,` +
      ` per confirmation ${fmt(fig.rowsPerConfirmation, 2)} rows and ${fmt(fig.alarmsPerConfirmation, 2)} alarms` +
      ` (each alarm set is billed as a row written; ${rows.correction.length + rows.confirmation.length} users sampled).`;
    log(`  reconcile: ${fig.summary}`);
    return fig;
  } finally {
    await t.dispose();
    standin.child.kill("SIGKILL"); // in-memory state only; a graceful stop may wait on idle keep-alive sockets
  }
}
