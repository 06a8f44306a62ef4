// What a result was measured on: the commit (and whether the tree was dirty), the machine,
// the versions of the runtime and the tools, and how busy the machine was.

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, loadavg, release, totalmem } from "node:os";
import { join } from "node:path";
import { ROOT, WORKER_DIR } from "../lib/build.ts";

function versionOf(pkg: string): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, "node_modules", pkg, "package.json"), "utf8")) as { version: string })
      .version;
  } catch {
    return "unknown";
  }
}

/** Whether the Worker's sources differ from the commit (others may be editing the tree). */
function worktreeDirty(): boolean | null {
  try {
    const out = execFileSync("git", ["status", "--porcelain", "--", "src", "wrangler.toml", "package.json"], {
      cwd: WORKER_DIR,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    return out.trim().length > 0;
  } catch {
    return null;
  }
}

function gitCommit(): string {
  try {
    return execFileSync("git", ["rev-parse", "HEAD"], {
      cwd: WORKER_DIR,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return "unknown";
  }
}

/** Load average at the start of the run: a first hint that the machine was not quiet. */
export const LOAD_AT_START = loadavg();

export function runMeta(maxForeignCpuCores: number) {
  return {
    commit: gitCommit(),
    /** Set when the Worker measured is another checkout's (BENCH_WORKER_DIR). */
    workerDir: WORKER_DIR === ROOT ? null : WORKER_DIR,
    /** true: the Worker was built from uncommitted changes on top of `commit`. */
    worktreeDirty: worktreeDirty(),
    machine: {
      cpu: cpus()[0]?.model ?? "unknown",
      cores: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      kernel: release(),
      node: process.version,
      workerd: versionOf("workerd"),
      miniflare: versionOf("miniflare"),
      wrangler: versionOf("wrangler"),
      autocannon: versionOf("autocannon"),
      disk: "bench/out/state-<pid> (the repository's filesystem)",
      tmpfs: "/dev/shm",
      /** Most CPU (cores) that other processes and the hypervisor used during any phase. */
      maxForeignCpuCores,
      loadAverageAtStart: LOAD_AT_START.map((l) => Math.round(l * 100) / 100),
      loadAverageAtEnd: loadavg().map((l) => Math.round(l * 100) / 100),
    },
  };
}
