// What the simulator prints: one line per callback sent, and the presence read back.
import { reaching } from "../lib/cli.ts";
import type { PresenceSnapshot } from "../lib/presence-text.ts";
import { truthMirror, type TruthMirror } from "../lib/standin-truth.ts";
import { getEvents, getUser, sendCallback, theWorker, type StateEvent } from "../lib/tencent-client.ts";
import type { Options } from "./options.ts";

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Non-200 replies and unexpected presence seen so far; the simulator exits 1 if any. */
export const problems = { count: 0 };

export function describe(e: StateEvent): string {
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

let mirror: TruthMirror | null = null;

/**
 * The Tencent stand-in's truth for the scenario's users, following what the Worker shows (so
 * reconciliation confirms what the scenario sent); nothing when the stand-in does not run.
 */
export function standin(opts: Options): TruthMirror {
  return (mirror ??= truthMirror(opts.tencent, opts.callback.app));
}

export async function send(opts: Options, e: StateEvent, label = ""): Promise<void> {
  const r = await reaching(theWorker(opts.callback.url), sendCallback(opts.callback, e));
  if (r.status !== 200) problems.count++;
  const when = e.eventTime === null ? "no EventTime" : new Date(e.eventTime).toISOString().slice(11, 23);
  const extra = [r.outcome, r.rowsWritten !== null ? `rows w=${r.rowsWritten} r=${r.rowsRead}` : null]
    .filter(Boolean)
    .join(", ");
  console.log(
    `  → ${label.padEnd(6)}${e.account} ${describe(e).padEnd(46)} t=${when}  ${replySummary(r.status, r.body)} ${r.ms.toFixed(1)}ms${extra ? ` [${extra}]` : ""}`,
  );
  if (await standin(opts).running()) {
    const read = await getUser(opts.api, e.account);
    if (read.status === 200) await standin(opts).follow({ [e.account]: read.json as PresenceSnapshot });
  }
  if (opts.delay > 0) await sleep(opts.delay);
}

export interface Snapshot {
  account?: string;
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

export async function showUser(opts: Options, account: string): Promise<unknown> {
  const { status, json } = await getUser(opts.api, account);
  printSnapshot(account, status, json, opts.json);
  return status === 200 ? json : null;
}

export async function showEvents(opts: Options, account: string, limit: number): Promise<void> {
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
