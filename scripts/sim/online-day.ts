// online-day: many users online and off over a day compressed into a few minutes (the plan is
// online-day-plan.ts: a morning ramp, daytime flapping, an evening drop, some second devices),
// so that the who-is-online counts, the console's Online page and GET /online/history have a
// shape. Callbacks leave when they are due on the wall clock (EventTime is their send time);
// each user's are sent in order. After each batch the Tencent stand-in's truth follows the
// users it touched, as in the other scenarios. At the end the index must agree with the users'
// snapshots (online-check.ts).
import { isConnectionRefused, unreachable } from "../lib/cli.ts";
import type { PresenceSnapshot } from "../lib/presence-text.ts";
import { getOnline, queryPresence, sendCallback, theWorker } from "../lib/tencent-client.ts";
import { checkIndex } from "./online-check.ts";
import { planDay, toStateEvent, type PlannedEvent } from "./online-day-plan.ts";
import type { Options } from "./options.ts";
import { describe, problems, sleep, standin } from "./output.ts";

/** Progress lines over the day. */
const REPORTS = 8;

const mmss = (ms: number) =>
  `${String(Math.floor(ms / 60_000)).padStart(2, "0")}:${String(Math.floor(ms / 1000) % 60).padStart(2, "0")}`;

export async function runOnlineDay(opts: Options): Promise<void> {
  const users = opts.users ?? 200;
  const durationMs = opts.seconds * 1000;
  const prefix = opts.user ?? "sim-online";
  const plan = planDay(prefix, users, durationMs, opts.seed);
  const accounts = Array.from({ length: users }, (_, i) => `${prefix}-u${i}`);
  const base = `${opts.api.url.replace(/\/$/, "")}/v1/apps/${opts.api.app}`;
  console.log(
    `online-day: ${users} users (${prefix}-u0 …), ${plan.events.length} callbacks over ${opts.seconds} s:` +
      ` a morning ramp, daytime flapping, an evening drop; ${plan.nightOwls.length} stay online → ${opts.callback.url}`,
  );
  console.log(`  watch it on the console's Online page, or: curl -s -H 'authorization: Bearer …' ${base}/online`);
  const start = Date.now();
  let next = 0;
  let reported = 0;
  while (next < plan.events.length) {
    const elapsed = Date.now() - start;
    const due: PlannedEvent[] = [];
    while (next < plan.events.length && plan.events[next]!.at <= elapsed) due.push(plan.events[next++]!);
    if (due.length) await sendDue(opts, due, start);
    if (elapsed >= (reported * durationMs) / REPORTS) {
      reported++;
      await report(opts, elapsed, next, plan.events.length);
    }
    const wait = next < plan.events.length ? plan.events[next]!.at - (Date.now() - start) : 0;
    await sleep(Math.max(0, Math.min(250, wait)));
  }
  await report(opts, Date.now() - start, next, plan.events.length);

  const check = await checkIndex(opts.api, accounts);
  const mine = check.snapshots.filter((s) => accounts.includes(s.account ?? ""));
  const online = mine.filter((s) => s.status === "online").length;
  console.log(
    `\n  the day is over: ${online} of the ${users} users online (${plan.nightOwls.length} night owls);` +
      ` GET /online: ${check.counts?.online ?? "?"} online, ${check.counts?.disconnected ?? "?"} disconnected in the app`,
  );
  if (check.problems.length) {
    problems.count++;
    console.log(
      `  the index does NOT agree with the users' snapshots:\n    ${check.problems.slice(0, 20).join("\n    ")}`,
    );
  } else {
    console.log(`  the index agrees with every user's snapshot: counts per status and platform, and the whole list`);
  }
  console.log(
    `  counts over time: curl -s -H 'authorization: Bearer …' '${base}/online/history?resolution=minute&from=${start}'`,
  );
}

/** Sends the due callbacks, each user's in order, users in parallel; then the stand-in's truth follows. */
async function sendDue(opts: Options, due: PlannedEvent[], start: number): Promise<void> {
  const byUser = new Map<string, PlannedEvent[]>();
  for (const e of due) byUser.set(e.account, [...(byUser.get(e.account) ?? []), e]);
  const queues = [...byUser.values()];
  const worker = async () => {
    for (let q = queues.shift(); q !== undefined; q = queues.shift()) {
      for (const e of q) {
        const event = toStateEvent(e, start);
        const r = await sendCallback(opts.callback, event).catch((err: unknown) => {
          if (isConnectionRefused(err)) throw unreachable(theWorker(opts.callback.url), err);
          console.error(`  ! ${e.account} ${describe(event)}: ${(err as Error).message}`);
          return { status: 0 };
        });
        if (r.status !== 200) problems.count++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency, queues.length) }, worker));
  if (await standin(opts).running()) {
    const touched = [...byUser.keys()];
    for (let i = 0; i < touched.length; i += 500) {
      const read = await queryPresence(opts.api, touched.slice(i, i + 500));
      const results = (read.json as { results?: PresenceSnapshot[] } | null)?.results ?? [];
      await standin(opts).follow(Object.fromEntries(results.map((s) => [s.account ?? "", s])));
    }
  }
}

async function report(opts: Options, elapsed: number, sent: number, total: number): Promise<void> {
  const { status, json } = await getOnline(opts.api);
  const c = json as { online?: number; disconnected?: number; platforms?: Record<string, number> };
  const platforms = Object.entries(c.platforms ?? {})
    .filter(([, n]) => n > 0)
    .map(([p, n]) => `${p} ${n}`)
    .join(", ");
  console.log(
    `  ${mmss(elapsed)}  ${String(sent).padStart(5)}/${total} sent   ` +
      (status === 200
        ? `GET /online: ${c.online} online, ${c.disconnected} disconnected${platforms ? ` (${platforms})` : ""}`
        : `GET /online answered HTTP ${status}`),
  );
}
