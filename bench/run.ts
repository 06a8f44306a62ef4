// presence-edge benchmark.
//
//   npm run bench            full run, writes bench/results.json and bench/charts/*.svg
//   npm run bench:smoke      seconds-long run of every phase, writes bench/out/ (checks the
//                            machinery: exits 1 if a phase got no answer, never on a figure)
//
// Builds the Worker with `wrangler deploy --dry-run`, runs it on workerd through Miniflare's
// programmatic API (direct workerd socket, no `wrangler dev` proxy) with Durable Object SQLite
// persisted on tmpfs (/dev/shm) and on local disk, next to three reference Workers:
//   runtime ceiling       bench/reference/trivial.js       answers "ok"
//   architecture ceiling  bench/reference/architecture.js  parses the body, one RPC to a
//                                                          per-user SQLite DO doing one upsert
//   two-hop ceiling       bench/reference/two-hop.js       the same, and on a transition the
//                                                          user's DO sends one upsert to an
//                                                          index shard DO (not awaited)
// and drives each in turn from this process. All load goes to 127.0.0.1 and every phase is
// bounded in time or count. Layout: lib/ (the build, the targets on workerd, /proc readings,
// load drivers, workload, measuring a phase), phases/ (what is measured), report/ (ratios,
// costs, targets, console, charts). The bench uses scripts/lib/ (the callback client, the
// Tencent stand-in, the command line); scripts/ never imports the bench. See docs/PERFORMANCE.md.

import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { PRICES } from "./lib/prices.ts";
import { readArgs, elapsed, log, secondsSinceStart } from "./lib/settings.ts";
import { OUT, ROOT, buildWorker } from "./lib/build.ts";
import { TMPFS_BASE } from "./lib/targets.ts";
import { runGroup, type Role } from "./phases/ingest.ts";
import { runWebhooks } from "./phases/webhooks.ts";
import { runExtras } from "./phases/extras.ts";
import { checksOf } from "./report/checks.ts";
import { costsOf } from "./report/costs.ts";
import type { IndexCost } from "./phases/online-cost.ts";
import { printChecks, printCosts, printNoise, printPhases } from "./report/console.ts";
import { writeCharts } from "./report/charts.ts";
import { writeFiguresSection } from "./report/markdown.ts";
import { runMeta } from "./report/meta.ts";
import { ratiosOf, runKey, type Runs } from "./report/ratios.ts";
import { machineryProblems } from "./report/machinery.ts";

const { smoke, strict, out, profile } = readArgs();

log(
  `presence-edge bench (${profile.name}): ${profile.users} users, connections ${profile.connections.join("/")},` +
    ` mixes ${profile.mixes.join(", ")}, phases of ${profile.steadySec}s, ${profile.rounds} rounds`,
);
const build = await buildWorker();
log(
  `  bundle: ${build.bundleBytes} bytes, gzip ${build.bundleGzipBytes} bytes (wrangler: ${build.wranglerUploadKiB} KiB / gzip ${build.wranglerGzipKiB} KiB)  [${elapsed()}]`,
);
log(
  `  bundle by origin (unminified, gzip of each part alone): ${build.composition
    .slice(0, 8)
    .map((c) => `${c.source} ${(c.gzipBytes / 1024).toFixed(1)} KiB`)
    .join(", ")}`,
);

const cleanUp = () => {
  rmSync(TMPFS_BASE, { recursive: true, force: true });
  rmSync(join(OUT, `state-${process.pid}`), { recursive: true, force: true });
};
// Interrupted: leave no state behind (Miniflare stops its workerd processes on exit).
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    cleanUp();
    process.exit(130);
  });
}

const runs: Runs = {};
let extras: Awaited<ReturnType<typeof runExtras>> = { figures: {}, checks: [] };
let webhook: Awaited<ReturnType<typeof runWebhooks>> | null = null;
try {
  runs["runtime"] = (await runGroup(profile, ["runtime"], "none", build))[0]!;
  for (const placement of profile.placements) {
    // The index off is judged on tmpfs only, as every target is; disk shows both ceilings.
    const roles: Role[] =
      placement === "tmpfs"
        ? ["architecture", "two-hop", "presence-edge", "index-off"]
        : ["architecture", "two-hop", "presence-edge"];
    for (const fig of await runGroup(profile, roles, placement, build)) runs[runKey(fig.role, placement)] = fig;
  }
  if (runs["presence-edge/tmpfs"]?.ready) {
    webhook = await runWebhooks(profile, build);
    extras = await runExtras(profile, build);
  }
} finally {
  cleanUp();
}

const ratios = ratiosOf(runs, profile.placements);
const indexCost = (extras.figures.online as { cost?: IndexCost } | undefined)?.cost;
const costs = costsOf(runs["presence-edge/tmpfs"], build, profile.rate, indexCost);
const checks = checksOf(profile, runs, ratios, costs, build, extras.checks);

printPhases(runs, ratios);
printCosts(costs);
for (const [k, s] of Object.entries(runs)) {
  if (s.historyCheck) log(`\n${k} history check: ${s.historyCheck}`);
  for (const n of s.notes) log(`${k}: ${n}`);
}
const maxNoise = printNoise(runs);
printChecks(checks, smoke);

const results = {
  schema: 2,
  generatedAt: new Date().toISOString(),
  profile,
  ...runMeta(maxNoise),
  /** Figures from a machine where other load exceeded 0.2 core during a phase are provisional. */
  provisional: maxNoise > 0.2,
  bundle: {
    wranglerUploadKiB: build.wranglerUploadKiB,
    wranglerGzipKiB: build.wranglerGzipKiB,
    bytes: build.bundleBytes,
    gzipBytes: build.bundleGzipBytes,
    composition: build.composition,
    observability: build.observability,
  },
  runs,
  ratios,
  webhook,
  extras: extras.figures,
  prices: PRICES,
  costPerMillion: costs,
  checks,
  durationSeconds: secondsSinceStart(),
};
const outPath = out ?? (smoke ? join(OUT, "results.smoke.json") : join(ROOT, "bench/results.json"));
// Charts go beside the results: bench/charts/ for the published run.
const chartDir = join(dirname(outPath), "charts");
mkdirSync(dirname(outPath), { recursive: true });
writeFileSync(outPath, `${JSON.stringify(results, null, 2)}\n`);
const charts = writeCharts(results, chartDir);
log(`\nwrote ${outPath} and ${charts.length} charts in ${chartDir} in ${results.durationSeconds}s`);
// The published run also rewrites the figures section of docs/PERFORMANCE.md.
if (!smoke && out === undefined) {
  const doc = join(ROOT, "docs/PERFORMANCE.md");
  log((await writeFiguresSection(doc, results)) ? `updated the figures in ${doc}` : `no figures markers in ${doc}`);
}

const problems = machineryProblems(results);
if (problems.length) {
  log(`\nthe bench machinery did not work:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
if (strict && checks.some((c) => c.pass === false)) process.exit(1);
