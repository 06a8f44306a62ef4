// `npm run simulate:smoke`: the simulator end to end, for CI. Runs the Worker as `npm start`
// does (wrangler dev with demo.env, fresh storage, on free ports) beside the Tencent stand-in,
// runs every scenario against it with small sizes, and then checks that reconciliation left the
// scenarios' users as they were sent (the stand-in's truth followed them: issue #19), and that
// the who-is-online index agrees with every user's snapshot: GET /online's counts per status
// and platform, and the whole list (SPEC §12). Exits non-zero if any of it fails.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { readCommandLine } from "../lib/cli.ts";
import { freePort, ROOT, startLocalWorker, startTencentStandin } from "../lib/local-worker.ts";
import { getUser } from "../lib/tencent-client.ts";
import { checkIndex } from "./online-check.ts";

readCommandLine({
  name: "npm run simulate:smoke",
  usage: `usage: npm run simulate:smoke

Runs the Worker (wrangler dev, demo.env, fresh storage, free ports) and the Tencent stand-in,
runs every simulator scenario against them with small sizes, and checks that reconciliation
confirmed what the scenarios sent and that the who-is-online index agrees with the users'
snapshots. Takes about a minute and a half; exits 1 if anything failed.`,
  options: {},
});

const standin = await startTencentStandin();
const worker = await startLocalWorker({
  port: await freePort(),
  inspectorPort: await freePort(),
  vars: { IM_REST_BASE_URL: standin.url },
});
const demo = worker.vars;
const app = demo.IM_SDKAPPIDS?.split(",")[0] ?? "1400000000";
const common = [
  "--url",
  worker.url,
  "--app",
  app,
  "--token",
  demo.IM_CALLBACK_TOKEN?.split(",")[0] ?? "",
  "--api-token",
  demo.API_TOKENS?.split(",")[0] ?? "",
  "--tencent",
  standin.url,
];
const interval = Number(demo.RECONCILE_AFTER_SECONDS ?? "20");
const ONLINE_DAY_USERS = 40;
const runs: string[][] = [
  ["day-in-the-life"],
  ["flapping", "--cycles", "3"],
  ["shuffled"],
  ["load", "--users", "20", "--events", "4", "--concurrency", "8"],
  ["online-day", "--users", String(ONLINE_DAY_USERS), "--seconds", "15"],
  // Waits RECONCILE_AFTER_SECONDS (20 s in demo.env) for the ghosts to heal.
  ["lost-logouts", "--users", "12", "--interval", String(interval)],
];

/**
 * sim-flapping ends online. The stand-in answers Offline for an account it was never told
 * about, so before its truth followed the simulator, the first staleness check "healed" it to
 * offline. Waits until the stand-in has been asked about it, then expects it still online.
 */
async function flappingSurvivesReconcile(): Promise<string | null> {
  const account = "sim-flapping";
  const deadline = Date.now() + (interval + 30) * 1000; // the check comes an interval after the last callback
  for (;;) {
    const res = await fetch(`${standin.url}/stats/${app}/${account}`);
    const { asked } = (await res.json()) as { asked: number };
    if (asked > 0) break;
    if (Date.now() > deadline) return `${account} was never checked with the stand-in`;
    await new Promise((resolve) => setTimeout(resolve, 500)); // the polling interval
  }
  const { status, json } = await getUser({ url: worker.url, app, apiToken: demo.API_TOKENS ?? "" }, account);
  const shown = (json as { status?: string }).status;
  console.log(`\n::: ${account} after its staleness check with the stand-in: ${shown} (HTTP ${status})`);
  return shown === "online" ? null : `${account} was changed by reconciliation to ${shown}: its truth did not follow`;
}

/**
 * Once every scenario is done, the index agrees with the snapshots of every user it lists and of
 * the online-day users: GET /online's counts are what those snapshots say, and the list holds
 * exactly those online or disconnected.
 */
async function indexAgrees(): Promise<string | null> {
  const api = { url: worker.url, app, apiToken: demo.API_TOKENS?.split(",")[0] ?? "" };
  const days = Array.from({ length: ONLINE_DAY_USERS }, (_, i) => `sim-online-u${i}`);
  const check = await checkIndex(api, [...days, "sim-day", "sim-flapping"]);
  console.log(
    `\n::: who is online at the end: GET /online ${check.counts?.online ?? "?"} online, ${check.counts?.disconnected ?? "?"}` +
      ` disconnected; ${check.listed.length} listed; ${check.snapshots.length} snapshots compared`,
  );
  if (check.problems.length === 0) return null;
  console.log(`    ${check.problems.slice(0, 20).join("\n    ")}`);
  return `the who-is-online index disagrees with the snapshots (${check.problems.length} differences)`;
}

const failed: string[] = [];
try {
  for (const args of runs) {
    console.log(`\n::: simulate ${args.join(" ")}`);
    const code = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, [join(ROOT, "scripts/simulate.ts"), ...common, ...args], {
        stdio: "inherit",
      });
      child.on("close", (c) => resolve(c ?? 1));
    });
    if (code !== 0) failed.push(args[0]!);
  }
  const changed = await flappingSurvivesReconcile();
  if (changed !== null) failed.push(changed);
  const disagreement = await indexAgrees();
  if (disagreement !== null) failed.push(disagreement);
} finally {
  await worker.stop();
  await standin.stop();
}
console.log(failed.length ? `\nsimulate smoke: FAILED ${failed.join(", ")}` : "\nsimulate smoke: all scenarios passed");
process.exit(failed.length ? 1 : 0);
