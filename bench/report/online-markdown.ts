// The who-is-online part of the figures section of docs/PERFORMANCE.md (markdown.ts writes the
// rest): the reads' latency, freshness under load, what the index costs per callback, and one
// shard's capacity, from bench/phases/online.ts and online-cost.ts.

import { fmt } from "../lib/format.ts";
import type { IndexCost, ShardCapacity } from "../phases/online-cost.ts";
import type { Summary } from "../phases/online-http.ts";
import type { Check } from "./checks.ts";

interface OnlineFigures {
  skipped: string | null;
  problem?: string | null;
  shards?: number;
  population?: number;
  reads?: { counts: Summary; page: Summary; pageUsers: number; walk: { users: number; pages: number; ms: number } };
  freshness?: {
    probes: number;
    counts: Summary;
    list: Summary;
    missed: number;
    load: { connections: number; rps: number };
    readsUnderLoad: { counts: Summary; page: Summary };
  };
  cost?: IndexCost;
  capacity?: ShardCapacity;
}

const row = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
const head = (cells: string[]) => `${row(cells)}\n${row(cells.map(() => "---"))}`;
const ms = (s: Summary | undefined) => [fmt(s?.p50, 1), fmt(s?.p99, 1)];
const targetOf = (checks: Check[], prefix: string) => checks.find((c) => c.name.startsWith(prefix))?.target ?? "";

export function onlineSection(raw: Record<string, unknown> | undefined, checks: Check[]): string {
  const o = raw as OnlineFigures | undefined;
  if (!o) return "";
  if (o.skipped) return `- Who is online: not measured (${o.skipped}).`;
  const out: string[] = [];
  const { reads, freshness: f, cost, capacity: cap } = o;
  if (reads && f) {
    out.push(
      `**Who is online** (\`ONLINE_INDEX_SHARDS\`=${o.shards}, ${o.population} users online in one app; reads one at a time; freshness: from having read a callback's 200 to having read the first answer that shows it, reads sent back to back, the probes in a second app while the first takes steady ingest):`,
      [
        head(["figure", "p50 ms", "p99 ms", "target"]),
        row(["`GET /online`, nothing else running", ...ms(reads.counts), targetOf(checks, "online: GET /online p50")]),
        row([
          `\`GET /online/users\`, a ${reads.pageUsers}-user page, nothing else running`,
          ...ms(reads.page),
          targetOf(checks, "online: GET /online/users"),
        ]),
        row([
          `callback → \`GET /online\` shows it, under ${fmt(f.load.rps, 0)} callbacks/s (${f.load.connections} connections), ${f.probes} probes`,
          ...ms(f.counts),
          `p99 ${targetOf(checks, "online: callback")}`,
        ]),
        row([
          `callback → \`GET /online/users\` shows it, the same`,
          ...ms(f.list),
          `p99 ${targetOf(checks, "online: callback")}`,
        ]),
        row(["`GET /online` under that load", ...ms(f.readsUnderLoad.counts), ""]),
        row(["`GET /online/users` (the probes' app) under that load", ...ms(f.readsUnderLoad.page), ""]),
      ].join("\n"),
      `The whole list: ${reads.walk.users} users in ${reads.walk.pages} pages of 1 000, ${fmt(reads.walk.ms, 0)} ms; ${f.missed} of ${f.probes} probe changes not shown within 10 s.`,
    );
  }
  if (cost) {
    out.push(
      `**What the index adds per callback** (the runtime's counters: the user object's \`storageUsage()\` and its shard's, one callback at a time):`,
      [
        head([
          "callback",
          "a transition",
          "requests to the index",
          "rows written at the shard",
          "rows at the user's object",
        ]),
        ...cost.probes.map((p) =>
          row([p.kind, p.transition ? "yes" : "no", fmt(p.indexRequests, 2), fmt(p.shardRows, 2), fmt(p.userRows, 2)]),
        ),
      ].join("\n"),
      `The totals object (counts over time) wrote ${fmt(cost.totals.rowsWritten, 0)} rows while these ran (${cost.totals.minutes} minute(s); at most 3 a minute, none per callback)` +
        `${(cost.totals.setupRowsWritten ?? 0) > 0 ? `, and ${fmt(cost.totals.setupRowsWritten, 0)} creating its tables (once per app)` : ""}.`,
    );
  }
  if (cap) {
    out.push(
      `**One shard's capacity** (a Worker with \`ONLINE_INDEX_SHARDS=1\`, ${cap.connections} connections of Login/Logout: every callback a transition to the one shard, ${fmt(cap.seconds, 0)} s):` +
        ` ${fmt(cap.transitionsPerSecond, 0)} transitions/s answered, the shard applied ${fmt(cap.appliedPerSecond, 0)}/s during the load` +
        ` (${cap.applied} updates for ${cap.transitions} transitions answered), and its rows last moved ${fmt(cap.drainMs / 1000, 1)} s after the load stopped.` +
        (cap.direct
          ? ` Alone, with \`update()\` driven straight at a shard ${cap.direct.concurrency} calls at a time: ${fmt(cap.direct.perSecond, 0)} updates/s (${cap.direct.calls} calls).`
          : ""),
    );
  }
  return out.join("\n\n");
}
