// The who-is-online chart of docs/PERFORMANCE.md: the reads' latency with nothing else running
// and under load, and how long a callback's change takes to show, with the targets.

import type { Summary } from "../phases/online-http.ts";
import { TARGETS } from "./checks.ts";
import { renderChart, type Category } from "./svg.ts";

interface OnlineFigures {
  skipped: string | null;
  shards?: number;
  population?: number;
  reads?: { counts: Summary; page: Summary; pageUsers: number };
  freshness?: { counts: Summary; list: Summary; load: { rps: number }; readsUnderLoad: { counts: Summary } };
}

const range = (s: Summary | undefined): [number, number, number] | null =>
  s && s.p50 !== null && s.p90 !== null && s.p99 !== null ? [s.p50, s.p90, s.p99] : null;
const category = (label: string, s: Summary | undefined): Category => ({ label, values: [], ranges: [range(s)] });

/** The SVG, or null when the run has no who-is-online figures. */
export function onlineChart(raw: Record<string, unknown> | undefined, subtitle: string): string | null {
  const o = raw as OnlineFigures | undefined;
  if (!o || o.skipped || !o.reads || !o.freshness) return null;
  const f = o.freshness;
  return renderChart({
    kind: "ranges",
    title: `Who is online: p50 (thick), p90 (thin), p99 (top), ms, log scale`,
    subtitle: `${subtitle}; ${o.shards} shards, ${o.population} users online`,
    yLabel: "ms",
    series: [{ name: "presence-edge", color: "#1f77b4" }],
    columns: 3,
    panels: [
      {
        title: "GET /online",
        target: { value: TARGETS.onlineCountsP50Ms, label: `p50 target ${TARGETS.onlineCountsP50Ms} ms` },
        categories: [
          category("nothing else", o.reads.counts),
          category(`under ${Math.round(f.load.rps)}/s`, f.readsUnderLoad.counts),
        ],
      },
      {
        title: `GET /online/users, ${o.reads.pageUsers}-user page`,
        target: { value: TARGETS.onlinePageP50Ms, label: `p50 target ${TARGETS.onlinePageP50Ms} ms` },
        categories: [category("nothing else", o.reads.page)],
      },
      {
        title: `callback → shown, under ${Math.round(f.load.rps)}/s`,
        target: { value: TARGETS.onlineFreshP99Ms, label: `p99 target ${TARGETS.onlineFreshP99Ms / 1000} s` },
        categories: [category("counts", f.counts), category("list", f.list)],
      },
    ],
  });
}
