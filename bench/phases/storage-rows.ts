// Storage rows per callback: callbacks of each kind sent one at a time, with the rows read and
// written counted by the Durable Object itself (its storageUsage() RPC, cumulative SQL cursor
// counters, read through Miniflare) or, for the architecture reference, its reply headers.

import type { CallbackWorkload } from "../lib/workload.ts";
import type { Req } from "../lib/load.ts";
import { post } from "../lib/phase.ts";
import { APP, API_TOKEN } from "../lib/settings.ts";
import type { Target } from "../lib/targets.ts";

export interface Probe {
  kind: string;
  n: number;
  statuses: number[];
  rowsRead: number | null;
  rowsWritten: number | null;
  /** setAlarm() calls per callback: each is billed as one row written (null if not reported). */
  alarmsSet: number | null;
  /** Durable Object requests to watchers per callback, when the Worker counts them (live watch). */
  watchRequests?: number | null;
  /** Where the row counts came from: reply headers, or the Durable Object's storageUsage() RPC. */
  source: "headers" | "rpc" | null;
  outcomes: string[];
}

export interface Usage {
  rowsRead: number;
  rowsWritten: number;
  alarmsSet: number | null;
  watchRequests: number | null;
}
export type UsageReader = (account: string) => Promise<Usage | null>;

/**
 * The Worker's own storage-row counters for one user: the Durable Object's `storageUsage()`
 * RPC (cumulative SQL cursor counters of the live instance), called by the target's small
 * "bench-usage" Worker (bench/lib/targets.ts) and read over HTTP. Not through Miniflare's
 * proxy: its property reads are synchronous round trips that block Node, which then stops
 * reading workerd's stdout; a workerd logging a burst (reconcile corrections) blocks on that
 * full pipe and never answers (a deadlock seen at a few thousand users).
 * Null when the Worker has no such method.
 */
export async function usageReader(t: Target): Promise<UsageReader | null> {
  if (t.kind !== "presence-edge" || !t.usageUrl) return null;
  const usageUrl = t.usageUrl;
  const read: UsageReader = async (account) => {
    const res = await fetch(`${usageUrl}/?name=${encodeURIComponent(`${APP}:${account}`)}`, {
      signal: AbortSignal.timeout(15_000),
    });
    if (!res.ok) throw new Error(`storageUsage(): HTTP ${res.status} ${await res.text()}`);
    const u = (await res.json()) as Record<string, unknown>;
    return {
      rowsRead: Number(u.rowsRead),
      rowsWritten: Number(u.rowsWritten),
      alarmsSet: typeof u.alarmsSet === "number" ? u.alarmsSet : null,
      watchRequests: typeof u.watchRequests === "number" ? u.watchRequests : null,
    };
  };
  try {
    await read("bench-usage-probe"); // throws if the method does not exist
    return read;
  } catch {
    return null;
  }
}

const accountOf = (req: Req) => (JSON.parse(req.body) as { Info: { To_Account: string } }).Info.To_Account;

/** Sends callbacks of one kind one at a time and averages the storage rows each one cost. */
export async function probe(
  url: string,
  kind: string,
  make: (i: number) => Req,
  n: number,
  usage: UsageReader | null,
): Promise<Probe> {
  let read = 0;
  let written = 0;
  let alarms: number | null = 0;
  let watchRequests: number | null = 0;
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
        watchRequests =
          after.watchRequests === null || before.watchRequests === null || watchRequests === null
            ? null
            : watchRequests + after.watchRequests - before.watchRequests;
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
    ...(counted === n && source === "rpc" && watchRequests !== null ? { watchRequests: watchRequests / n } : {}),
    source: counted === n ? source : null,
    outcomes: [...new Set(outcomes)],
  };
}

/** Storage rows per callback kind, one request at a time; then the probe user's history is checked. */
export async function storageProbes(
  t: Target,
  w: CallbackWorkload,
  n: number,
): Promise<{ probes: Probe[]; historyCheck?: string }> {
  const url = t.url;
  const probeUser = (i: number) => (i * 7) % w.population.length;
  const usage = await usageReader(t);
  // Resync: the load phases may have generated (but never sent) a last event for a user.
  for (let i = 0; i < n; i++) await (await post(url, w.appliedFor(probeUser(i)))).arrayBuffer();
  const probes: Probe[] = [];
  probes.push(await probe(url, "applied", (i) => w.appliedFor(probeUser(i)), n, usage));
  probes.push(await probe(url, "duplicate", (i) => w.duplicate(probeUser(i)), n, usage));
  probes.push(await probe(url, "stale", (i) => w.staleFor(probeUser(i)), n, usage));
  probes.push(await probe(url, "custom status", (i) => w.customStatusFor(probeUser(i), i % 2 ? "" : "busy"), n, usage));
  probes.push(await probe(url, "first touch", () => w.firstTouch(), n, usage));
  if (t.kind !== "presence-edge") return { probes };
  return { probes, historyCheck: await checkHistory(url, w.population[probeUser(0)]!) };
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
