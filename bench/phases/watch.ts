// Live watch (docs/WATCH.md): W WebSocket watchers, each subscribed to its own slice of a
// watched population (every watched user has one watcher). Measures the latency from sending
// a callback to the watcher receiving its event (open loop, a fixed rate), and steady-ingest
// throughput with and without watchers as ratios to the architecture ceiling, in alternating
// rounds (ceiling, unwatched users, watched users, ...). Also the rows a callback writes for a
// watched user and for one nobody watches.

import { runLoad, runRate } from "../lib/load.ts";
import { fmt, ratio } from "../lib/format.ts";
import { measure, mergePhases, post, type Phase } from "../lib/phase.ts";
import { APP, API_TOKEN, CALLBACK_TOKEN, PE_BINDINGS, log, type Profile } from "../lib/settings.ts";
import type { BuildInfo } from "../lib/build.ts";
import { startTarget, type Target } from "../lib/targets.ts";
import { CallbackWorkload } from "../lib/workload.ts";
import { roundSeconds, roundsOf } from "./ingest.ts";
import { probe, usageReader, type Probe } from "./storage-rows.ts";
import type { ExtraFigures } from "./extra-figures.ts";

interface Watcher {
  ws: WebSocket;
  received: number;
}

async function openWatcher(
  url: string,
  token: string,
  accounts: string[],
  onEvent: (account: string) => void,
): Promise<Watcher> {
  const ws = new WebSocket(`${url.replace(/^http/, "ws")}/v1/apps/${APP}/watch?token=${encodeURIComponent(token)}`);
  const w: Watcher = { ws, received: 0 };
  let snapshots = 0;
  let ready!: () => void;
  let failed!: (e: Error) => void;
  const subscribed = new Promise<void>((res, rej) => ((ready = res), (failed = rej)));
  ws.addEventListener("open", () => ws.send(JSON.stringify({ type: "subscribe", accounts })));
  ws.addEventListener("error", () => failed(new Error("watch WebSocket failed")));
  ws.addEventListener("message", (ev) => {
    const text = String(ev.data);
    if (text.startsWith('{"type":"snapshot"')) {
      if (++snapshots === accounts.length) ready();
    } else if (text.startsWith('{"type":"event"')) {
      w.received++;
      const m = /"account":"([^"]*)"/.exec(text);
      if (m) onEvent(m[1]!);
    } else if (text.startsWith('{"type":"error"')) {
      failed(new Error(`watch error: ${text.slice(0, 200)}`));
    }
  });
  const timeout = setTimeout(() => failed(new Error("no snapshots within 30 s")), 30_000);
  try {
    await subscribed;
  } finally {
    clearTimeout(timeout);
  }
  return w;
}

export async function runWatch(profile: Profile, build: BuildInfo, watchers: number): Promise<ExtraFigures> {
  const pe = await startTarget({
    kind: "presence-edge",
    placement: "tmpfs",
    build,
    bindings: PE_BINDINGS,
    labelSuffix: "+watch",
  });
  const arch = await startTarget({ kind: "architecture", placement: "tmpfs", build, labelSuffix: "+watch" });
  const open: Watcher[] = [];
  try {
    const tokenRes = await post(pe.url, {
      path: `/v1/apps/${APP}/watch-tokens`,
      body: JSON.stringify({ ttlSeconds: 3600 }),
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    if (tokenRes.status === 404) return { skipped: "this build has no live watch (POST …/watch-tokens answered 404)" };
    if (tokenRes.status !== 200)
      return {
        skipped: null,
        problem: `watch-tokens answered HTTP ${tokenRes.status}: ${(await tokenRes.text()).slice(0, 200)}`,
      };
    const { token } = (await tokenRes.json()) as { token: string };

    const users = profile.users;
    const mk = (prefix: string) => new CallbackWorkload({ app: APP, token: CALLBACK_TOKEN, users, prefix });
    const plain = mk("plain");
    const watched = mk("watched");
    const ref = mk("ref");
    const c = Math.max(...profile.connections);
    for (const [t, w] of [
      [pe, plain],
      [pe, watched],
      [arch, ref],
    ] as const) {
      await runLoad({ url: t.url, connections: c, amount: users, next: () => w.precreate() });
    }

    // Each watcher watches its own slice of the watched population.
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    const onEvent = (account: string) => {
      const at = sentAt.get(account);
      if (at === undefined) return;
      latencies.push(performance.now() - at);
      sentAt.delete(account);
    };
    const slice = Math.ceil(users / watchers);
    for (let i = 0; i < watchers; i++) {
      const accounts = watched.population.slice(i * slice, (i + 1) * slice);
      if (accounts.length) open.push(await openWatcher(pe.url, token, accounts, onEvent));
    }
    log(`  watch: ${open.length} watchers subscribed to ${users} users`);

    // Latency: a fixed rate, open loop; every callback is a state change of a watched user.
    const rate = Math.min(profile.rate / 5, 200);
    const sent = await runRate({
      url: pe.url,
      rate,
      seconds: Math.min(5, profile.rateSec),
      next: () => {
        const req = watched.applied();
        sentAt.set((JSON.parse(req.body) as { Info: { To_Account: string } }).Info.To_Account, performance.now());
        return req;
      },
    });
    const deadline = Date.now() + 5000;
    while (sentAt.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    latencies.sort((a, b) => a - b);
    const pct = (p: number) =>
      latencies.length ? latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)]! : null;

    // Throughput: ceiling, unwatched, watched, then the reverse, at the largest connection count.
    const parts: Record<"arch" | "plain" | "watched", Phase[]> = { arch: [], plain: [], watched: [] };
    const sides: [keyof typeof parts, Target, CallbackWorkload][] = [
      ["arch", arch, ref],
      ["plain", pe, plain],
      ["watched", pe, watched],
    ];
    // Short enough that no side's objects are evicted between its rounds (bench/phases/ingest.ts).
    const rounds = roundsOf({ seconds: profile.steadySec }, profile.rounds, sides.length);
    for (let r = 0; r < rounds; r++) {
      for (const [name, t, w] of r % 2 === 0 ? sides : [...sides].reverse()) {
        parts[name].push(
          await measure(t, `watch ${name} c${c} ${r + 1}/${rounds}`, {
            url: t.url,
            connections: c,
            duration: roundSeconds(profile.steadySec, rounds),
            next: () => w.applied(),
          }),
        );
      }
    }
    const merged = {
      arch: mergePhases(parts.arch),
      plain: mergePhases(parts.plain),
      watched: mergePhases(parts.watched),
    };
    const delivered = open.reduce((a, w) => a + w.received, 0);

    // Rows and watch requests per applied callback, watched or not.
    const usage = await usageReader(pe);
    const rows: Probe[] = [
      await probe(pe.url, "applied, unwatched", (i) => plain.appliedFor(i), profile.probeEach, usage),
      await probe(pe.url, "applied, watched", (i) => watched.appliedFor(i), profile.probeEach, usage),
    ];
    const fig = {
      skipped: null,
      problem: latencies.length === 0 ? `no watch event received for ${sent.requests} callbacks` : null,
      watchers: open.length,
      watchedUsers: users,
      latency: {
        rate,
        callbacks: sent.requests,
        matched: latencies.length,
        p50: pct(50),
        p90: pct(90),
        p99: pct(99),
        max: latencies.at(-1) ?? null,
      },
      connections: c,
      throughput: {
        architecture: merged.arch.rps,
        unwatched: merged.plain.rps,
        watched: merged.watched.rps,
        unwatchedRatio: ratio(merged.plain.rps, merged.arch.rps),
        watchedRatio: ratio(merged.watched.rps, merged.arch.rps),
        eventsDeliveredDuringLoad: delivered,
      },
      phases: merged,
      rows,
    };
    log(
      `  watch: ${open.length} watchers, callback → event p50 ${fmt(fig.latency.p50, 1)} ms, p99 ${fmt(fig.latency.p99, 1)} ms (${latencies.length}/${sent.requests} at ${rate}/s);` +
        ` ingest ratio to the ceiling: ${fmt(fig.throughput.unwatchedRatio, 2)} unwatched, ${fmt(fig.throughput.watchedRatio, 2)} watched;` +
        ` per applied callback: ${rows.map((r) => `${r.kind} ${fmt(r.rowsWritten, 2)} rows, ${fmt(r.watchRequests, 2)} watch requests`).join("; ")}`,
    );
    return fig;
  } finally {
    for (const w of open) w.ws.close();
    await pe.dispose();
    await arch.dispose();
  }
}
