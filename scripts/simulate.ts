// presence-edge callback simulator.
//
//   npm run simulate -- [--url URL] [--app ID] [--token TOKEN] [--api-token TOKEN] <scenario>
//
// Sends realistic, correctly signed Tencent Cloud IM State.StateChange callbacks to a running
// presence-edge (by default the local demo of `npm start`), prints one short line per callback
// and then the presence read back from the read API. Scenarios:
//
//   day-in-the-life  one user's day: iOS login, Windows login kicking iOS, Mini Program (Web)
//                    sent to background (LinkClose), airplane mode (TimeOut), custom status set
//                    and cleared, logout
//   flapping         a user whose connection drops and comes back every few seconds
//   shuffled         a recorded sequence delivered in order to one user and shuffled and
//                    duplicated to another; the two final states must be the same (exit 1 if not)
//   load             --users N × --events M callbacks with --concurrency in flight
//
// Event times are generated relative to the current clock, so scenarios can be re-run against
// the same storage; pass --user to pick a fresh account.

import { parseArgs } from "node:util";
import {
  type Action,
  type ApiTarget,
  type CallbackTarget,
  type StateEvent,
  getEvents,
  getUser,
  queryPresence,
  sendCallback,
  REQUEST_TIMEOUT_MS,
} from "./lib/tencent-client.ts";

const USAGE = `usage: npm run simulate -- [options] <scenario>

scenarios: day-in-the-life | flapping | shuffled | load

options:
  --url URL            Worker base URL             (default http://127.0.0.1:8787)
  --app ID             SDKAppID                    (default 1400000000)
  --token TOKEN        callback token, "" = unsigned (default demo-callback-token)
  --api-token TOKEN    read API bearer token       (default demo-api-token)
  --user ID            account to use (default per scenario: alice, flappy, shuffle-<time>)
  --delay MS           pause between callbacks     (default 0; try 500 to watch a demo)
  --cycles N           flapping: reconnect cycles  (default 8)
  --seed N             shuffled: shuffle seed      (default 42)
  --users N            load: users                 (default 100)
  --events N           load: events per user       (default 10)
  --concurrency N      load: callbacks in flight   (default 16)
  --json               also print the raw snapshot JSON
  -h, --help`;

interface Options {
  callback: CallbackTarget;
  api: ApiTarget;
  user: string | undefined;
  delay: number;
  cycles: number;
  seed: number;
  users: number;
  events: number;
  concurrency: number;
  json: boolean;
}

function parse(argv: string[]): { scenario: string; opts: Options } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: "string", default: "http://127.0.0.1:8787" },
      app: { type: "string", default: "1400000000" },
      token: { type: "string", default: "demo-callback-token" },
      "api-token": { type: "string", default: "demo-api-token" },
      user: { type: "string" },
      delay: { type: "string", default: "0" },
      cycles: { type: "string", default: "8" },
      seed: { type: "string", default: "42" },
      users: { type: "string", default: "100" },
      events: { type: "string", default: "10" },
      concurrency: { type: "string", default: "16" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help || positionals.length !== 1) {
    console.log(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  const int = (name: string, v: string, min: number): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) {
      console.error(`--${name} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
      process.exit(2);
    }
    return n;
  };
  const url = values.url;
  const app = values.app;
  return {
    scenario: positionals[0]!,
    opts: {
      callback: { url, app, token: values.token === "" ? null : values.token },
      api: { url, app, apiToken: values["api-token"] },
      user: values.user,
      delay: int("delay", values.delay, 0),
      cycles: int("cycles", values.cycles, 1),
      seed: int("seed", values.seed, 0),
      users: int("users", values.users, 1),
      events: int("events", values.events, 1),
      concurrency: int("concurrency", values.concurrency, 1),
      json: values.json,
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// Printing

function describe(e: StateEvent): string {
  const parts = [`${e.action}/${e.reason ?? ""}`.replace(/\/$/, ""), `on ${e.platform}`];
  if (e.kicked?.length) parts.push(`kicks ${e.kicked.join(",")}`);
  if (e.action === "CustomStatusChange") parts.push(`status=${JSON.stringify(e.customStatus ?? "")}`);
  return parts.join(" ");
}

function replySummary(status: number, body: string): string {
  try {
    const j = JSON.parse(body) as { ActionStatus?: string; ErrorInfo?: string };
    if (j.ActionStatus) return `${status} ${j.ActionStatus}${j.ErrorInfo ? ` (${j.ErrorInfo})` : ""}`;
  } catch {
    // fall through
  }
  return `${status} ${body.slice(0, 60).replace(/\s+/g, " ")}`;
}

let failures = 0;

async function send(opts: Options, e: StateEvent, label = ""): Promise<void> {
  const r = await sendCallback(opts.callback, e).catch((err: unknown) => {
    const error = err as Error;
    if (error.name === "TimeoutError") {
      console.error(`  ! ${e.account} ${describe(e)}: no reply within ${REQUEST_TIMEOUT_MS / 1000} s`);
    } else {
      console.error(`  ! ${e.account} ${describe(e)}: ${error.message}`);
      console.error(`    is the Worker running at ${opts.callback.url}? (npm start)`);
    }
    process.exit(1);
  });
  if (r.status !== 200) failures++;
  const when = e.eventTime === null ? "no EventTime" : new Date(e.eventTime).toISOString().slice(11, 23);
  const extra = [r.outcome, r.rowsWritten !== null ? `rows w=${r.rowsWritten} r=${r.rowsRead}` : null]
    .filter(Boolean)
    .join(", ");
  console.log(
    `  → ${label.padEnd(6)}${e.account} ${describe(e).padEnd(46)} t=${when}  ${replySummary(r.status, r.body)} ${r.ms.toFixed(1)}ms${extra ? ` [${extra}]` : ""}`,
  );
  if (opts.delay > 0) await sleep(opts.delay);
}

interface Snapshot {
  status?: string;
  customStatus?: string | null;
  onlineSince?: number | null;
  lastSeen?: number | null;
  updatedAt?: number | null;
  version?: number;
  platforms?: Record<string, { status: string; reason?: string; since?: number; clientIp?: string | null }>;
  kicks?: { platform: string; at: number; by: string }[];
}

const iso = (t: number | null | undefined) => (typeof t === "number" ? new Date(t).toISOString() : "null");

function printSnapshot(account: string, status: number, json: unknown, raw: boolean): void {
  if (status !== 200 || typeof json !== "object" || json === null) {
    console.log(`  presence of ${account}: HTTP ${status} ${JSON.stringify(json).slice(0, 200)}`);
    return;
  }
  const s = json as Snapshot;
  console.log(
    `  presence of ${account}: ${s.status}  customStatus=${JSON.stringify(s.customStatus ?? null)}  version=${s.version}`,
  );
  console.log(`    onlineSince=${iso(s.onlineSince)}  lastSeen=${iso(s.lastSeen)}`);
  for (const [p, d] of Object.entries(s.platforms ?? {})) {
    console.log(
      `    ${p.padEnd(8)} ${d.status.padEnd(12)} reason=${d.reason ?? ""}  since=${iso(d.since)}  ip=${d.clientIp ?? ""}`,
    );
  }
  for (const k of s.kicks ?? []) console.log(`    kick: ${k.platform} by ${k.by} at ${iso(k.at)}`);
  if (raw) console.log(JSON.stringify(json, null, 2));
}

async function showUser(opts: Options, account: string): Promise<unknown> {
  const { status, json } = await getUser(opts.api, account);
  printSnapshot(account, status, json, opts.json);
  return status === 200 ? json : null;
}

async function showEvents(opts: Options, account: string, limit: number): Promise<void> {
  const { status, json } = await getEvents(opts.api, account, limit);
  const events = (json as { events?: Record<string, unknown>[] } | null)?.events;
  if (status !== 200 || !Array.isArray(events)) {
    console.log(`  history of ${account}: HTTP ${status}`);
    return;
  }
  console.log(`  history of ${account} (newest first, ${events.length}):`);
  for (const e of events) {
    console.log(
      `    #${e.seq} ${String(e.action)}/${String(e.reason)} ${String(e.platform ?? "")} → ${String(e.outcome)}, user ${String(e.status)}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Scenarios

/** A day compressed: the story clock is printed, EventTimes are one second apart ending now. */
function dayInTheLife(account: string, end: number): { story: string; event: StateEvent }[] {
  const home = "203.0.113.10";
  const office = "198.51.100.20";
  const steps: { story: string; event: Omit<StateEvent, "account" | "eventTime"> }[] = [
    { story: "07:45 iPhone app opened", event: { action: "Login", platform: "IOS", clientIp: home } },
    {
      story: "09:00 Windows client logs in, kicks the iPhone",
      event: { action: "Login", platform: "Windows", clientIp: office, kicked: ["iOS"] },
    },
    { story: "12:30 Mini Program opened", event: { action: "Login", platform: "Web", clientIp: office } },
    {
      story: "12:40 Mini Program sent to background",
      event: { action: "Disconnect", reason: "LinkClose", platform: "Web", clientIp: office },
    },
    { story: "14:00 iPhone app back", event: { action: "Login", platform: "IOS", clientIp: office } },
    {
      story: "14:20 airplane mode: heartbeat lost",
      event: { action: "Disconnect", reason: "TimeOut", platform: "IOS", clientIp: office },
    },
    {
      story: "15:00 custom status set",
      event: { action: "CustomStatusChange", platform: "Windows", clientIp: office, customStatus: "In a meeting" },
    },
    {
      story: "16:00 custom status cleared",
      event: { action: "CustomStatusChange", platform: "Windows", clientIp: office, customStatus: "" },
    },
    { story: "18:30 Windows logout", event: { action: "Logout", platform: "Windows", clientIp: office } },
    { story: "20:00 iPhone reconnects at home", event: { action: "Login", platform: "IOS", clientIp: home } },
    { story: "23:30 iPhone logout", event: { action: "Logout", platform: "IOS", clientIp: home } },
  ];
  const start = end - steps.length * 1000;
  return steps.map((s, i) => ({ story: s.story, event: { ...s.event, account, eventTime: start + i * 1000 } }));
}

async function runDay(opts: Options): Promise<void> {
  const account = opts.user ?? "alice";
  console.log(`day-in-the-life of ${account} → ${opts.callback.url}`);
  for (const { story, event } of dayInTheLife(account, Date.now())) {
    console.log(`  ${story}`);
    await send(opts, event);
  }
  console.log();
  await showUser(opts, account);
  await showEvents(opts, account, 20);
}

async function runFlapping(opts: Options): Promise<void> {
  const account = opts.user ?? "flappy";
  const period = 3000; // reconnects every 3 s of event time
  const start = Date.now() - (opts.cycles * 2 + 1) * period;
  console.log(
    `flapping ${account}: ${opts.cycles} drop/reconnect cycles, ${period / 1000}s apart → ${opts.callback.url}`,
  );
  let t = start;
  await send(opts, { account, action: "Login", platform: "Android", clientIp: "192.0.2.7", eventTime: t });
  for (let i = 0; i < opts.cycles; i++) {
    t += period;
    const reason = i % 3 === 2 ? "TimeOut" : "LinkClose";
    await send(opts, {
      account,
      action: "Disconnect",
      reason,
      platform: "Android",
      clientIp: "192.0.2.7",
      eventTime: t,
    });
    t += period;
    await send(opts, { account, action: "Login", platform: "Android", clientIp: "192.0.2.7", eventTime: t });
  }
  console.log();
  await showUser(opts, account);
  console.log("  (with OFFLINE_GRACE_SECONDS > 3, subscribers see none of these drops)");
}

/** Deterministic PRNG (mulberry32) so a shuffle can be replayed with --seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The recorded sequence: a day-in-the-life plus events that tie on EventTime. */
function recorded(account: string, end: number): StateEvent[] {
  const events = dayInTheLife(account, end - 5000).map((s) => s.event);
  const t = end - 2000;
  // Same EventTime on one platform: offline must beat disconnected must beat online.
  events.push({ account, action: "Login", platform: "Android", clientIp: "192.0.2.9", eventTime: t });
  events.push({
    account,
    action: "Disconnect",
    reason: "LinkClose",
    platform: "Android",
    clientIp: "192.0.2.9",
    eventTime: t,
  });
  events.push({ account, action: "Login", platform: "Mac", clientIp: "192.0.2.9", eventTime: t + 500 });
  events.push({ account, action: "Logout", platform: "Mac", clientIp: "192.0.2.9", eventTime: t + 500 });
  return events;
}

// What the state machine guarantees for any arrival order (docs/DESIGN.md). onlineSince,
// lastSeen and version describe the order in which changes were applied, so they may differ.
const COMPARED = ["status", "customStatus", "platforms", "kicks"] as const;

/** JSON with object keys sorted, so that key order (e.g. of `platforms`) does not count. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

function normalise(s: unknown): Record<string, unknown> {
  const o = (s ?? {}) as Record<string, unknown>;
  return Object.fromEntries(COMPARED.map((k) => [k, o[k] ?? null]));
}

async function runShuffled(opts: Options): Promise<void> {
  const base = opts.user ?? `shuffle-${Date.now().toString(36)}`;
  const inOrder = `${base}-ordered`;
  const shuffled = `${base}-shuffled`;
  const end = Date.now();
  const seq = recorded(inOrder, end);
  console.log(`shuffled: ${seq.length} recorded events, in order to ${inOrder}, shuffled+duplicated to ${shuffled}`);
  console.log(`in order:`);
  for (const e of seq) await send(opts, e);

  const random = rng(opts.seed);
  const delivery: { e: StateEvent; copy: number }[] = [];
  for (const e of seq) {
    const copies = 1 + Math.floor(random() * 3); // delivered 1 to 3 times
    for (let c = 0; c < copies; c++) delivery.push({ e: { ...e, account: shuffled }, copy: c });
  }
  for (let i = delivery.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [delivery[i], delivery[j]] = [delivery[j]!, delivery[i]!];
  }
  console.log(`shuffled and duplicated (seed ${opts.seed}, ${delivery.length} deliveries):`);
  for (const d of delivery) await send(opts, d.e, d.copy > 0 ? `dup${d.copy}` : "");

  console.log();
  const a = await showUser(opts, inOrder);
  const b = await showUser(opts, shuffled);
  if (a === null || b === null) {
    console.log("  cannot compare: the read API did not answer 200");
    failures++;
    return;
  }
  const na = normalise(a);
  const nb = normalise(b);
  const diffs = COMPARED.filter((k) => canonical(na[k]) !== canonical(nb[k]));
  if (diffs.length === 0) {
    console.log(`  SAME final state (${COMPARED.join(", ")}) whatever the arrival order`);
  } else {
    failures++;
    console.log(`  DIFFERENT final state in: ${diffs.join(", ")}`);
    for (const k of diffs)
      console.log(`    ${k}: in order ${canonical(na[k])}\n    ${" ".repeat(k.length)}  shuffled ${canonical(nb[k])}`);
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function runLoad(opts: Options): Promise<void> {
  const prefix = opts.user ?? `load-${Date.now().toString(36)}`;
  const total = opts.users * opts.events;
  const cycle: { action: Action; reason?: string }[] = [
    { action: "Login" },
    { action: "Disconnect", reason: "LinkClose" },
    { action: "Login" },
    { action: "Logout" },
  ];
  const platforms = ["IOS", "Android", "Web", "Windows", "Mac"];
  const start = Date.now() - total; // one EventTime millisecond per callback, ending now
  // Interleave users so that consecutive callbacks hit different objects, as in production.
  const jobs: StateEvent[] = [];
  for (let k = 0; k < opts.events; k++) {
    for (let u = 0; u < opts.users; u++) {
      const step = cycle[k % cycle.length]!;
      jobs.push({
        account: `${prefix}-u${u}`,
        action: step.action,
        reason: step.reason,
        platform: platforms[u % platforms.length]!,
        clientIp: `10.0.${(u >> 8) & 255}.${u & 255}`,
        eventTime: start + jobs.length,
      });
    }
  }
  console.log(
    `load: ${opts.users} users × ${opts.events} events = ${total} callbacks, ${opts.concurrency} in flight → ${opts.callback.url}`,
  );
  const latencies: number[] = [];
  const byStatus = new Map<number, number>();
  let next = 0;
  const began = performance.now();
  // Per user, events are sent in EventTime order (a user's k-th event is only sent once its
  // (k-1)-th was answered), so the final state is the last event of each user's cycle.
  const perUserDone: number[] = new Array(opts.users).fill(0);
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      const e = jobs[i]!;
      const u = i % opts.users;
      const k = Math.floor(i / opts.users);
      while (perUserDone[u]! < k) await sleep(1);
      const r = await sendCallback(opts.callback, e).catch((err: unknown) => {
        console.error(`  ! ${e.account} ${describe(e)}: ${(err as Error).message}`);
        return { status: 0, ms: NaN };
      });
      perUserDone[u] = k + 1;
      latencies.push(r.ms);
      byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
      if (r.status !== 200) failures++;
      if (latencies.length % Math.max(1, Math.floor(total / 10)) === 0) {
        console.log(`  → ${latencies.length}/${total} sent`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency, total) }, worker));
  const secs = (performance.now() - began) / 1000;
  latencies.sort((a, b) => a - b);
  console.log(
    `  ${total} callbacks in ${secs.toFixed(2)}s = ${(total / secs).toFixed(0)}/s; latency p50 ${percentile(latencies, 50).toFixed(1)}ms p99 ${percentile(latencies, 99).toFixed(1)}ms; HTTP ${[...byStatus].map(([s, n]) => `${s}×${n}`).join(" ")}`,
  );
  console.log();
  const counts = new Map<string, number>();
  for (let i = 0; i < opts.users; i += 500) {
    const accounts = Array.from({ length: Math.min(500, opts.users - i) }, (_, j) => `${prefix}-u${i + j}`);
    const { status, json } = await queryPresence(opts.api, accounts);
    const results = (json as { results?: Snapshot[] } | null)?.results;
    if (status !== 200 || !Array.isArray(results)) {
      console.log(`  presence query: HTTP ${status} ${JSON.stringify(json).slice(0, 200)}`);
      failures++;
      return;
    }
    for (const r of results) counts.set(r.status ?? "?", (counts.get(r.status ?? "?") ?? 0) + 1);
  }
  const expected = cycle[(opts.events - 1) % cycle.length]!.action;
  const expectedStatus = expected === "Login" ? "online" : expected === "Disconnect" ? "disconnected" : "offline";
  console.log(
    `  presence of the ${opts.users} users read back: ${[...counts].map(([s, n]) => `${s} ${n}`).join(", ")} (expected all ${expectedStatus})`,
  );
  if ((counts.get(expectedStatus) ?? 0) !== opts.users) failures++;
  await showUser(opts, `${prefix}-u0`);
}

const { scenario, opts } = parse(process.argv.slice(2));
const scenarios: Record<string, (o: Options) => Promise<void>> = {
  "day-in-the-life": runDay,
  flapping: runFlapping,
  shuffled: runShuffled,
  load: runLoad,
};
const run = scenarios[scenario];
if (!run) {
  console.error(`unknown scenario ${JSON.stringify(scenario)}\n\n${USAGE}`);
  process.exit(2);
}
await run(opts);
if (failures > 0) {
  console.log(`\n${failures} problem(s): non-200 replies or unexpected presence`);
  process.exit(1);
}
