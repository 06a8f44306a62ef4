// Cost per million callbacks of each kind at the deployment's default settings: rows from the
// storage-rows phase, log lines per callback as measured in the load phases (what the Worker
// logs by default, LOG_CALLBACKS unset), Workers Logs settings from wrangler.toml. The
// who-is-online index adds, to a callback that is a user-level transition, the requests to its
// shard and the rows the shard writes, as the online phase measured them (INDEXED_KIND).

import type { Phase } from "../lib/phase.ts";
import { PRICES, costPerMillion, type CostBreakdown } from "../lib/prices.ts";
import type { BuildInfo } from "../lib/build.ts";
import type { TargetFigures } from "../phases/ingest.ts";
import type { IndexCost } from "../phases/online-cost.ts";

/** The row of the cost table for an applied callback that is a transition, with the index's share. */
export const INDEXED_KIND = "applied, a transition (with the index)";

export interface KindCost extends CostBreakdown {
  rowsReadPerCallback: number | null;
  rowsWrittenPerCallback: number | null;
  /** console lines the Worker logged per callback of this kind, measured under load. */
  logLinesPerCallback: number | null;
  /** Billed Workers Logs events per callback: (invocation logs + lines) × head sampling rate. */
  logEventsPerCallback: number | null;
  /** total + Workers Logs: what a million such callbacks cost at the default settings. */
  allIn: number | null;
}

/** Log lines per request over every phase whose key starts with the prefix (weighted by requests). */
function linesOver(phases: Record<string, Phase>, prefix: string): number | null {
  const list = Object.entries(phases).filter(([k]) => k.startsWith(prefix));
  const n = list.reduce((a, [, p]) => a + p.requests, 0);
  return n === 0 ? null : list.reduce((a, [, p]) => a + p.logLinesPerRequest * p.requests, 0) / n;
}

const PHASE_OF_KIND: Record<string, string> = {
  applied: "steady/",
  "custom status": "steady/",
  duplicate: "duplicateStale",
  stale: "duplicateStale",
  "first touch": "firstTouch",
};

export function costsOf(
  pe: TargetFigures | undefined,
  build: BuildInfo,
  targetRate: number,
  index?: IndexCost,
): Record<string, KindCost> {
  const costs: Record<string, KindCost> = {};
  if (!pe?.ready) return costs;
  const rate = pe.phases.rate;
  const cpuMs = rate?.cpuMsPerRequest ?? null;
  // Upper bound: the object counted active for the callback's whole p50 latency at a fixed
  // rate; when the machine could not keep that rate (the latency is then queueing), the
  // lowest p50 of the closed-loop phases instead.
  const kept = rate !== undefined && rate.rps >= 0.95 * targetRate && rate.timeouts === 0;
  const steadyP50 = Math.min(
    ...Object.entries(pe.phases)
      .filter(([k]) => k.startsWith("steady/"))
      .map(([, p]) => p.p50),
  );
  const p50 = kept ? rate.p50 : Number.isFinite(steadyP50) ? steadyP50 : null;
  const activeS = p50 === null ? null : p50 / 1000;
  const o = build.observability;
  for (const p of pe.probes ?? []) {
    const lines = linesOver(pe.phases, PHASE_OF_KIND[p.kind] ?? "steady/");
    const logEvents = !o.enabled
      ? 0
      : lines === null
        ? null
        : o.headSamplingRate * ((o.invocationLogs ? PRICES.invocationLogsPerCallback : 0) + lines);
    // Each setAlarm() is billed as one row written.
    const billedWrites = p.rowsWritten === null ? null : p.rowsWritten + (p.alarmsSet ?? 0);
    const input = { cpuMs, doActiveSeconds: activeS, rowsRead: p.rowsRead, rowsWritten: billedWrites, logEvents };
    costs[p.kind] = kindCost(input, lines);
    const share = p.kind === "applied" ? indexShare(index) : null;
    if (share) {
      costs[INDEXED_KIND] = kindCost(
        {
          ...input,
          doRequests: 1 + share.requests,
          rowsWritten: billedWrites === null ? null : billedWrites + share.rows,
        },
        lines,
      );
    }
  }
  return costs;
}

function kindCost(input: Parameters<typeof costPerMillion>[0], lines: number | null): KindCost {
  const c = costPerMillion(input);
  return {
    ...c,
    rowsReadPerCallback: input.rowsRead,
    rowsWrittenPerCallback: input.rowsWritten,
    logLinesPerCallback: lines,
    logEventsPerCallback: input.logEvents,
    allIn: c.total === null || c.logs === null ? null : c.total + c.logs,
  };
}

/**
 * What the index adds to a transition: its requests and shard rows per transition, averaged over
 * the transitions the online phase probed (the shard's own duration is left out: it is a few
 * tenths of a cent a million, as the user object's is).
 */
function indexShare(index: IndexCost | undefined): { requests: number; rows: number } | null {
  const transitions = (index?.probes ?? []).filter((p) => p.transition);
  if (!transitions.length || transitions.some((p) => p.indexRequests === null || p.shardRows === null)) return null;
  const mean = (f: (p: (typeof transitions)[number]) => number) =>
    transitions.reduce((a, p) => a + f(p), 0) / transitions.length;
  return { requests: mean((p) => p.indexRequests!), rows: mean((p) => p.shardRows!) };
}
