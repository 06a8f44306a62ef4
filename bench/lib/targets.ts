// Builds the Worker and runs it, and the two reference Workers, on workerd through Miniflare's
// programmatic API (no `wrangler dev`, no proxy): each target gets its own workerd process and
// its own persistence directory, and the load goes to a direct workerd socket on 127.0.0.1.

import { spawn } from "node:child_process";
import { readFileSync, readdirSync, rmSync, mkdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { gzipSync } from "node:zlib";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Log, LogLevel, Miniflare, convertV4MiniflareOptions } from "miniflare";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const OUT = join(ROOT, "bench/out");
/**
 * The checkout whose Worker is built and measured: this one, or another one named by
 * BENCH_WORKER_DIR (to measure a branch with this bench, e.g. before it is merged).
 */
export const WORKER_DIR = resolve(process.env.BENCH_WORKER_DIR ?? ROOT);

export type TargetKind = "presence-edge" | "architecture" | "runtime";
export type Placement = "disk" | "tmpfs" | "none";

export interface BuildInfo {
  bundlePath: string;
  /** From wrangler's "Total Upload: X KiB / gzip: Y KiB" line. */
  wranglerUploadKiB: number | null;
  wranglerGzipKiB: number | null;
  /** Measured here (zlib level 9 of the bundle written by wrangler), as a cross-check. */
  bundleBytes: number;
  bundleGzipBytes: number;
  compatibilityDate: string;
  compatibilityFlags: string[];
  vars: Record<string, string>;
  durableObjects: { name: string; className: string; sqlite: boolean }[];
  /** Workers Logs settings of wrangler.toml: what each invocation costs in log events. */
  observability: { enabled: boolean; headSamplingRate: number; invocationLogs: boolean };
  /** Bytes of the (unminified) bundle per package or src/, from esbuild's "// path" markers. */
  composition: { source: string; bytes: number; gzipBytes: number }[];
}

/** Attributes bundle text to its origin (npm package or src) using esbuild's module comments. */
function composition(text: string): BuildInfo["composition"] {
  const parts = new Map<string, string[]>();
  let current = "(runtime glue)";
  for (const line of text.split("\n")) {
    const m = line.match(/^\/\/ (node_modules\/(?:@[^/]+\/)?[^/]+|src|bench|\.\.\/)/);
    if (m) current = m[1]!.replace(/^node_modules\//, "");
    let list = parts.get(current);
    if (!list) parts.set(current, (list = []));
    list.push(line);
  }
  return [...parts]
    .map(([source, lines]) => {
      const chunk = lines.join("\n");
      return { source, bytes: Buffer.byteLength(chunk), gzipBytes: gzipSync(chunk, { level: 9 }).length };
    })
    .sort((a, b) => b.bytes - a.bytes);
}

/** Same env prefix as the npm scripts: no metrics, no cf fetch. */
export const WRANGLER_ENV = { CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" };

/** `minify: false` keeps names and lines (bench:profile reads them); the bench measures what deploys. */
export async function buildWorker(opts: { minify?: boolean } = {}): Promise<BuildInfo> {
  const outdir = join(OUT, "worker");
  rmSync(outdir, { recursive: true, force: true });
  const wranglerBin = join(ROOT, "node_modules/wrangler/bin/wrangler.js");
  const output = await new Promise<string>((resolvePromise, reject) => {
    // process.execPath is the pinned Node 24 (the wrangler shebang would pick the global Node).
    const child = spawn(
      process.execPath,
      [wranglerBin, "deploy", "--dry-run", "--outdir", outdir, ...(opts.minify === false ? ["--minify=false"] : [])],
      {
        cwd: WORKER_DIR,
        env: { ...process.env, ...WRANGLER_ENV, FORCE_COLOR: "0", NO_COLOR: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let text = "";
    child.stdout.on("data", (d) => (text += d));
    child.stderr.on("data", (d) => (text += d));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolvePromise(text) : reject(new Error(`wrangler deploy --dry-run failed (${code}):\n${text}`)),
    );
  });
  const m = output.match(/Total Upload:\s*([\d.]+)\s*KiB\s*\/\s*gzip:\s*([\d.]+)\s*KiB/);
  const bundlePath = join(outdir, "index.js");
  const bundle = readFileSync(bundlePath);
  const { unstable_readConfig } = await import("wrangler");
  const config = unstable_readConfig({ config: join(WORKER_DIR, "wrangler.toml") });
  const sqliteClasses = new Set(
    config.migrations.flatMap((mg: { new_sqlite_classes?: string[] }) => mg.new_sqlite_classes ?? []),
  );
  return {
    bundlePath,
    wranglerUploadKiB: m ? Number(m[1]) : null,
    wranglerGzipKiB: m ? Number(m[2]) : null,
    bundleBytes: bundle.length,
    bundleGzipBytes: gzipSync(bundle, { level: 9 }).length,
    compatibilityDate: config.compatibility_date ?? "2026-11-01",
    compatibilityFlags: config.compatibility_flags ?? [],
    vars: Object.fromEntries(Object.entries(config.vars ?? {}).map(([k, v]) => [k, String(v)])),
    composition: composition(bundle.toString("utf8")),
    observability: {
      enabled: config.observability?.enabled === true,
      headSamplingRate: config.observability?.head_sampling_rate ?? 1,
      invocationLogs: config.observability?.logs?.invocation_logs !== false,
    },
    durableObjects: (config.durable_objects?.bindings ?? []).map((b: { name: string; class_name: string }) => ({
      name: b.name,
      className: b.class_name,
      sqlite: sqliteClasses.has(b.class_name),
    })),
  };
}

export interface Target {
  kind: TargetKind;
  placement: Placement;
  label: string;
  url: string;
  persistDir: string | null;
  /** The "bench-usage" Worker beside presence-edge: GET ?name=<DO name> → storageUsage() as JSON. */
  usageUrl: string | null;
  workerdPid: number | null;
  logLines: () => string[];
  logLineCount: () => number;
  mf: Miniflare;
  build: BuildInfo | null;
  dispose: () => Promise<void>;
}

export interface StartOptions {
  kind: TargetKind;
  placement: Placement;
  build: BuildInfo | null;
  /** Bindings for the real Worker (secrets and overrides of wrangler.toml vars). */
  bindings?: Record<string, string>;
  labelSuffix?: string;
  /** Starts workerd's DevTools inspector on this port (for bench/profile.ts). */
  inspectorPort?: number;
}

/**
 * Per process, so that two runs at once (another worktree's CI, a profile beside a bench)
 * never share or delete each other's state.
 */
export const TMPFS_BASE = `/dev/shm/presence-edge-bench-${process.pid}`;

export function persistDirFor(placement: Placement, name: string): string | null {
  if (placement === "none") return null;
  const base = placement === "tmpfs" ? TMPFS_BASE : join(OUT, `state-${process.pid}`);
  return join(base, name);
}

/**
 * Every workerd the bench starts goes through bench/lib/workerd-nofile.sh, which raises its
 * open-files limit (each live Durable Object holds 3 SQLite files open) and execs the real
 * binary: the one Miniflare would run (its own `workerd` dependency), or the one a caller
 * already named in MINIFLARE_WORKERD_PATH.
 */
function useOpenFilesWrapper(): void {
  const wrapper = join(ROOT, "bench/lib/workerd-nofile.sh");
  if (process.env.MINIFLARE_WORKERD_PATH === wrapper) return;
  const fromMiniflare = createRequire(createRequire(import.meta.url).resolve("miniflare"));
  const real = process.env.MINIFLARE_WORKERD_PATH ?? (fromMiniflare("workerd") as { default: string }).default;
  process.env.BENCH_REAL_WORKERD = real;
  process.env.MINIFLARE_WORKERD_PATH = wrapper;
}

/** A process's soft "Max open files" from /proc/<pid>/limits; null if unknown. */
export function openFilesLimit(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    const line = readFileSync(`/proc/${pid}/limits`, "utf8")
      .split("\n")
      .find((l) => l.startsWith("Max open files"));
    const soft = line?.slice("Max open files".length).trim().split(/\s+/)[0];
    return soft === undefined || soft === "unlimited" ? null : Number(soft);
  } catch {
    return null;
  }
}

/** How many files a process has open now (entries of /proc/<pid>/fd); null if unknown. */
export function openFilesOf(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return null;
  }
}

/** Files each live Durable Object keeps open in local workerd: its SQLite db, -wal and -shm. */
export const FILES_PER_OBJECT = 3;
/**
 * Files kept free for sockets (load connections, the stand-in, the bench's reads) and the rest
 * of workerd: at 6 318 reconcile users the peak was 19 011 files, ~60 beside the objects' own.
 */
const FILES_RESERVE = 1000;

/** How many more live objects a workerd's open-files limit holds beside what is open now; null if unknown. */
export function objectsThatFit(pid: number | null): number | null {
  const limit = openFilesLimit(pid);
  if (limit === null) return null;
  return Math.max(0, Math.floor((limit - (openFilesOf(pid) ?? 0) - FILES_RESERVE) / FILES_PER_OBJECT));
}

/** The direct children of this process that are workerd binaries (one per Miniflare). */
function workerdChildren(): Set<number> {
  const pids = new Set<number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const comm = stat.slice(stat.indexOf("(") + 1, close);
      const ppid = Number(stat.slice(close + 2).split(" ")[1]);
      if (ppid === process.pid && comm.startsWith("workerd")) pids.add(Number(entry));
    } catch {
      // process went away
    }
  }
  return pids;
}

/**
 * Machine-wide CPU time (ms) spent busy so far, and stolen by the hypervisor, from /proc/stat:
 * with the workerd and bench process figures it tells how much else ran during a phase.
 */
export function machineCpuMs(): { busy: number; steal: number } {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0]!;
    const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
    const busy = user! + nice! + system! + irq! + softirq!;
    return { busy: (busy * 1000) / 100, steal: (steal! * 1000) / 100 };
  } catch {
    return { busy: NaN, steal: NaN };
  }
}

/** Milliseconds each block device (whole disks, no partitions) has spent doing I/O so far. */
export function diskBusyMs(): Map<string, number> {
  const busy = new Map<string, number>();
  try {
    for (const line of readFileSync("/proc/diskstats", "utf8").split("\n")) {
      const f = line.trim().split(/\s+/);
      const name = f[2];
      if (!name || /^(loop|ram|zram)/.test(name) || /^(sd[a-z]+|vd[a-z]+|xvd[a-z]+)\d+$|^nvme\d+n\d+p\d+$/.test(name))
        continue;
      busy.set(name, Number(f[12])); // field 13: time spent doing I/Os (ms)
    }
  } catch {
    // not Linux
  }
  return busy;
}

/** CPU time (user + system, ms) consumed so far by a process, from /proc; null if unknown. */
export function cpuMsOf(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15)
    return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

const USAGE_WORKER = "bench-usage";
const USAGE_SCRIPT = `export default {
  async fetch(request, env) {
    const name = new URL(request.url).searchParams.get("name");
    if (!name) return new Response("?name= is required", { status: 400 });
    try {
      return Response.json(await env.USERS.get(env.USERS.idFromName(name)).storageUsage());
    } catch (error) {
      return new Response(String(error), { status: 500 });
    }
  },
};`;

export async function startTarget(opts: StartOptions): Promise<Target> {
  const label = `${opts.kind}${opts.placement === "none" ? "" : `/${opts.placement}`}${opts.labelSuffix ?? ""}`;
  const persistDir = persistDirFor(opts.placement, `${opts.kind}${opts.labelSuffix ?? ""}`);
  if (persistDir) {
    rmSync(persistDir, { recursive: true, force: true });
    mkdirSync(persistDir, { recursive: true });
  }
  const lines: string[] = [];
  let lineCount = 0;
  const common = {
    modules: true,
    compatibilityDate: opts.build?.compatibilityDate ?? "2026-11-01",
    unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
  };
  let worker: Record<string, unknown>;
  if (opts.kind === "presence-edge") {
    if (!opts.build) throw new Error("presence-edge needs a build");
    worker = {
      ...common,
      name: "presence-edge",
      scriptPath: opts.build.bundlePath,
      compatibilityFlags: opts.build.compatibilityFlags,
      bindings: { ...opts.build.vars, ...opts.bindings },
      durableObjects: Object.fromEntries(
        opts.build.durableObjects.map((d) => [d.name, { className: d.className, useSQLite: d.sqlite }]),
      ),
    };
  } else if (opts.kind === "architecture") {
    worker = {
      ...common,
      name: "architecture",
      scriptPath: join(ROOT, "bench/reference/architecture.js"),
      durableObjects: { REF_USER: { className: "RefUser", useSQLite: true } },
    };
  } else {
    worker = { ...common, name: "runtime", scriptPath: join(ROOT, "bench/reference/trivial.js") };
  }
  useOpenFilesWrapper();
  const workers = [worker];
  const users = opts.build?.durableObjects[0];
  if (opts.kind === "presence-edge" && users) {
    // Reads a user's storage counters for the bench over plain HTTP (see usageReader in
    // bench/phases/storage-rows.ts for why not through Miniflare's proxy).
    workers.push({
      ...common,
      name: USAGE_WORKER,
      script: USAGE_SCRIPT,
      durableObjects: {
        USERS: { className: users.className, scriptName: "presence-edge", useSQLite: users.sqlite },
      },
    });
  }
  const before = workerdChildren();
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      ...(persistDir ? { resourcePersistencePath: persistDir } : {}),
      ...(opts.inspectorPort ? { inspectorPort: opts.inspectorPort } : {}),
      log: new Log(LogLevel.WARN),
      cf: false, // no fetch of the Request.cf object from the internet
      handleStructuredLogs: (log: { level: string; message: string }) => {
        lineCount++;
        if (lines.length < 50) lines.push(`[${log.level}] ${log.message}`);
      },
      workers,
    } as unknown as Parameters<typeof convertV4MiniflareOptions>[0]),
  );
  await mf.ready;
  const url = (await mf.unsafeGetDirectURL(String(worker.name))).href.replace(/\/$/, "");
  const usageUrl = workers.length > 1 ? (await mf.unsafeGetDirectURL(USAGE_WORKER)).href.replace(/\/$/, "") : null;
  const spawned = [...workerdChildren()].filter((p) => !before.has(p));
  return {
    kind: opts.kind,
    placement: opts.placement,
    label,
    url,
    persistDir,
    usageUrl,
    workerdPid: spawned.length === 1 ? spawned[0]! : null,
    logLines: () => lines,
    logLineCount: () => lineCount,
    mf,
    build: opts.build,
    dispose: async () => {
      // A workerd that stopped answering can hold Miniflare's dispose (and its exit hook):
      // give it a while, then kill the process ourselves.
      const pid = spawned.length === 1 ? spawned[0]! : null;
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), 30_000)));
      const outcome = await Promise.race([mf.dispose().then(() => "done" as const), gaveUp]);
      clearTimeout(timer);
      if (outcome === "timeout" && pid !== null) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
      if (persistDir) rmSync(persistDir, { recursive: true, force: true });
    },
  };
}

/** Size of a directory tree in bytes (DO SQLite files), for the report. */
export function dirBytes(dir: string | null): number | null {
  if (!dir) return null;
  let total = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else total += statSync(p).size;
    }
  };
  try {
    walk(dir);
  } catch {
    return null;
  }
  return total;
}
