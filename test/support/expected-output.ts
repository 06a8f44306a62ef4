// What tests provoke on purpose stays out of the test output, so that a real fault stands out.
// Plain data and functions: imported by vitest.config.ts (Node) and by the tests (workerd).

/** Every fault a test injects carries this in its message; the runtime's report of it is dropped. */
export const INJECTED = "[injected by a test]";

/** An error a test throws on purpose. */
export const injectedFault = (what: string) => new Error(`${INJECTED} ${what}`);

// The Worker's routine log lines: refusals of callbacks and of the Tencent-compatible query
// (the tests send thousands), webhook retries, reconcile corrections and failed Tencent calls
// (the tests provoke them against a fake), and any line that reports an injected fault. Its
// other error lines (a 500, "alarm failed", "api error", "tencent query error") are printed.
const ROUTINE = new Set([
  "webhook attempt failed",
  "webhook dead-lettered",
  "retention erase",
  "reconcile correction",
  "reconcile failed",
  "tencent query",
]);

function isExpectedLine(line: string): boolean {
  if (line.includes(INJECTED)) return true;
  if (!line.startsWith("{")) return false;
  try {
    const entry = JSON.parse(line) as { msg?: unknown; http?: unknown; error?: unknown };
    if (entry.msg === "callback") return typeof entry.http === "number" && entry.http < 500 && !entry.error;
    return typeof entry.msg === "string" && ROUTINE.has(entry.msg);
  } catch {
    return false;
  }
}

/** True when every line of a console write is one the tests provoke on purpose. */
export const isExpectedLog = (text: string) =>
  text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .every(isExpectedLine);

/** workerd's report of an injected fault thrown out of a Durable Object call (one write, stack included). */
export const isInjectedFaultReport = (text: string) => text.startsWith("uncaught exception") && text.includes(INJECTED);
