// Where does presence-edge spend its CPU per callback? A sampling CPU profile of the Worker
// (and its Durable Objects, same isolate) under the bench's steady-ingest load, through
// workerd's DevTools inspector, summarised by function and by source file.
//
// `npm run bench:profile -- --help` for the options. --target architecture (or two-hop) profiles
// a ceiling under the same load instead, so the two "ms per callback" figures say how much CPU
// presence-edge adds and the two tables where; --target index-off the Worker with ONLINE_INDEX=off.
// --kind applied (default) | duplicate | first-touch. The raw .cpuprofile is written to
// bench/out/ (open it in Chrome DevTools → Performance, or speedscope).

import { writeFileSync, readFileSync, mkdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fail, intOption, readCommandLine } from "../scripts/lib/cli.ts";
import { OUT, buildWorker } from "./lib/build.ts";
import { TMPFS_BASE, startTarget } from "./lib/targets.ts";
import { runLoad } from "./lib/load.ts";
import { CallbackWorkload } from "./lib/workload.ts";

const { values: args } = readCommandLine({
  name: "npm run bench:profile",
  usage: `usage: npm run bench:profile -- [options]

A sampling CPU profile of the Worker under the bench's steady-ingest load, summarised by
function and by source file; the raw .cpuprofile goes to bench/out/.

options:
  --kind K           applied (default), duplicate or first-touch callbacks
  --target T         presence-edge (default), index-off (ONLINE_INDEX=off), or a ceiling
                     under the same load: architecture (one hop) or two-hop
  --seconds S        how long the load runs (default 8)
  --users N          users of the workload (default 2000)
  --connections N    connections of the load (default 32)
  --top N            functions listed (default 25)
  --out FILE         where the .cpuprofile goes (default bench/out/<target>-<kind>.cpuprofile)
  -h, --help`,
  options: {
    seconds: { type: "string", default: "8" },
    users: { type: "string", default: "2000" },
    kind: { type: "string", default: "applied" },
    target: { type: "string", default: "presence-edge" },
    connections: { type: "string", default: "32" },
    top: { type: "string", default: "25" },
    out: { type: "string" },
  },
});

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** A free port for workerd's inspector, in the bench's range (8860-8869). */
async function freePort(): Promise<number> {
  for (let port = 8860; port <= 8869; port++) {
    const free = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once("error", () => resolve(false));
      srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
    });
    if (free) return port;
  }
  fail("no free port in 8860-8869 for workerd's inspector: is another bench:profile running?");
}

/** A minimal Chrome DevTools Protocol client over the global WebSocket. */
async function cdp(url: string) {
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener("open", () => resolve(), { once: true });
    ws.addEventListener("error", () => reject(new Error(`cannot connect to ${url}`)), { once: true });
  });
  let next = 1;
  const pending = new Map<number, (v: unknown) => void>();
  ws.addEventListener("message", (ev) => {
    const msg = JSON.parse(String(ev.data)) as { id?: number; result?: unknown; error?: unknown };
    if (msg.id !== undefined && pending.has(msg.id)) {
      pending.get(msg.id)!(msg.error ? Promise.reject(new Error(JSON.stringify(msg.error))) : msg.result);
      pending.delete(msg.id);
    }
  });
  return {
    send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
      const id = next++;
      ws.send(JSON.stringify({ id, method, params }));
      return new Promise<T>((resolve) => pending.set(id, resolve as (v: unknown) => void));
    },
    close: () => ws.close(),
  };
}

/** Maps a bundle line to its source module using esbuild's "// path" markers. */
function sourceMapper(bundle: string): (line: number) => string {
  const markers: { line: number; source: string }[] = [];
  bundle.split("\n").forEach((text, i) => {
    const m = text.match(/^\/\/ ((?:node_modules\/(?:@[^/]+\/)?[^/]+)|src\/\S+)/);
    if (m) markers.push({ line: i, source: m[1]!.replace(/^node_modules\//, "") });
  });
  return (line) => {
    let lo = 0;
    let hi = markers.length - 1;
    let best = "(bundle)";
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (markers[mid]!.line <= line) {
        best = markers[mid]!.source;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return best;
  };
}

// Unminified, so the tables name our functions and lines (the code is the same otherwise).
const build = await buildWorker({ minify: false });
const port = await freePort();
const TARGETS = ["presence-edge", "index-off", "architecture", "two-hop"] as const;
if (!(TARGETS as readonly string[]).includes(args.target)) {
  fail(`--target: one of ${TARGETS.join(", ")}, got ${JSON.stringify(args.target)}`, 2);
}
if (!["applied", "duplicate", "first-touch"].includes(args.kind)) {
  fail(`--kind: applied, duplicate or first-touch, got ${JSON.stringify(args.kind)}`, 2);
}
const targetName = args.target as (typeof TARGETS)[number];
const targetKind = targetName === "index-off" ? "presence-edge" : targetName;
const connections = intOption("connections", args.connections, 1);
const seconds = intOption("seconds", args.seconds, 1);
const top = intOption("top", args.top, 1);
const target = await startTarget({
  kind: targetKind,
  placement: "tmpfs",
  build,
  labelSuffix: "+profile",
  inspectorPort: port,
  bindings: {
    IM_SDKAPPIDS: "1400000000",
    IM_CALLBACK_TOKEN: "profile-token",
    API_TOKENS: "profile-api-token",
    ...(targetName === "index-off" ? { ONLINE_INDEX: "off" } : {}),
  },
});
try {
  const users = intOption("users", args.users, 1);
  const w = new CallbackWorkload({ app: "1400000000", token: "profile-token", users, prefix: "prof" });
  await runLoad({ url: target.url, connections, amount: users, next: () => w.precreate() });
  const list = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as {
    id: string;
    title?: string;
    webSocketDebuggerUrl?: string;
  }[];
  const entry = list.find((t) => t.id.includes(targetKind) || t.title?.includes(targetKind)) ?? list[0];
  if (!entry) throw new Error("no inspector target");
  const wsUrl = entry.webSocketDebuggerUrl ?? `ws://127.0.0.1:${port}/${entry.id}`;
  const client = await cdp(wsUrl);
  await client.send("Profiler.enable");
  await client.send("Profiler.setSamplingInterval", { interval: 100 });
  await client.send("Profiler.start");
  const next =
    args.kind === "duplicate"
      ? () => w.duplicateOrStale()
      : args.kind === "first-touch"
        ? () => w.firstTouch()
        : () => w.applied();
  const load = await runLoad({ url: target.url, connections, duration: seconds, next });
  const { profile } = await client.send<{ profile: CpuProfile }>("Profiler.stop");
  client.close();

  mkdirSync(OUT, { recursive: true });
  const outFile = args.out ?? join(OUT, `${targetName}-${args.kind}.cpuprofile`);
  writeFileSync(outFile, JSON.stringify(profile));

  // Self time per node, from the sample intervals.
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const toSource = sourceMapper(readFileSync(build.bundlePath, "utf8"));
  const where = (f: CallFrame) =>
    f.url.endsWith("index.js") || f.url === "" ? (f.url ? toSource(f.lineNumber) : "(native)") : f.url;
  const byFunction = new Map<string, number>();
  const bySource = new Map<string, number>();
  for (const [id, us] of self) {
    const f = byId.get(id)!.callFrame;
    const name = `${f.functionName || "(anonymous)"}  ${where(f)}${f.url ? `:${f.lineNumber + 1}` : ""}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    const src = f.functionName === "(idle)" ? "(idle)" : where(f);
    bySource.set(src, (bySource.get(src) ?? 0) + us);
  }
  const busy = total - (bySource.get("(idle)") ?? 0);
  const perCallback = (us: number) => (us / 1000 / load.requests).toFixed(4);
  console.log(
    `\n${load.requests} ${args.kind} callbacks in ${load.seconds}s (${load.rps.toFixed(0)}/s); isolate busy ${(busy / 1000).toFixed(0)} ms = ${perCallback(busy)} ms per callback (profiler on)`,
  );
  console.log(`\nself time by source (ms per callback, share of busy):`);
  for (const [src, us] of [...bySource].filter(([s]) => s !== "(idle)").sort((a, b) => b[1] - a[1]))
    console.log(`  ${perCallback(us).padStart(8)}  ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${src}`);
  console.log(`\ntop ${args.top} functions by self time:`);
  for (const [fn, us] of [...byFunction]
    .filter(([n]) => !n.startsWith("(idle)"))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top))
    console.log(`  ${perCallback(us).padStart(8)}  ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${fn}`);
  console.log(`\nwrote ${outFile}`);
} finally {
  await target.dispose();
  rmSync(TMPFS_BASE, { recursive: true, force: true });
}
