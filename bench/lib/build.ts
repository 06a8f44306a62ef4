// Builds the Worker as it deploys (`wrangler deploy --dry-run`, minified unless asked) and
// reads what the bench reports of it: bundle sizes, where the bytes come from, and the
// wrangler.toml settings the targets run with (bench/lib/targets.ts starts them).

import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const OUT = join(ROOT, "bench/out");
/**
 * The checkout whose Worker is built and measured: this one, or another one named by
 * BENCH_WORKER_DIR (to measure a branch with this bench, e.g. before it is merged).
 */
export const WORKER_DIR = resolve(process.env.BENCH_WORKER_DIR ?? ROOT);

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
  /**
   * Bytes of the unminified bundle per package or src/ folder, from esbuild's "// path" markers
   * (a minified bundle has none: the bench builds it a second time, unminified, to tell).
   */
  composition: { source: string; bytes: number; gzipBytes: number }[];
}

/**
 * Attributes bundle text to its origin (an npm package, a folder of src/, or src/ itself for its
 * top-level files) using esbuild's module comments.
 */
function composition(text: string): BuildInfo["composition"] {
  const parts = new Map<string, string[]>();
  let current = "(runtime glue)";
  for (const line of text.split("\n")) {
    const m = line.match(/^\/\/ (node_modules\/(?:@[^/]+\/)?[^/]+|src(?:\/[^/\s]+(?=\/))?|bench|\.\.\/)/);
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
const WRANGLER_ENV = { CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" };

/** `minify: false` keeps names and lines (bench:profile reads them); the bench measures what deploys. */
export async function buildWorker(opts: { minify?: boolean } = {}): Promise<BuildInfo> {
  const outdir = join(OUT, "worker");
  const output = await wranglerBuild(outdir, opts.minify !== false);
  // What the bytes are: the unminified build says (the minified one keeps no module comments).
  let unminified = outdir;
  if (opts.minify !== false) {
    unminified = join(OUT, "worker-unminified");
    await wranglerBuild(unminified, false);
  }
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
    composition: composition(readFileSync(join(unminified, "index.js"), "utf8")),
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

/** `wrangler deploy --dry-run` into `outdir`; its output (the size line). */
async function wranglerBuild(outdir: string, minify: boolean): Promise<string> {
  rmSync(outdir, { recursive: true, force: true });
  const wranglerBin = join(ROOT, "node_modules/wrangler/bin/wrangler.js");
  return new Promise<string>((resolvePromise, reject) => {
    // process.execPath is the pinned Node 24 (the wrangler shebang would pick the global Node).
    const child = spawn(
      process.execPath,
      [wranglerBin, "deploy", "--dry-run", "--outdir", outdir, ...(minify ? [] : ["--minify=false"])],
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
}
