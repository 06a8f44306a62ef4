// presence-edge benchmark.
//
//   npm run bench            full run (about 4 minutes on 2 cores), writes bench/results.json
//   npm run bench:smoke      seconds-long run of every phase, writes bench/out/results.smoke.json
//
// Builds the Worker with `wrangler deploy --dry-run`, runs it on workerd through Miniflare's
// programmatic API (direct workerd socket, no `wrangler dev` proxy) with Durable Object SQLite
// persisted on local disk and on tmpfs (/dev/shm), next to two reference Workers built here:
//   runtime ceiling       bench/reference/trivial.js       answers "ok"
//   architecture ceiling  bench/reference/architecture.js  parses the body, one RPC to a
//                                                          per-user SQLite DO doing one upsert
// and drives each in turn with autocannon from this process. All load goes to 127.0.0.1 and
// every phase is bounded in time or count. See docs/PERFORMANCE.md.

import { execFileSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync, mkdirSync, rmSync } from "node:fs";
import { cpus, totalmem, release } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Webhook } from "standardwebhooks";
import {
  ROOT,
  OUT,
  buildWorker,
  startTarget,
  cpuMsOf,
  dirBytes,
  machineCpuMs,
  diskBusyMs,
  type BuildInfo,
  type Placement,
  type Target,
  type TargetKind,
} from "./lib/targets.ts";
import { CallbackWorkload, percentile, runLoad, runRate, type LoadResult, type Req } from "./lib/load.ts";
import { PRICES, costPerMillion, type CostBreakdown } from "./lib/prices.ts";

// ---------------------------------------------------------------------------------------------
// Profiles

const { values: args } = parseArgs({
  options: {
    smoke: { type: "boolean", default: false },
    strict: { type: "boolean", default: false },
    connections: { type: "string" },
    users: { type: "string" },
    seconds: { type: "string" },
    rounds: { type: "string" },
    out: { type: "string" },
  },
});

interface Profile {
  name: "full" | "smoke";
  users: number;
  connections: number;
  steadySec: number;
  dupSec: number;
  firstTouchSec: number;
  rateSec: number;
  rate: number;
  /** Unused since the fixed-rate phase is open-loop (runRate); kept for --connections symmetry. */
  rateConnections: number;
  batchSize: number;
  batchRequests: number;
  probeEach: number;
  webhookCallbacks: number;
  /** Each phase is split in this many alternating rounds between reference and Worker. */
  rounds: number;
}

const profile: Profile = args.smoke
  ? {
      name: "smoke",
      users: 60,
      connections: 8,
      steadySec: 1,
      dupSec: 1,
      firstTouchSec: 1,
      rateSec: 1,
      rate: 200,
      rateConnections: 16,
      batchSize: 60,
      batchRequests: 3,
      probeEach: 2,
      webhookCallbacks: 3,
      rounds: 1,
    }
  : {
      name: "full",
      users: 2000,
      connections: 32,
      steadySec: 10,
      dupSec: 8,
      firstTouchSec: 8,
      rateSec: 10,
      rate: 1000,
      rateConnections: 64,
      batchSize: 500,
      batchRequests: 40,
      probeEach: 10,
      webhookCallbacks: 40,
      rounds: 2,
    };
if (args.connections) profile.connections = Number(args.connections);
if (args.users) profile.users = Number(args.users);
if (args.rounds) profile.rounds = Number(args.rounds);
if (args.seconds) profile.steadySec = profile.dupSec = profile.firstTouchSec = profile.rateSec = Number(args.seconds);

const APP = "1400000000";
const CALLBACK_TOKEN = "bench-callback-token";
const API_TOKEN = "bench-api-token";
/** Bindings for the real Worker: no webhook subscribers (added only for the webhook phase). */
const PE_BINDINGS: Record<string, string> = {
  IM_SDKAPPIDS: APP,
  IM_CALLBACK_TOKEN: CALLBACK_TOKEN,
  API_TOKENS: API_TOKEN,
  IM_ALLOW_UNSIGNED: "false",
  OFFLINE_GRACE_SECONDS: "0",
  HISTORY_LIMIT: "100",
  // Asks the Worker to expose storage-row counters on callback replies (see PERFORMANCE.md).
  BENCH_STORAGE_STATS: "true",
};

const log = (s: string) => console.log(s);
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)}s`;

// ---------------------------------------------------------------------------------------------
// Phases

interface Phase extends LoadResult {
  /** workerd CPU (user+sys) per completed request, ms. */
  cpuMsPerRequest: number | null;
  /** CPU used by this (load-generating) Node process, as a share of one core. */
  driverCpuCores: number;
  /** console lines the Worker logged per request (Workers Logs events, with the invocation log). */
  logLinesPerRequest: number;
  /**
   * CPU used by everything else on the machine during the phase (cores): other processes, plus
   * time stolen by the hypervisor. Above ~0.2 the phase shares the 2 cores and its figures are low.
   */
  foreignCpuCores: number | null;
  stealCpuCores: number | null;
  /** The worst round of a merged phase (foreign + steal), for the noise warning. */
  noiseCoresMax?: number;
  /**
   * Busiest block device's utilisation during the phase (0..1), whoever caused it. On a tmpfs
   * phase the bench writes nothing to disk, so a high figure there means other I/O.
   */
  diskUtil: number | null;
}

/** One phase measured in several rounds, as if it had been one: sums, weighted means, percentiles of all samples. */
function mergePhases(parts: Phase[]): Phase {
  if (parts.length === 1) return parts[0]!;
  const sum = (f: (p: Phase) => number) => parts.reduce((a, p) => a + f(p), 0);
  const requests = sum((p) => p.requests);
  const seconds = sum((p) => p.seconds);
  const ok = sum((p) => p.ok);
  const all = new Float64Array(requests);
  let offset = 0;
  for (const p of parts) {
    all.set(p.samples, offset);
    offset += p.samples.length;
  }
  all.sort();
  const statusCodes: Record<string, number> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.statusCodes)) statusCodes[k] = (statusCodes[k] ?? 0) + v;
  const perRequest = (f: (p: Phase) => number | null) =>
    parts.some((p) => f(p) === null) || requests === 0 ? null : sum((p) => f(p)! * p.requests) / requests;
  const perSecond = (f: (p: Phase) => number | null) =>
    parts.some((p) => f(p) === null) ? null : sum((p) => f(p)! * p.seconds) / seconds;
  const merged: Phase = {
    requests,
    ok,
    non2xx: sum((p) => p.non2xx),
    errors: sum((p) => p.errors),
    timeouts: sum((p) => p.timeouts),
    statusCodes,
    seconds,
    rps: ok / seconds,
    p50: percentile(all, 50),
    p90: percentile(all, 90),
    p99: percentile(all, 99),
    max: all.length ? all[all.length - 1]! : NaN,
    mean: sum((p) => p.mean * p.requests) / requests,
    autocannonP99: Math.max(...parts.map((p) => p.autocannonP99)),
    samples: all,
    cpuMsPerRequest: perRequest((p) => p.cpuMsPerRequest),
    driverCpuCores: perSecond((p) => p.driverCpuCores)!,
    logLinesPerRequest: perRequest((p) => p.logLinesPerRequest) ?? 0,
    foreignCpuCores: perSecond((p) => p.foreignCpuCores),
    stealCpuCores: perSecond((p) => p.stealCpuCores),
    noiseCoresMax: Math.max(...parts.map((p) => (p.foreignCpuCores ?? 0) + (p.stealCpuCores ?? 0))),
    diskUtil: perSecond((p) => p.diskUtil),
  };
  Object.defineProperty(merged, "samples", { value: all, enumerable: false });
  return merged;
}

async function phase(target: Target, name: string, load: Parameters<typeof runLoad>[0]): Promise<Phase> {
  const cpu0 = cpuMsOf(target.workerdPid);
  const lines0 = target.logLineCount();
  const machine0 = machineCpuMs();
  const disk0 = diskBusyMs();
  const drv0 = process.cpuUsage();
  // A fixed rate is driven open-loop (runRate); everything else closed-loop by autocannon.
  const r =
    load.overallRate !== undefined
      ? await runRate({
          url: load.url,
          rate: load.overallRate,
          seconds: load.duration ?? 5,
          next: load.next,
          timeoutSec: load.timeoutSec,
        })
      : await runLoad(load);
  const cpu1 = cpuMsOf(target.workerdPid);
  const drv = process.cpuUsage(drv0);
  const machine1 = machineCpuMs();
  const disk1 = diskBusyMs();
  const wallMs = r.seconds * 1000;
  const ours = (cpu1 ?? 0) - (cpu0 ?? 0) + (drv.user + drv.system) / 1000;
  const foreign = cpu0 === null ? null : Math.max(0, (machine1.busy - machine0.busy - ours) / wallMs);
  const steal = (machine1.steal - machine0.steal) / wallMs;
  const p: Phase = {
    ...r,
    samples: r.samples,
    cpuMsPerRequest: cpu0 !== null && cpu1 !== null && r.requests > 0 ? (cpu1 - cpu0) / r.requests : null,
    driverCpuCores: (drv.user + drv.system) / 1000 / (r.seconds * 1000),
    logLinesPerRequest: r.requests > 0 ? (target.logLineCount() - lines0) / r.requests : 0,
    foreignCpuCores: foreign === null || Number.isNaN(foreign) ? null : foreign,
    stealCpuCores: Number.isNaN(steal) ? null : steal,
    diskUtil: disk1.size
      ? Math.min(1, Math.max(0, ...[...disk1].map(([d, ms]) => (ms - (disk0.get(d) ?? ms)) / wallMs)))
      : null,
  };
  Object.defineProperty(p, "samples", { value: r.samples, enumerable: false });
  const noisy = (p.foreignCpuCores ?? 0) + (p.stealCpuCores ?? 0) > 0.2;
  const bad = r.non2xx + r.errors + r.timeouts;
  log(
    `  ${target.label.padEnd(26)} ${name.padEnd(16)} ${fmt(p.rps, 0).padStart(6)}/s  p50 ${fmt(p.p50, 2).padStart(6)}ms  p99 ${fmt(p.p99, 2).padStart(7)}ms` +
      `  n=${r.requests}${bad ? `  NOT OK: ${bad} (${JSON.stringify(r.statusCodes)}, errors ${r.errors})` : ""}` +
      `  workerd ${fmt(p.cpuMsPerRequest, 3)} CPU ms/req, driver ${fmt(p.driverCpuCores, 2)} core` +
      `${noisy ? `  NOISY: other load ${fmt(p.foreignCpuCores, 2)} + steal ${fmt(p.stealCpuCores, 2)} cores` : ""}` +
      `${p.diskUtil !== null && p.diskUtil > 0.3 ? `  disk ${(100 * p.diskUtil).toFixed(0)}% busy` : ""}  [${elapsed()}]`,
  );
  return p;
}

async function post(url: string, req: Req): Promise<Response> {
  return fetch(url + req.path, {
    method: req.method ?? "POST",
    headers: { "content-type": "application/json", ...req.headers },
    body: req.body,
  });
}

interface Probe {
  kind: string;
  n: number;
  statuses: number[];
  rowsRead: number | null;
  rowsWritten: number | null;
  /** setAlarm() calls per callback: each is billed as one row written (null if not reported). */
  alarmsSet: number | null;
  /** Where the row counts came from: reply headers, or the Durable Object's storageUsage() RPC. */
  source: "headers" | "rpc" | null;
  outcomes: string[];
}

interface Usage {
  rowsRead: number;
  rowsWritten: number;
  alarmsSet: number | null;
}
type UsageReader = (account: string) => Promise<Usage | null>;

/**
 * The Worker's own storage-row counters for one user, read through Miniflare from Node: the
 * Durable Object's `storageUsage()` RPC (cumulative SQL cursor counters of the live instance).
 * Null when the Worker has no such method.
 */
async function usageReader(t: Target): Promise<UsageReader | null> {
  if (t.kind !== "presence-edge") return null;
  try {
    const binding = t.build?.durableObjects[0]?.name ?? "USER_PRESENCE";
    const ns = (await t.mf.getDurableObjectNamespace(binding, "presence-edge")) as unknown as {
      idFromName(name: string): unknown;
      get(id: unknown): { storageUsage(): Promise<{ rowsRead: number; rowsWritten: number; alarmsSet?: number }> };
    };
    const read: UsageReader = async (account) => {
      const u = await ns.get(ns.idFromName(`${APP}:${account}`)).storageUsage();
      const alarms = (u as { alarmsSet?: unknown }).alarmsSet;
      return {
        rowsRead: Number(u.rowsRead),
        rowsWritten: Number(u.rowsWritten),
        alarmsSet: typeof alarms === "number" ? alarms : null,
      };
    };
    await read("bench-usage-probe"); // throws if the method does not exist
    return read;
  } catch {
    return null;
  }
}

const accountOf = (req: Req) => (JSON.parse(req.body) as { Info: { To_Account: string } }).Info.To_Account;

/** Sends callbacks of one kind one at a time and averages the storage rows each one cost. */
async function probe(
  url: string,
  kind: string,
  make: (i: number) => Req,
  n: number,
  usage: UsageReader | null,
): Promise<Probe> {
  let read = 0;
  let written = 0;
  let alarms: number | null = 0;
  let counted = 0;
  let source: Probe["source"] = null;
  const statuses: number[] = [];
  const outcomes: string[] = [];
  for (let i = 0; i < n; i++) {
    const req = make(i);
    const account = accountOf(req);
    const before = usage ? await usage(account).catch(() => null) : null;
    const res = await post(url, req);
    await res.arrayBuffer();
    statuses.push(res.status);
    const r = res.headers.get("x-storage-rows-read");
    const w = res.headers.get("x-storage-rows-written");
    const o = res.headers.get("x-presence-outcome");
    if (o) outcomes.push(o);
    if (r !== null && w !== null) {
      read += Number(r);
      written += Number(w);
      counted++;
      source = "headers";
    } else if (usage && before) {
      const after = await usage(account).catch(() => null);
      if (after) {
        read += after.rowsRead - before.rowsRead;
        written += after.rowsWritten - before.rowsWritten;
        alarms =
          after.alarmsSet === null || before.alarmsSet === null || alarms === null
            ? null
            : alarms + after.alarmsSet - before.alarmsSet;
        counted++;
        source = "rpc";
      }
    }
  }
  return {
    kind,
    n,
    statuses: [...new Set(statuses)],
    rowsRead: counted === n ? read / n : null,
    rowsWritten: counted === n ? written / n : null,
    alarmsSet: counted === n && source === "rpc" && alarms !== null ? alarms / n : null,
    source: counted === n ? source : null,
    outcomes: [...new Set(outcomes)],
  };
}

interface StorageFigures {
  label: string;
  ready: boolean;
  notes: string[];
  precreate?: Phase;
  steady?: Phase;
  duplicateStale?: Phase;
  firstTouch?: Phase;
  rate1000?: Phase;
  batch?: Phase;
  probes?: Probe[];
  historyCheck?: string;
  storageBytes?: number | null;
  logSample?: string[];
}

async function preflight(t: Target, w: CallbackWorkload): Promise<string | null> {
  try {
    if (t.kind === "runtime") return null;
    const res = await post(t.url, w.firstTouch());
    const text = await res.text();
    if (res.status !== 200) return `a signed Login callback answered HTTP ${res.status}: ${text.slice(0, 200)}`;
    if (t.kind === "presence-edge" && !text.includes('"ActionStatus":"OK"')) {
      return `a signed Login callback answered ${text.slice(0, 200)}`;
    }
    return null;
  } catch (e) {
    return `request failed: ${(e as Error).message}`;
  }
}

interface Side {
  t: Target;
  w: CallbackWorkload;
  fig: StorageFigures;
}

interface PhaseDef {
  key: "steady" | "duplicateStale" | "rate1000" | "batch" | "firstTouch";
  name: string;
  /** Seconds for a duration phase, or a request count for a fixed-amount phase. */
  seconds?: number;
  amount?: number;
  connections: number;
  overallRate?: number;
  timeoutSec?: number;
  next: (w: CallbackWorkload) => () => Req;
  skipRuntime?: boolean;
}

function batchRequest(w: CallbackWorkload): () => Req {
  const size = Math.min(profile.batchSize, w.population.length);
  let window = 0;
  return () => {
    const start = (window++ * size) % w.population.length;
    const accounts = Array.from({ length: size }, (_, j) => w.population[(start + j) % w.population.length]!);
    return {
      path: `/v1/apps/${APP}/presence/query`,
      body: JSON.stringify({ accounts }),
      headers: { authorization: `Bearer ${API_TOKEN}` },
    };
  };
}

/** The load phases, in order. Batch runs right after the rate phase, while objects are warm. */
function phaseDefs(): PhaseDef[] {
  const c = profile.connections;
  return [
    {
      key: "steady",
      name: "steady ingest",
      seconds: profile.steadySec,
      connections: c,
      next: (w) => () => w.applied(),
    },
    {
      key: "duplicateStale",
      name: "duplicate/stale",
      seconds: profile.dupSec,
      connections: c,
      next: (w) => () => w.duplicateOrStale(),
      skipRuntime: true,
    },
    {
      key: "rate1000",
      name: `steady ${profile.rate}/s`,
      seconds: profile.rateSec,
      connections: profile.rateConnections,
      overallRate: profile.rate,
      next: (w) => () => w.applied(),
    },
    {
      key: "batch",
      name: `batch-${Math.min(profile.batchSize, profile.users)} query`,
      amount: profile.batchRequests,
      connections: 1,
      timeoutSec: 30,
      next: batchRequest,
      skipRuntime: true,
    },
    // Last: it leaves the population idle for a while (objects may be evicted).
    {
      key: "firstTouch",
      name: "first touch",
      seconds: profile.firstTouchSec,
      connections: c,
      next: (w) => () => w.firstTouch(),
      skipRuntime: true,
    },
  ];
}

/**
 * Runs the same phases on several targets at once (each its own workerd), alternating rounds:
 * reference, Worker, Worker, reference, ... so that both see the same machine conditions.
 */
async function runGroup(kinds: TargetKind[], placement: Placement, build: BuildInfo): Promise<StorageFigures[]> {
  const sides: Side[] = [];
  try {
    for (const kind of kinds) {
      const t = await startTarget({ kind, placement, build, bindings: PE_BINDINGS });
      const w = new CallbackWorkload({ app: APP, token: CALLBACK_TOKEN, users: profile.users, prefix: "bench" });
      const fig: StorageFigures = { label: t.label, ready: false, notes: [] };
      sides.push({ t, w, fig });
      const problem = await preflight(t, w);
      if (problem) {
        fig.notes.push(`not measured: ${problem}`);
        log(`  ${t.label.padEnd(26)} NOT READY: ${problem}`);
      } else {
        fig.ready = true;
      }
    }
    const ready = sides.filter((s) => s.fig.ready);
    // Every user's object is created first, so that "steady" measures existing objects.
    for (const s of ready) {
      s.fig.precreate = await phase(s.t, "precreate", {
        url: s.t.url,
        connections: profile.connections,
        amount: profile.users,
        next: () => s.w.precreate(),
      });
    }
    for (const def of phaseDefs()) {
      const active = ready.filter((s) => !(def.skipRuntime && s.t.kind === "runtime"));
      const rounds = active.length > 1 ? profile.rounds : 1;
      const parts = new Map<Side, Phase[]>(active.map((s) => [s, []]));
      const gens = new Map<Side, () => Req>(active.map((s) => [s, def.next(s.w)]));
      for (let r = 0; r < rounds; r++) {
        const order = r % 2 === 0 ? active : [...active].reverse();
        for (const s of order) {
          const share =
            def.amount !== undefined
              ? { amount: Math.max(1, Math.round(def.amount / rounds)) }
              : { duration: Math.max(1, def.seconds! / rounds) };
          parts.get(s)!.push(
            await phase(s.t, `${def.name}${rounds > 1 ? ` ${r + 1}/${rounds}` : ""}`, {
              url: s.t.url,
              connections: def.connections,
              overallRate: def.overallRate,
              timeoutSec: def.timeoutSec,
              next: gens.get(s)!,
              ...share,
            }),
          );
        }
      }
      for (const s of active) s.fig[def.key] = mergePhases(parts.get(s)!);
    }
    for (const s of ready) {
      if (s.t.kind !== "runtime") await storageProbes(s);
      s.fig.storageBytes = dirBytes(s.t.persistDir);
    }
    return sides.map((s) => s.fig);
  } finally {
    for (const s of sides) {
      s.fig.logSample = s.t.logLines().slice(0, 5);
      if (s.t.logLineCount()) s.fig.notes.push(`${s.t.logLineCount()} workerd log lines (first ones in logSample)`);
      await s.t.dispose();
    }
  }
}

/** Storage rows per callback kind, one request at a time. */
async function storageProbes({ t, w, fig }: Side): Promise<void> {
  const url = t.url;
  const n = profile.probeEach;
  const probeUser = (i: number) => (i * 7) % w.population.length;
  const usage = await usageReader(t);
  // Resync: the load phases may have generated (but never sent) a last event for a user.
  for (let i = 0; i < n; i++) await (await post(url, w.appliedFor(probeUser(i)))).arrayBuffer();
  fig.probes = [];
  fig.probes.push(await probe(url, "applied", (i) => w.appliedFor(probeUser(i)), n, usage));
  fig.probes.push(await probe(url, "duplicate", (i) => w.duplicate(probeUser(i)), n, usage));
  fig.probes.push(await probe(url, "stale", (i) => w.staleFor(probeUser(i)), n, usage));
  fig.probes.push(
    await probe(url, "custom status", (i) => w.customStatusFor(probeUser(i), i % 2 ? "" : "busy"), n, usage),
  );
  fig.probes.push(await probe(url, "first touch", () => w.firstTouch(), n, usage));
  if (t.kind === "presence-edge") fig.historyCheck = await checkHistory(url, w.population[probeUser(0)]!);
}

/** The probe user's last four callbacks were applied, duplicate, stale, custom status (applied). */
async function checkHistory(url: string, account: string): Promise<string> {
  try {
    const res = await fetch(`${url}/v1/apps/${APP}/users/${encodeURIComponent(account)}/events?limit=4`, {
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    if (res.status !== 200) return `history API answered HTTP ${res.status}`;
    const body = (await res.json()) as { events?: { outcome?: string; action?: string }[] };
    const got = (body.events ?? []).map((e) => `${e.action}:${e.outcome}`).reverse();
    const want = ["Login:applied", "Login:duplicate", "Login:stale", "CustomStatusChange:applied"];
    // The applied probe for this user may be any action of the cycle; compare outcomes only.
    const outcomes = got.map((g) => g.split(":")[1]);
    const ok = JSON.stringify(outcomes) === JSON.stringify(want.map((g) => g.split(":")[1]));
    return `${ok ? "ok" : "UNEXPECTED"}: oldest→newest ${got.join(", ")}`;
  } catch (e) {
    return `history check failed: ${(e as Error).message}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Webhook latency: a local subscriber in this process, verified with `standardwebhooks`.

interface WebhookFigures {
  sent: number;
  received: number;
  verified: number;
  p50: number | null;
  p99: number | null;
  max: number | null;
  note: string;
  /** Storage rows per applied callback with one subscriber (outbox rows and alarms included). */
  applied: Probe | null;
}

async function runWebhooks(build: BuildInfo): Promise<WebhookFigures> {
  const secret = `whsec_${randomBytes(24).toString("base64")}`;
  const verifier = new Webhook(secret);
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let received = 0;
  let verified = 0;
  let firstError = "";
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      received++;
      const at = performance.now();
      try {
        const payload = verifier.verify(body, {
          "webhook-id": String(req.headers["webhook-id"] ?? ""),
          "webhook-timestamp": String(req.headers["webhook-timestamp"] ?? ""),
          "webhook-signature": String(req.headers["webhook-signature"] ?? ""),
        }) as { type?: string; data?: { account?: string } };
        verified++;
        const account = payload.data?.account;
        if (payload.type === "user.status_changed" && account && sentAt.has(account)) {
          latencies.push(at - sentAt.get(account)!);
          sentAt.delete(account);
        }
      } catch (e) {
        firstError ||= (e as Error).message;
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  const subscribers = JSON.stringify([{ id: "bench", url: `http://127.0.0.1:${port}/webhooks`, secret }]);
  const t = await startTarget({
    kind: "presence-edge",
    placement: "tmpfs",
    build,
    bindings: { ...PE_BINDINGS, WEBHOOK_SUBSCRIBERS: subscribers },
    labelSuffix: "+webhooks",
  });
  const w = new CallbackWorkload({ app: APP, token: CALLBACK_TOKEN, users: 1, prefix: "hook" });
  let sent = 0;
  const storage: { applied: Probe | null } = { applied: null };
  try {
    for (let i = 0; i < profile.webhookCallbacks; i++) {
      const req = w.firstTouch();
      const account = (JSON.parse(req.body) as { Info: { To_Account: string } }).Info.To_Account;
      sentAt.set(account, performance.now());
      const res = await post(t.url, req);
      await res.arrayBuffer();
      if (res.status === 200) sent++;
      await new Promise((r) => setTimeout(r, 50));
    }
    const deadline = Date.now() + 5000;
    while (latencies.length < sent && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // Storage cost of an applied callback when there is a subscriber to deliver to.
    const usage = await usageReader(t);
    const users = new CallbackWorkload({ app: APP, token: CALLBACK_TOKEN, users: 5, prefix: "hookrows" });
    for (let i = 0; i < 5; i++) await (await post(t.url, users.appliedFor(i))).arrayBuffer();
    await new Promise((r) => setTimeout(r, 500)); // let the first deliveries go out
    storage.applied = await probe(
      t.url,
      "applied, 1 subscriber",
      (i) => users.appliedFor(i % 5),
      profile.probeEach,
      usage,
    );
  } finally {
    await t.dispose();
    server.close();
  }
  latencies.sort((a, b) => a - b);
  const at = (p: number) =>
    latencies.length ? latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)]! : null;
  const note =
    received === 0
      ? "no deliveries received within 5 s: webhooks not implemented yet, or not sent"
      : `${latencies.length} of ${sent} user.status_changed deliveries matched${firstError ? `; verify error: ${firstError}` : ""}`;
  const fig = {
    sent,
    received,
    verified,
    p50: at(50),
    p99: at(99),
    max: latencies.at(-1) ?? null,
    note,
    applied: storage.applied,
  };
  log(
    `  webhooks: sent ${sent}, received ${received}, verified ${verified}, p50 ${fmt(fig.p50, 1)}ms p99 ${fmt(fig.p99, 1)}ms — ${note}` +
      (fig.applied
        ? `; rows per applied callback with 1 subscriber: written ${fmt(fig.applied.rowsWritten, 1)}, read ${fmt(fig.applied.rowsRead, 1)}, alarms ${fmt(fig.applied.alarmsSet, 1)}`
        : ""),
  );
  return fig;
}

// ---------------------------------------------------------------------------------------------
// Report

function fmt(v: number | null | undefined, digits = 1): string {
  return v === null || v === undefined || Number.isNaN(v) ? "n/a" : v.toFixed(digits);
}
const ratio = (a: number | null | undefined, b: number | null | undefined) =>
  a === null || a === undefined || b === null || b === undefined || b === 0 || Number.isNaN(a) || Number.isNaN(b)
    ? null
    : a / b;

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows
    .map((r, ri) => {
      const line = r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
      return ri === 0 ? `${line}\n${widths.map((w) => "-".repeat(w)).join("  ")}` : line;
    })
    .join("\n");
}

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
      cwd: ROOT,
      encoding: "utf8",
    });
    return out.trim().length > 0;
  } catch {
    return null;
  }
}

function gitCommit(): string {
  try {
    const head = readFileSync(join(ROOT, ".git/HEAD"), "utf8").trim();
    if (!head.startsWith("ref: ")) return head;
    return readFileSync(join(ROOT, ".git", head.slice(5)), "utf8").trim();
  } catch {
    return "unknown";
  }
}

// ---------------------------------------------------------------------------------------------
// Main

log(
  `presence-edge bench (${profile.name}): ${profile.users} users, ${profile.connections} connections, phases of ${profile.steadySec}s`,
);
const build = await buildWorker();
log(
  `  bundle: ${build.bundleBytes} bytes, gzip ${build.bundleGzipBytes} bytes (wrangler: ${build.wranglerUploadKiB} KiB / gzip ${build.wranglerGzipKiB} KiB)  [${elapsed()}]`,
);

log(
  `  bundle by origin (gzip alone): ${build.composition
    .slice(0, 5)
    .map((c) => `${c.source} ${(c.gzipBytes / 1024).toFixed(1)} KiB`)
    .join(", ")}`,
);

const runs: Record<string, StorageFigures> = {};
runs["runtime"] = (await runGroup(["runtime"], "none", build))[0]!;
for (const placement of ["disk", "tmpfs"] as const) {
  const [arch, pe] = await runGroup(["architecture", "presence-edge"], placement, build);
  runs[`architecture/${placement}`] = arch!;
  runs[`presence-edge/${placement}`] = pe!;
}
const webhook = runs["presence-edge/tmpfs"]?.ready ? await runWebhooks(build) : null;
rmSync("/dev/shm/presence-edge-bench", { recursive: true, force: true });

// Ratios to the architecture ceiling, per placement.
const ratios: Record<string, Record<string, number | null>> = {};
for (const placement of ["disk", "tmpfs"]) {
  const pe = runs[`presence-edge/${placement}`];
  const arch = runs[`architecture/${placement}`];
  if (!pe?.ready || !arch?.ready) continue;
  ratios[placement] = {
    steadyThroughput: ratio(pe.steady?.rps, arch.steady?.rps),
    steadyP50: ratio(pe.steady?.p50, arch.steady?.p50),
    steadyP99: ratio(pe.steady?.p99, arch.steady?.p99),
    firstTouchThroughput: ratio(pe.firstTouch?.rps, arch.firstTouch?.rps),
    firstTouchP50: ratio(pe.firstTouch?.p50, arch.firstTouch?.p50),
    firstTouchP99: ratio(pe.firstTouch?.p99, arch.firstTouch?.p99),
    duplicateStaleThroughput: ratio(pe.duplicateStale?.rps, arch.duplicateStale?.rps),
    duplicateStaleVsArchSteady: ratio(pe.duplicateStale?.rps, arch.steady?.rps),
    batchP50: ratio(pe.batch?.p50, arch.batch?.p50),
    archVsRuntimeThroughput: ratio(arch.steady?.rps, runs["runtime"]?.steady?.rps),
  };
}

// Cost per million callbacks, per kind, from the tmpfs run (storage rows do not depend on placement).
const peT = runs["presence-edge/tmpfs"];
const costs: Record<string, CostBreakdown & { rowsRead: number | null; rowsWritten: number | null }> = {};
if (peT?.ready) {
  const cpuMs = peT.rate1000?.cpuMsPerRequest ?? null;
  const activeS = peT.rate1000 ? peT.rate1000.p50 / 1000 : null;
  // Workers Logs: one invocation event plus the console lines measured per callback.
  const logEvents = peT.rate1000 ? 1 + peT.rate1000.logLinesPerRequest : null;
  for (const p of peT.probes ?? []) {
    // Each setAlarm() is billed as one row written.
    const billedWrites = p.rowsWritten === null ? null : p.rowsWritten + (p.alarmsSet ?? 0);
    costs[p.kind] = costPerMillion({
      cpuMs,
      doActiveSeconds: activeS,
      rowsRead: p.rowsRead,
      rowsWritten: billedWrites,
      logEvents,
    });
  }
}

const gzipKiB = build.wranglerGzipKiB ?? build.bundleGzipBytes / 1024;
const probeOf = (kind: string) => peT?.probes?.find((p) => p.kind === kind);
interface Check {
  name: string;
  target: string;
  measured: string;
  pass: boolean | null;
}
const checks: Check[] = [
  {
    name: "steady-state ingest vs architecture ceiling (tmpfs)",
    target: ">= 0.85",
    measured: fmt(ratios.tmpfs?.steadyThroughput, 2),
    pass: ratios.tmpfs?.steadyThroughput == null ? null : ratios.tmpfs.steadyThroughput >= 0.85,
  },
  {
    name: "duplicate/stale path vs architecture ceiling (tmpfs)",
    target: ">= 1.00",
    measured: fmt(ratios.tmpfs?.duplicateStaleThroughput, 2),
    pass: ratios.tmpfs?.duplicateStaleThroughput == null ? null : ratios.tmpfs.duplicateStaleThroughput >= 1,
  },
  ...(["tmpfs", "disk"] as const).map((pl) => {
    const r = runs[`presence-edge/${pl}`]?.rate1000;
    const fullRate = r ? r.rps >= profile.rate * 0.95 : false;
    return {
      name: `p99 callback latency at a steady ${profile.rate}/s (${pl})`,
      target: "<= 20 ms",
      measured: r ? `${fmt(r.p99, 1)} ms at ${fmt(r.rps, 0)}/s` : "n/a",
      pass: r ? r.p99 <= 20 && fullRate : null,
    };
  }),
  {
    name: `batch-${Math.min(profile.batchSize, profile.users)} query p50 (tmpfs)`,
    target: "<= 50 ms",
    measured: peT?.batch ? `${fmt(peT.batch.p50, 1)} ms (p99 ${fmt(peT.batch.p99, 1)} ms)` : "n/a",
    pass: peT?.batch && peT.batch.ok === peT.batch.requests ? peT.batch.p50 <= 50 : null,
  },
  {
    name: "rows written per applied callback",
    target: "<= 2",
    measured: fmt(probeOf("applied")?.rowsWritten, 2),
    pass: probeOf("applied")?.rowsWritten == null ? null : probeOf("applied")!.rowsWritten! <= 2,
  },
  {
    name: "rows written per duplicate / stale callback",
    target: "<= 1",
    measured: `${fmt(probeOf("duplicate")?.rowsWritten, 2)} / ${fmt(probeOf("stale")?.rowsWritten, 2)}`,
    pass:
      probeOf("duplicate")?.rowsWritten == null || probeOf("stale")?.rowsWritten == null
        ? null
        : probeOf("duplicate")!.rowsWritten! <= 1 && probeOf("stale")!.rowsWritten! <= 1,
  },
  { name: "bundle size, gzip", target: "<= 50 KiB", measured: `${fmt(gzipKiB, 2)} KiB`, pass: gzipKiB <= 50 },
];

// Printed table
const cols = ["runtime", "architecture/disk", "presence-edge/disk", "architecture/tmpfs", "presence-edge/tmpfs"];
const cell = (k: string, f: (s: StorageFigures) => string) =>
  runs[k]?.ready ? f(runs[k]!) : runs[k] ? "not ready" : "";
const rowsOut: string[][] = [
  ["figure", ...cols],
  ["steady ingest, callbacks/s", ...cols.map((k) => cell(k, (s) => fmt(s.steady?.rps, 0)))],
  ["  p50 / p99 ms", ...cols.map((k) => cell(k, (s) => `${fmt(s.steady?.p50, 2)} / ${fmt(s.steady?.p99, 2)}`))],
  ["first touch, callbacks/s", ...cols.map((k) => cell(k, (s) => fmt(s.firstTouch?.rps, 0)))],
  [
    "  p50 / p99 ms",
    ...cols.map((k) =>
      cell(k, (s) => (s.firstTouch ? `${fmt(s.firstTouch.p50, 2)} / ${fmt(s.firstTouch.p99, 2)}` : "")),
    ),
  ],
  ["duplicate/stale, callbacks/s", ...cols.map((k) => cell(k, (s) => fmt(s.duplicateStale?.rps, 0)))],
  [
    "  p50 / p99 ms",
    ...cols.map((k) =>
      cell(k, (s) => (s.duplicateStale ? `${fmt(s.duplicateStale.p50, 2)} / ${fmt(s.duplicateStale.p99, 2)}` : "")),
    ),
  ],
  [`at ${profile.rate}/s: achieved`, ...cols.map((k) => cell(k, (s) => fmt(s.rate1000?.rps, 0)))],
  ["  p50 / p99 ms", ...cols.map((k) => cell(k, (s) => `${fmt(s.rate1000?.p50, 2)} / ${fmt(s.rate1000?.p99, 2)}`))],
  ["  workerd CPU ms/callback", ...cols.map((k) => cell(k, (s) => fmt(s.rate1000?.cpuMsPerRequest, 3)))],
  [
    `batch-${Math.min(profile.batchSize, profile.users)} query p50 / p99 ms`,
    ...cols.map((k) => cell(k, (s) => (s.batch ? `${fmt(s.batch.p50, 1)} / ${fmt(s.batch.p99, 1)}` : ""))),
  ],
  ...["applied", "duplicate", "stale", "custom status", "first touch"].map((kind) => [
    `rows written / read: ${kind}`,
    ...cols.map((k) =>
      cell(k, (s) => {
        const p = s.probes?.find((x) => x.kind === kind);
        if (!p) return "";
        const alarms = p.alarmsSet ? ` +${fmt(p.alarmsSet, 1)} alarm` : "";
        return `${fmt(p.rowsWritten, 1)} / ${fmt(p.rowsRead, 1)}${alarms}`;
      }),
    ),
  ]),
];
log("");
log(table(rowsOut));
for (const [pl, r] of Object.entries(ratios)) {
  log(
    `\nratios to the architecture ceiling (${pl}): steady ${fmt(r.steadyThroughput, 2)}× throughput, p50 ${fmt(r.steadyP50, 2)}×, p99 ${fmt(r.steadyP99, 2)}×;` +
      ` first touch ${fmt(r.firstTouchThroughput, 2)}× (p50 ${fmt(r.firstTouchP50, 2)}×, p99 ${fmt(r.firstTouchP99, 2)}×);` +
      ` duplicate/stale ${fmt(r.duplicateStaleThroughput, 2)}×; batch p50 ${fmt(r.batchP50, 2)}×; architecture/runtime ${fmt(r.archVsRuntimeThroughput, 2)}×`,
  );
}
if (Object.keys(costs).length) {
  log(`\ncost per million callbacks, USD, marginal Workers Paid prices checked ${PRICES.checked}:`);
  log(
    table([
      [
        "kind",
        "Worker req",
        "Worker CPU",
        "DO req",
        "DO duration",
        "rows read",
        "rows written",
        "total",
        "+ Workers Logs",
      ],
      ...Object.entries(costs).map(([k, c]) => [
        k,
        fmt(c.workerRequests, 3),
        fmt(c.workerCpu, 3),
        fmt(c.doRequests, 3),
        fmt(c.doDuration, 4),
        fmt(c.rowsRead, 4),
        fmt(c.rowsWritten, 2),
        fmt(c.total, 2),
        fmt(c.logs, 2),
      ]),
    ]),
  );
}
for (const [k, s] of Object.entries(runs)) {
  if (s.historyCheck) log(`\n${k} history check: ${s.historyCheck}`);
  for (const n of s.notes) log(`${k}: ${n}`);
}
// How quiet was the machine? Every phase records the CPU that other processes used meanwhile.
const noise = Object.values(runs).flatMap((s) =>
  [s.precreate, s.steady, s.duplicateStale, s.rate1000, s.firstTouch, s.batch]
    .filter((p): p is Phase => p !== undefined)
    .map((p) => p.noiseCoresMax ?? (p.foreignCpuCores ?? 0) + (p.stealCpuCores ?? 0)),
);
const maxNoise = noise.length ? Math.max(...noise) : 0;
if (maxNoise > 0.2) {
  log(
    `\nWARNING: other processes (or the hypervisor) used up to ${fmt(maxNoise, 2)} of the ${cpus().length} cores during` +
      ` some phases (marked NOISY above): those figures are low, re-run on a quiet machine.`,
  );
}
log(`\ntargets (${profile.name === "smoke" ? "smoke run: not asserted" : "full run"}):`);
log(
  table([
    ["target", "wanted", "measured", "result"],
    ...checks.map((c) => [c.name, c.target, c.measured, c.pass === null ? "n/a" : c.pass ? "met" : "MISSED"]),
  ]),
);

const results = {
  schema: 1,
  generatedAt: new Date().toISOString(),
  profile,
  commit: gitCommit(),
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
    disk: "bench/out/state (the repository's filesystem)",
    maxForeignCpuCores: maxNoise,
    tmpfs: "/dev/shm",
  },
  bundle: {
    wranglerUploadKiB: build.wranglerUploadKiB,
    wranglerGzipKiB: build.wranglerGzipKiB,
    bytes: build.bundleBytes,
    gzipBytes: build.bundleGzipBytes,
    composition: build.composition,
  },
  runs,
  ratios,
  webhook,
  prices: PRICES,
  costPerMillion: costs,
  checks,
  durationSeconds: Math.round((Date.now() - started) / 1000),
};
const outPath =
  args.out ?? (profile.name === "full" ? join(ROOT, "bench/results.json") : join(OUT, "results.smoke.json"));
mkdirSync(OUT, { recursive: true });
writeFileSync(outPath, `${JSON.stringify(results, null, 2)}\n`);
log(`\nwrote ${outPath} in ${results.durationSeconds}s`);
if (args.strict && checks.some((c) => c.pass === false)) process.exit(1);
