// `npm run simulate:smoke`: the simulator end to end, for CI. Runs the Worker as `npm start`
// does (wrangler dev with demo.env, fresh storage, on free ports) beside the Tencent stand-in,
// and runs every scenario against it with small sizes. Exits non-zero if any scenario fails.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { freePort, ROOT, startLocalWorker, startTencentStandin } from "../lib/local-worker.ts";

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
const runs: string[][] = [
  ["day-in-the-life"],
  ["flapping", "--cycles", "3"],
  ["shuffled"],
  ["load", "--users", "20", "--events", "4", "--concurrency", "8"],
  // Waits RECONCILE_AFTER_SECONDS (20 s in demo.env) for the ghosts to heal.
  ["lost-logouts", "--users", "12", "--interval", String(interval)],
];

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
} finally {
  await worker.stop();
  await standin.stop();
}
console.log(failed.length ? `\nsimulate smoke: FAILED ${failed.join(", ")}` : "\nsimulate smoke: all scenarios passed");
process.exit(failed.length ? 1 : 0);
