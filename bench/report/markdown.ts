// The figures section of docs/PERFORMANCE.md, written by the bench itself after a full run
// (between the `bench:figures` markers), so the published tables and charts always come from
// one run: bench/results.json and bench/charts/. The prose around it is written by hand.

import { readFileSync, writeFileSync } from "node:fs";
import { fmt } from "../lib/format.ts";
import type { Phase } from "../lib/phase.ts";
import type { Profile } from "../lib/settings.ts";
import { phaseKey, type TargetFigures } from "../phases/ingest.ts";
import type { Check } from "./checks.ts";
import type { KindCost } from "./costs.ts";
import type { PhaseRatio } from "./ratios.ts";
import { onlineSection } from "./online-markdown.ts";

const BEGIN = "<!-- bench:figures (written by npm run bench; edit the prose around it, not this) -->";
const END = "<!-- /bench:figures -->";

interface Results {
  profile: Profile;
  generatedAt: string;
  commit: string;
  worktreeDirty: boolean | null;
  provisional: boolean;
  durationSeconds: number;
  machine: { cores: number; maxForeignCpuCores: number; loadAverageAtStart: number[]; workerd: string };
  bundle: { wranglerGzipKiB: number | null; gzipBytes: number };
  runs: Record<string, TargetFigures>;
  ratios: Record<string, Record<string, PhaseRatio>>;
  costPerMillion: Record<string, KindCost>;
  checks: Check[];
  extras: Record<string, Record<string, unknown>>;
}

const row = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
const head = (cells: string[]) => `${row(cells)}\n${row(cells.map(() => "---"))}`;
const KIND_NAMES: Record<string, string> = {
  steady: "steady ingest",
  duplicateStale: "duplicate/stale",
  firstTouch: "first touch",
};
const lat = (p: Phase | undefined) => (p ? `${fmt(p.p50, 1)} / ${fmt(p.p99, 1)}` : "");

function ingestTable(r: Results, placement: "tmpfs" | "disk"): string {
  const pe = r.runs[`presence-edge/${placement}`];
  const arch = r.runs[`architecture/${placement}`];
  const twoHop = r.runs[`two-hop/${placement}`];
  const off = r.runs[`index-off/${placement}`];
  const rt = r.runs["runtime"];
  if (!pe?.ready || !arch?.ready) return `_${placement}: not in this run_`;
  const lines = [
    head([
      "phase",
      "conn.",
      "runtime ceiling/s",
      "one hop/s",
      "two-hop/s",
      "presence-edge/s",
      "ratio to one hop",
      "ratio to two-hop",
      ...(off?.ready ? ["index off/s", "index off to one hop"] : []),
      "p50 / p99 ms, one hop",
      "p50 / p99 ms, p-e",
    ]),
  ];
  for (const [key, p] of Object.entries(pe.phases)) {
    if (key === "precreate" || key === "rate" || key === "batch") continue;
    const [kind, ...rest] = key.split("/");
    const conns = rest.at(-1)?.replace(/^c/, "") ?? "";
    const mix = rest.length > 1 ? ` (${rest[0]})` : "";
    const runtime = kind === "steady" ? rt?.phases[phaseKey("steady", Number(conns), r.profile.mixes[0])] : undefined;
    const ratios = r.ratios[placement]?.[key];
    // The ratio a target judges is in bold: to the two-hop ceiling where it ran (transitions).
    const judgedTwoHop = ratios?.twoHop != null;
    const offRatio = r.ratios[`${placement}+index-off`]?.[key]?.throughput;
    lines.push(
      row([
        `${KIND_NAMES[kind!] ?? kind}${mix}`,
        conns,
        fmt(runtime?.rps, 0),
        fmt(arch.phases[key]?.rps, 0),
        fmt(twoHop?.phases[key]?.rps, 0),
        fmt(p.rps, 0),
        judgedTwoHop ? fmt(ratios?.throughput, 2) : `**${fmt(ratios?.throughput, 2)}**`,
        judgedTwoHop ? `**${fmt(ratios?.twoHop, 2)}**` : "",
        ...(off?.ready ? [fmt(off.phases[key]?.rps, 0), offRatio == null ? "" : `**${fmt(offRatio, 2)}**`] : []),
        lat(arch.phases[key]),
        lat(p),
      ]),
    );
  }
  return lines.join("\n");
}

function extrasSection(r: Results): string {
  const out: string[] = [];
  const names: Record<string, string> = {
    tencentQuery: "Tencent-compatible query",
    reconcile: "Reconciliation",
    watch: "Live watch",
    online: "Who is online",
  };
  for (const [k, e] of Object.entries(r.extras)) {
    if (e?.problem) out.push(`- ${names[k] ?? k}: **did not work**: ${String(e.problem)}`);
  }
  const tq = r.extras.tencentQuery as
    { skipped: string | null; accounts?: number; compatible?: Phase; native?: Phase; userSigBy?: string } | undefined;
  if (tq?.skipped) out.push(`- Tencent-compatible query: not measured (${tq.skipped}).`);
  else if (tq?.compatible && tq.native) {
    out.push(
      `- Tencent-compatible \`query_online_status\`, ${tq.accounts} accounts a request (UserSig from ${tq.userSigBy}):` +
        ` p50 ${fmt(tq.compatible.p50, 1)} ms, p99 ${fmt(tq.compatible.p99, 1)} ms;` +
        ` the native batch query on the same accounts: p50 ${fmt(tq.native.p50, 1)} ms, p99 ${fmt(tq.native.p99, 1)} ms.`,
    );
  }
  const rc = r.extras.reconcile as { skipped: string | null; summary?: string } | undefined;
  if (rc?.skipped) out.push(`- Reconciliation: not measured (${rc.skipped}).`);
  else if (rc?.summary) out.push(`- Reconciliation: ${rc.summary}`);
  const w = r.extras.watch as
    | {
        skipped: string | null;
        watchers?: number;
        latency?: { p50: number | null; p99: number | null; matched: number; callbacks: number; rate: number };
        throughput?: { unwatchedRatio: number | null; watchedRatio: number | null };
        connections?: number;
        rows?: { kind: string; rowsWritten: number | null; watchRequests?: number | null }[];
      }
    | undefined;
  if (w?.skipped) out.push(`- Live watch: not measured (${w.skipped}).`);
  else if (w?.latency && w.throughput) {
    out.push(
      `- Live watch, ${w.watchers} WebSocket watchers (each user watched once): callback → watcher message` +
        ` p50 ${fmt(w.latency.p50, 1)} ms, p99 ${fmt(w.latency.p99, 1)} ms (${w.latency.matched} of ${w.latency.callbacks} at ${w.latency.rate}/s);` +
        ` steady ingest at ${w.connections} connections as a ratio to the architecture ceiling: ${fmt(w.throughput.unwatchedRatio, 2)} for unwatched users,` +
        ` ${fmt(w.throughput.watchedRatio, 2)} for watched ones; per applied callback: ${(w.rows ?? []).map((p) => `${p.kind} ${fmt(p.rowsWritten, 2)} rows written, ${fmt(p.watchRequests, 2)} requests to watchers`).join("; ")}.`,
    );
  }
  return out.join("\n");
}

export function figuresMarkdown(r: Results): string {
  const pe = r.runs["presence-edge/tmpfs"];
  const arch = r.runs["architecture/tmpfs"];
  const rt = r.runs["runtime"];
  const when = r.generatedAt.slice(0, 16).replace("T", " ");
  const parts = [
    `Run of ${when} UTC at commit \`${r.commit.slice(0, 7)}\`${r.worktreeDirty ? " (with uncommitted changes)" : ""},` +
      ` ${r.profile.users} users, at least ${r.profile.rounds} alternating rounds a phase, ${r.durationSeconds} s in all;` +
      ` workerd ${r.machine.workerd}, ${r.machine.cores} cores, load average ${r.machine.loadAverageAtStart.join(" ")} at the start,` +
      ` other load up to ${fmt(r.machine.maxForeignCpuCores, 2)} core during a phase.` +
      (r.provisional
        ? " **Provisional: the machine was busy** (other processes used more than 0.2 core during some phases), so the figures are low and noisy; the published figures come from a run on a quiet machine."
        : ""),
    `![Throughput against both ceilings](../bench/charts/throughput.svg)`,
    `![presence-edge as a share of its ceilings (one hop, two-hop; index on and off), with the targets](../bench/charts/ratio.svg)`,
    `![Latency percentiles](../bench/charts/latency.svg)`,
    `![What the index costs in throughput: two-hop over one-hop ceiling, presence-edge index on over off](../bench/charts/index.svg)`,
    `![Who is online: freshness and reads](../bench/charts/online.svg)`,
    `**Throughput, tmpfs** (callbacks/s; one hop = the architecture ceiling, two-hop = with the least index; ratios in the same run, alternating rounds; the judged ratio in bold; index off = presence-edge with \`ONLINE_INDEX=off\`):`,
    ingestTable(r, "tmpfs"),
    `**Open loop and reads, tmpfs:** ${r.profile.rate}/s fixed rate: p50 / p99 ${lat(rt?.phases.rate)} ms runtime ceiling,` +
      ` ${lat(arch?.phases.rate)} ms architecture ceiling, ${lat(pe?.phases.rate)} ms presence-edge;` +
      ` batch-${Math.min(r.profile.batchSize, r.profile.users)} query p50 / p99 ${lat(pe?.phases.batch)} ms (the plain fan-out: ${lat(arch?.phases.batch)} ms);` +
      ` workerd CPU per callback at that rate ${fmt(pe?.phases.rate?.cpuMsPerRequest, 3)} ms (architecture ${fmt(arch?.phases.rate?.cpuMsPerRequest, 3)} ms).`,
    `**Disk** (the largest connection count and the first mix only; bound by commits, not by the code):`,
    ingestTable(r, "disk"),
    `**Storage rows per callback** (the Durable Object's own SQL cursor counters, \`storageUsage()\` RPC):`,
    [
      head(["callback", "rows written", "rows read", "alarms set"]),
      ...(pe?.probes ?? []).map((p) => row([p.kind, fmt(p.rowsWritten, 2), fmt(p.rowsRead, 2), fmt(p.alarmsSet, 1)])),
    ].join("\n"),
    `**Cost per million callbacks at the default settings**, USD (Workers Paid marginal prices; log events = invocation logs + the Worker's own lines as measured, × head sampling):`,
    [
      head([
        "callback",
        "Worker req",
        "Worker CPU",
        "DO req",
        "DO duration",
        "rows written",
        "log lines",
        "log events",
        "without logs",
        "all-in",
      ]),
      ...Object.entries(r.costPerMillion).map(([k, c]) =>
        row([
          k,
          fmt(c.workerRequests, 2),
          fmt(c.workerCpu, 3),
          fmt(c.doRequests, 2),
          fmt(c.doDuration, 3),
          fmt(c.rowsWritten, 2),
          fmt(c.logLinesPerCallback, 2),
          fmt(c.logEventsPerCallback, 2),
          fmt(c.total, 2),
          `**${fmt(c.allIn, 2)}**`,
        ]),
      ),
    ].join("\n"),
    extrasSection(r),
    onlineSection(r.extras.online, r.checks),
    `**Targets** (judged by \`npm run bench -- --strict\`):`,
    [
      head(["target", "wanted", "measured", "result"]),
      ...r.checks.map((c) =>
        row([c.name, c.target, c.measured, c.pass === null ? "n/a" : c.pass ? "met" : "**missed**"]),
      ),
    ].join("\n"),
  ];
  return parts.filter((p) => p !== "").join("\n\n");
}

/** Replaces the figures section of the document; returns false when it has no markers. */
export async function writeFiguresSection(docPath: string, r: Results): Promise<boolean> {
  const doc = readFileSync(docPath, "utf8");
  const start = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) return false;
  const text = `${doc.slice(0, start)}${BEGIN}\n\n${figuresMarkdown(r)}\n\n${doc.slice(end)}`;
  const prettier = await import("prettier");
  const options = (await prettier.resolveConfig(docPath)) ?? {};
  writeFileSync(docPath, await prettier.format(text, { ...options, filepath: docPath }));
  return true;
}
