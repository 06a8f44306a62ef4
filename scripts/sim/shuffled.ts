// shuffled: a recorded sequence in order to one user, shuffled and duplicated to another; the
// final states must be the same.
import type { StateEvent } from "../lib/tencent-client.ts";
import { dayInTheLife } from "./day-in-the-life.ts";
import type { Options } from "./options.ts";
import { problems, send, showUser } from "./output.ts";
import { rng } from "./rng.ts";

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

export async function runShuffled(opts: Options): Promise<void> {
  const base = opts.user ?? `sim-shuffled-${Date.now().toString(36)}`;
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
    problems.count++;
    return;
  }
  const na = normalise(a);
  const nb = normalise(b);
  const diffs = COMPARED.filter((k) => canonical(na[k]) !== canonical(nb[k]));
  if (diffs.length === 0) {
    console.log(`  SAME final state (${COMPARED.join(", ")}) whatever the arrival order`);
  } else {
    problems.count++;
    console.log(`  DIFFERENT final state in: ${diffs.join(", ")}`);
    for (const k of diffs)
      console.log(`    ${k}: in order ${canonical(na[k])}\n    ${" ".repeat(k.length)}  shuffled ${canonical(nb[k])}`);
  }
}
