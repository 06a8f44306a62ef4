// Runs the Worker, and the two reference Workers, on workerd through Miniflare's programmatic
// API (no `wrangler dev`, no proxy): each target gets its own workerd process and its own
// persistence directory, and the load goes to a direct workerd socket on 127.0.0.1. The build
// is bench/lib/build.ts; the /proc readings bench/lib/proc.ts.

import { rmSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { Log, LogLevel, Miniflare, convertV4MiniflareOptions } from "miniflare";
import { OUT, ROOT, type BuildInfo } from "./build.ts";
import { workerdChildren } from "./proc.ts";

export type TargetKind = "presence-edge" | "architecture" | "two-hop" | "runtime";
export type Placement = "disk" | "tmpfs" | "none";

export interface Target {
  kind: TargetKind;
  placement: Placement;
  label: string;
  url: string;
  persistDir: string | null;
  /**
   * The "bench-usage" Worker beside presence-edge: GET ?name=<DO name>[&of=shard|totals] →
   * storageUsage() of that user, index shard or totals object as JSON (USAGE_SCRIPT).
   */
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

const USAGE_WORKER = "bench-usage";
/**
 * Reads storage counters for the bench over plain HTTP (see usageReader in
 * bench/phases/storage-rows.ts for why not through Miniflare's proxy): `?name=` a user's object
 * (`<app>:<account>`), with `&of=shard` or `&of=totals` one of the who-is-online index's objects.
 * `POST /drive?name=<shard>&n=N&concurrency=C` calls that shard's update() N times, C at a time,
 * for as many accounts as calls (each a new row), and answers how long it took: the shard's own
 * rate, with nothing else running (bench/phases/online.ts).
 */
const USAGE_SCRIPT = `export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const name = url.searchParams.get("name");
    if (!name) return new Response("?name= is required", { status: 400 });
    const ns = { shard: env.SHARDS, totals: env.TOTALS }[url.searchParams.get("of") ?? ""] ?? env.USERS;
    if (!ns) return new Response("this build has no such object", { status: 404 });
    const stub = ns.get(ns.idFromName(name));
    try {
      if (url.pathname === "/drive") {
        const n = Number(url.searchParams.get("n"));
        const concurrency = Number(url.searchParams.get("concurrency"));
        const run = url.searchParams.get("run") ?? "0";
        let next = 0;
        const started = Date.now();
        const worker = async () => {
          while (next < n) {
            const i = next++;
            const entry = { status: "online", platforms: 1 << (i % 5), since: started };
            await stub.update("drive-" + run + "-" + i, entry, 1);
          }
        };
        await Promise.all(Array.from({ length: concurrency }, worker));
        return Response.json({ n, ms: Date.now() - started });
      }
      return Response.json(await stub.storageUsage());
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
  } else if (opts.kind === "two-hop") {
    // Two modules, listed: Miniflare does not follow a script's imports by itself.
    const dir = join(ROOT, "bench/reference");
    worker = {
      ...common,
      name: "two-hop",
      modulesRoot: dir,
      modules: ["two-hop.js", "shard-of.js"].map((file) => ({ type: "ESModule", path: join(dir, file) })),
      durableObjects: {
        REF_USER: { className: "RefUser", useSQLite: true },
        REF_SHARD: { className: "RefShard", useSQLite: true },
      },
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
  if (opts.kind === "presence-edge" && opts.build) {
    // The user objects, and the index's shards and totals when the build has them.
    const bind = (className: string) => {
      const d = opts.build!.durableObjects.find((o) => o.className === className);
      return d ? { className: d.className, scriptName: "presence-edge", useSQLite: d.sqlite } : undefined;
    };
    const users = opts.build.durableObjects[0];
    const durableObjects = Object.fromEntries(
      Object.entries({
        USERS: users ? bind(users.className) : undefined,
        SHARDS: bind("OnlineShard"),
        TOTALS: bind("OnlineTotals"),
      }).filter(([, d]) => d !== undefined),
    );
    if (durableObjects.USERS) workers.push({ ...common, name: USAGE_WORKER, script: USAGE_SCRIPT, durableObjects });
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
