// `npm run simulate:smoke`: the simulator end to end, for CI. Builds the Worker, runs it on
// workerd (Miniflare, in-memory storage, the local demo configuration from demo.env) and runs
// every scenario against it with small sizes. Exits non-zero if any scenario fails.

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, buildWorker, startTarget } from "../../bench/lib/targets.ts";
import { startTencentStandin } from "../lib/local-worker.ts";

/** KEY=VALUE lines of demo.env (the file `npm start` reads); comments and blanks skipped. */
function readEnvFile(path: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const m = line.match(/^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)\s*$/);
    if (m) vars[m[1]!] = m[2]!.replace(/^"(.*)"$/, "$1");
  }
  return vars;
}

const demo = readEnvFile(join(ROOT, "demo.env"));
const standin = await startTencentStandin();
const build = await buildWorker();
const target = await startTarget({
  kind: "presence-edge",
  placement: "none",
  build,
  bindings: { ...demo, IM_REST_BASE_URL: standin.url },
});
const common = [
  "--url",
  target.url,
  "--app",
  demo.IM_SDKAPPIDS?.split(",")[0] ?? "1400000000",
  "--token",
  demo.IM_CALLBACK_TOKEN?.split(",")[0] ?? "",
  "--api-token",
  demo.API_TOKENS?.split(",")[0] ?? "",
];
const runs: string[][] = [
  ["day-in-the-life"],
  ["flapping", "--cycles", "3"],
  ["shuffled"],
  ["load", "--users", "20", "--events", "4", "--concurrency", "8"],
  // Waits RECONCILE_AFTER_SECONDS (20 s in demo.env) for the ghosts to heal.
  ["lost-logouts", "--users", "12", "--tencent", standin.url, "--interval", demo.RECONCILE_AFTER_SECONDS ?? "20"],
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
  await target.dispose();
  await standin.stop();
}
console.log(failed.length ? `\nsimulate smoke: FAILED ${failed.join(", ")}` : "\nsimulate smoke: all scenarios passed");
process.exit(failed.length ? 1 : 0);
