// What the who-is-online phases (online.ts, online-cost.ts) ask of a running Worker: the read
// API's answers with their timings, and the storage counters of a user object, an index shard or
// an app's totals object (through the "bench-usage" Worker beside the target, lib/targets.ts).

import { percentile } from "../lib/load.ts";
import { API_TOKEN } from "../lib/settings.ts";
import type { Target } from "../lib/targets.ts";

/** Every request of these phases gives up after this long: a stuck workerd ends the phase with a problem. */
const TIMEOUT_MS = 15_000;

export interface Timed<T> {
  status: number;
  body: T | null;
  /** From sending the request to having read the whole answer. */
  ms: number;
  /** performance.now() when the whole answer had been read. */
  at: number;
}

/** GET /v1/apps/{app}/online, as far as the bench reads it. */
export interface CountsAnswer {
  online: number;
  disconnected: number;
  platforms: Record<string, number>;
}

/** A page of GET /v1/apps/{app}/online/users. */
export interface UsersPage {
  users: { account: string; status: string; platforms: string[] }[];
  cursor: string | null;
}

export const countsPath = (app: string) => `/v1/apps/${app}/online`;
export const usersPath = (app: string, limit: number, cursor: string | null = null) =>
  `/v1/apps/${app}/online/users?limit=${limit}${cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`}`;

/** An API read with the bench's token, timed to the last byte of its answer. */
export async function timedGet<T>(t: Target, path: string): Promise<Timed<T>> {
  const started = performance.now();
  const res = await fetch(t.url + path, {
    headers: { authorization: `Bearer ${API_TOKEN}` },
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const text = await res.text();
  const at = performance.now();
  let body: T | null = null;
  try {
    body = JSON.parse(text) as T;
  } catch {
    // not JSON: the status says what went wrong
  }
  return { status: res.status, body, ms: at - started, at };
}

export type UsageOf = "user" | "shard" | "totals";

/** The storageUsage() counters of one object (cumulative, of its live instance), by name. */
export async function usageOf(t: Target, name: string, of: UsageOf): Promise<Record<string, number>> {
  if (!t.usageUrl) throw new Error(`${t.label} has no usage Worker`);
  const query = `name=${encodeURIComponent(name)}${of === "user" ? "" : `&of=${of}`}`;
  const res = await fetch(`${t.usageUrl}/?${query}`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (!res.ok) throw new Error(`storageUsage() of ${of} ${name}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, number>;
}

/**
 * Asks `check` every `everyMs` until it answers something other than null, or `timeoutMs` has
 * passed (then null). Polls the system under measurement: it has no signal to wait on.
 */
export async function pollUntil<T>(check: () => Promise<T | null>, timeoutMs: number, everyMs = 20): Promise<T | null> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const answer = await check();
    if (answer !== null) return answer;
    if (performance.now() > deadline) return null;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * Waits until the rows written by the named shards stop moving (unchanged over `quietMs`), for
 * at most `timeoutMs`: the index has applied everything sent so far. Answers the rows written
 * then, and how long after the call they last moved (to the poll's 100 ms).
 */
export async function settledRows(
  t: Target,
  shards: string[],
  timeoutMs: number,
  quietMs = 500,
): Promise<{ rows: number; lastMoveMs: number; settled: boolean }> {
  const started = performance.now();
  const read = async () =>
    (await Promise.all(shards.map((name) => usageOf(t, name, "shard")))).reduce((a, u) => a + (u.rowsWritten ?? 0), 0);
  let rows = await read();
  let movedAt = started;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = await read();
    if (now !== rows) {
      rows = now;
      movedAt = performance.now();
    } else if (performance.now() - movedAt >= quietMs) {
      return { rows, lastMoveMs: movedAt - started, settled: true };
    }
    if (performance.now() - started > timeoutMs) return { rows, lastMoveMs: movedAt - started, settled: false };
  }
}

export interface Summary {
  n: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

/** Percentiles of a list of milliseconds. */
export function summary(values: number[]): Summary {
  const sorted = Float64Array.from(values).sort();
  const at = (p: number) => (sorted.length ? percentile(sorted, p) : null);
  return { n: sorted.length, p50: at(50), p90: at(90), p99: at(99), max: sorted.length ? sorted.at(-1)! : null };
}
