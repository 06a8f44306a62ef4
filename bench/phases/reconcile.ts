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
import { WORKER_DIR, startTarget, type BuildInfo } from "../lib/targets.ts";
import { CallbackWorkload } from "../lib/workload.ts";
import type { ExtraFigures } from "./extras.ts";
import { usageReader, type Usage } from "./storage-rows.ts";
import { BENCH_ADMIN, BENCH_SECRET_KEY } from "./tencent-query.ts";

/** The stand-in listens on a free port of the bench's range (another run may hold one). */
const STANDIN_PORTS = [8850, 8869] as const;
const STALE_AFTER_SECONDS = 2;
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
  const child = spawn(process.execPath, [script, "--port", String(port), "--env-file", "/nonexistent", "--quiet"], {
    cwd: WORKER_DIR,
    env: { ...process.env, IM_SDKAPPIDS: APP, IM_SECRET_KEY: BENCH_SECRET_KEY, IM_ADMIN_IDENTIFIER: BENCH_ADMIN },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`the stand-in exited: ${stderr.slice(0, 300)}`);
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
  if (!build.durableObjects.some((d) => d.className === "Reconciler")) {
    return { skipped: "this build has no Reconciler Durable Object" };
  }
  let standin: Awaited<ReturnType<typeof startStandin>>;
  try {
    standin = await startStandin();
  } catch (e) {
    return { skipped: `no Tencent stand-in: ${(e as Error).message}` };
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
    // Everyone logs in; the ghosts' Logouts never arrive.
    await runLoad({
      url: t.url,
      connections: Math.max(...profile.connections),
      amount: users,
      next: () => w.precreate(),
    });
    const loggedInAt = performance.now();
    const usage = await usageReader(t);
    const sample = Array.from({ length: Math.min(100, users) }, (_, j) =>
      Math.floor((j * users) / Math.min(100, users)),
    );
    const before = new Map<number, Usage | null>();
    for (const i of sample) before.set(i, usage ? await usage(w.population[i]!).catch(() => null) : null);

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
    const rows = { correction: [] as number[], confirmation: [] as number[] };
    for (const i of sample) {
      const b = before.get(i);
      const a = usage ? await usage(w.population[i]!).catch(() => null) : null;
      if (!a || !b || a.rowsWritten < b.rowsWritten) continue; // evicted in between: counters restarted
      const billed = a.rowsWritten - b.rowsWritten + (a.alarmsSet ?? 0) - (b.alarmsSet ?? 0);
      (online(i) ? rows.confirmation : rows.correction).push(billed);
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
      summary: "",
    };
    fig.summary =
      `${users} stale users (${ghosts} ghosts) against the local stand-in: ${fig.calls} REST calls, every ghost healed` +
      ` ${fmt(fig.healMsAfterStale / 1000, 1)} s after they went stale (${STALE_AFTER_SECONDS} s interval);` +
      ` rows written (alarms included) per correction ${fmt(fig.rowsPerCorrection, 2)}, per confirmation ${fmt(fig.rowsPerConfirmation, 2)}.`;
    log(`  reconcile: ${fig.summary}`);
    return fig;
  } finally {
    await t.dispose();
    standin.child.kill();
  }
}
