// Words and units for the numbers the console shows under the API's own names: the reconcile
// stats (GET /v1/apps/{app}/reconcile) and the limits of GET /v1/config. A name the console
// does not know yet (a newer Worker) is shown as it is, never hidden.
import { formatTime } from "./format";

export interface Fact {
  readonly label: string;
  readonly value: string;
}

const number = new Intl.NumberFormat();
const count = (n: unknown, one: string, many: string) =>
  typeof n === "number" ? `${number.format(n)} ${n === 1 ? one : many}` : shown(n);
const seconds = (n: unknown, off: string) => (n === null ? off : typeof n === "number" ? duration(n) : shown(n));
const time = (n: unknown) => (typeof n === "number" ? formatTime(n) : n === null ? "never" : shown(n));

/** "45 s", "1 h (3 600 s)": seconds, with the larger unit when it is a whole number of them. */
export function duration(s: number): string {
  const whole = [
    [86_400, "d"],
    [3600, "h"],
    [60, "min"],
  ] as const;
  const unit = whole.find(([size]) => s >= size && s % size === 0);
  return unit ? `${number.format(s / unit[0])} ${unit[1]} (${number.format(s)} s)` : `${number.format(s)} s`;
}

/** "64 KiB (65 536 bytes)". */
export function bytes(n: number): string {
  const exact = n >= 1024 && n % 1024 === 0 ? `${number.format(n / 1024)} KiB (` : "";
  return `${exact}${number.format(n)} bytes${exact ? ")" : ""}`;
}

function shown(v: unknown): string {
  if (v === null || v === undefined) return "—";
  if (typeof v === "boolean") return v ? "yes" : "no";
  if (typeof v === "object" && "message" in v) {
    const e = v as { message: string; errorCode?: number | null; at?: number };
    return `${e.message}${e.errorCode != null ? ` (ErrorCode ${e.errorCode})` : ""}${e.at ? ` at ${formatTime(e.at)}` : ""}`;
  }
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

type Describe = readonly [label: string, value: (v: unknown) => string];

const RECONCILE: Readonly<Record<string, Describe>> = {
  enabled: ["Reconciliation", (v) => (v === true ? "on (the app has a secret key)" : "off (no secret key)")],
  staleAfterSeconds: ["Verify users with no callback for", (v) => seconds(v, "off (Verify now only)")],
  maxRps: ["Calls to Tencent, at most", (v) => (typeof v === "number" ? `${number.format(v)} a second` : shown(v))],
  calls: ["Calls to Tencent made", (v) => count(v, "call", "calls")],
  accountsVerified: ["Accounts verified", (v) => count(v, "account", "accounts")],
  corrections: ["Corrections", (v) => count(v, "user corrected", "users corrected")],
  errors: ["Errors", (v) => count(v, "error", "errors")],
  lastError: ["Last error", (v) => (v === null ? "none" : shown(v))],
  lastRunAt: ["Last run", time],
  lastOkAt: ["Last answer from Tencent", time],
  queueLength: ["Waiting to be verified", (v) => count(v, "account", "accounts")],
};

const LIMITS: Readonly<Record<string, Describe>> = {
  batchAccounts: ["Batch query", (v) => `${count(v, "account", "accounts")} a request`],
  eventsPage: ["Events page", (v) => `${count(v, "event", "events")} a request`],
  historyPerUser: ["History kept per user", (v) => count(v, "event", "events")],
  kicksPerUser: ["Kicks kept per user", (v) => count(v, "kick", "kicks")],
  callbackBodyBytes: ["Largest callback body", (v) => (typeof v === "number" ? bytes(v) : shown(v))],
};

const facts = (table: Readonly<Record<string, Describe>>, values: Readonly<Record<string, unknown>>): Fact[] =>
  Object.entries(values).map(([name, v]) => {
    const known = Object.hasOwn(table, name) ? table[name] : undefined;
    return known ? { label: known[0], value: known[1](v) } : { label: name, value: shown(v) };
  });

/** The reconcile stats in the API's order, each with a label and its value in words. */
export const reconcileFacts = (stats: Readonly<Record<string, unknown>>): Fact[] => facts(RECONCILE, stats);

/** The configuration's limits (GET /v1/config `limits`), each with a label and a unit. */
export const limitFacts = (limits: Readonly<Record<string, number>>): Fact[] => facts(LIMITS, limits);
