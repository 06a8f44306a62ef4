// The charts of docs/PERFORMANCE.md, drawn from a run's results: throughput against the
// ceilings per phase and connection count, presence-edge's ratios to the one-hop and two-hop
// ceilings with the targets, what the index costs in throughput (index on and off), latency
// percentiles, and who is online (online-charts.ts). Written as SVG next to the results.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Phase } from "../lib/phase.ts";
import type { Profile } from "../lib/settings.ts";
import { phaseKey } from "../phases/ingest.ts";
import { TARGETS } from "./checks.ts";
import type { PhaseRatio, Runs } from "./ratios.ts";
import { onlineChart } from "./online-charts.ts";
import { renderChart, type Category, type Panel, type Series } from "./svg.ts";

interface Results {
  profile: Profile;
  commit: string;
  generatedAt: string;
  provisional: boolean;
  runs: Runs;
  ratios: Record<string, Record<string, PhaseRatio>>;
  extras?: Record<string, Record<string, unknown> | undefined>;
}

type Percentiles = { p50: number | null; p90: number | null; p99: number | null } | undefined;
const rangeOfFigures = (p: Percentiles): [number, number, number] | null =>
  p && p.p50 !== null && p.p90 !== null && p.p99 !== null ? [p.p50, p.p90, p.p99] : null;

const RUNTIME: Series = { name: "runtime ceiling", color: "#c7c7c7" };
const ARCH: Series = { name: "one-hop (architecture) ceiling", color: "#7f7f7f" };
const TWO_HOP: Series = { name: "two-hop ceiling", color: "#4d4d4d" };
const PE: Series = { name: "presence-edge", color: "#1f77b4" };
const OFF: Series = { name: "presence-edge, index off", color: "#9ecae1" };

interface Group {
  title: string;
  /** Phase key at a connection count. */
  key: (c: number) => string;
  target?: number;
  /** Judged against the two-hop ceiling (transitions), else against the one-hop one. */
  twoHop: boolean;
}

function groups(p: Profile): Group[] {
  return [
    ...p.mixes.map((mix) => ({
      title: `steady ingest, ${mix}`,
      key: (c: number) => phaseKey("steady", c, mix),
      target: TARGETS.steadyRatio,
      twoHop: true,
    })),
    {
      title: "duplicate / stale",
      key: (c) => phaseKey("duplicateStale", c),
      target: TARGETS.duplicateStaleRatio,
      twoHop: false,
    },
    { title: "first touch", key: (c) => phaseKey("firstTouch", c), target: TARGETS.firstTouchRatio, twoHop: true },
  ];
}

function stamp(r: Results): string {
  const when = r.generatedAt.slice(0, 16).replace("T", " ");
  return `${r.profile.name} run ${when} UTC, commit ${r.commit.slice(0, 7)}, tmpfs, ${r.profile.users} users${r.provisional ? " — PROVISIONAL: the machine was busy" : ""}`;
}

const rangeOf = (p: Phase | undefined): [number, number, number] | null => (p ? [p.p50, p.p90, p.p99] : null);

export function writeCharts(r: Results, dir: string): string[] {
  const pe = r.runs["presence-edge/tmpfs"];
  const arch = r.runs["architecture/tmpfs"];
  const twoHop = r.runs["two-hop/tmpfs"];
  const off = r.runs["index-off/tmpfs"];
  const runtime = r.runs["runtime"];
  if (!pe?.ready || !arch?.ready) return [];
  const conns = r.profile.connections;
  const written: string[] = [];
  const save = (name: string, svg: string) => {
    mkdirSync(dir, { recursive: true });
    const path = join(dir, name);
    writeFileSync(path, svg);
    written.push(path);
  };

  // 1. Throughput, callbacks/s, against both ceilings.
  const runtimeKey = (c: number) => phaseKey("steady", c, r.profile.mixes[0]);
  const throughputPanels: Panel[] = groups(r.profile).map((g) => ({
    title: g.title,
    categories: conns.map((c): Category => ({
      label: `${c} conn.`,
      values: [
        g.title.startsWith("steady") ? (runtime?.phases[runtimeKey(c)]?.rps ?? null) : null,
        arch.phases[g.key(c)]?.rps ?? null,
        twoHop?.phases[g.key(c)]?.rps ?? null,
        pe.phases[g.key(c)]?.rps ?? null,
        off?.phases[g.key(c)]?.rps ?? null,
      ],
    })),
  }));
  save(
    "throughput.svg",
    renderChart({
      kind: "bars",
      title: "Callbacks per second, presence-edge (index on and off) against the ceilings",
      subtitle: stamp(r),
      yLabel: "callbacks / s",
      series: [RUNTIME, ARCH, TWO_HOP, PE, OFF],
      panels: throughputPanels,
    }),
  );

  // 2. Ratios to the ceilings, with the targets (on the ratio each phase is judged by).
  const ratioSeries: Series[] = [
    { name: "index on / one-hop ceiling", color: "#9ecae1" },
    { name: "index on / two-hop ceiling", color: "#08519c" },
    { name: "index off / one-hop ceiling", color: "#fdae6b" },
  ];
  const offRatios = r.ratios["tmpfs+index-off"] ?? {};
  const ratioPanels: Panel[] = groups(r.profile).map((g) => ({
    title: g.title,
    target:
      g.target === undefined
        ? undefined
        : { value: g.target, label: `target ${g.target}, ${g.twoHop ? "two-hop" : "one hop"}` },
    categories: conns.map((c) => ({
      label: `${c} conn.`,
      values: [
        r.ratios.tmpfs?.[g.key(c)]?.throughput ?? null,
        r.ratios.tmpfs?.[g.key(c)]?.twoHop ?? null,
        offRatios[g.key(c)]?.throughput ?? null,
      ],
    })),
  }));
  save(
    "ratio.svg",
    renderChart({
      kind: "bars",
      title: "presence-edge throughput as a share of its ceilings, same run",
      subtitle: stamp(r),
      yLabel: "ratio",
      series: ratioSeries,
      panels: ratioPanels,
      digits: 2,
      yAtLeast: 1.1,
    }),
  );

  // What the index costs in throughput: the least index (two-hop / one-hop ceiling) beside
  // presence-edge's own (index on / index off), where both ran.
  const indexGroups = groups(r.profile).filter((g) => g.twoHop);
  const share = (a: Phase | undefined, b: Phase | undefined) => (a && b && b.rps > 0 ? a.rps / b.rps : null);
  save(
    "index.svg",
    renderChart({
      kind: "bars",
      title: "What the index costs in throughput: with it, as a share of without it",
      subtitle: stamp(r),
      yLabel: "ratio",
      series: [
        { name: "two-hop ceiling / one-hop ceiling", color: "#7f7f7f" },
        { name: "presence-edge, index on / index off", color: "#1f77b4" },
      ],
      panels: indexGroups.map((g) => ({
        title: g.title,
        categories: conns.map((c) => ({
          label: `${c} conn.`,
          values: [
            share(twoHop?.phases[g.key(c)], arch.phases[g.key(c)]),
            share(pe.phases[g.key(c)], off?.phases[g.key(c)]),
          ],
        })),
      })),
      digits: 2,
      yAtLeast: 1.1,
    }),
  );

  // 3. Latency percentiles (p50 thick, p90 thin, p99 top of the box), log scale.
  const latencyPanels: Panel[] = groups(r.profile).map((g) => ({
    title: g.title,
    categories: conns.map((c) => ({
      label: `${c} conn.`,
      values: [],
      ranges: [rangeOf(arch.phases[g.key(c)]), rangeOf(pe.phases[g.key(c)])],
    })),
  }));
  latencyPanels.push({
    title: `open loop ${r.profile.rate}/s; batch query`,
    categories: [
      {
        label: `${r.profile.rate}/s`,
        values: [],
        ranges: [rangeOf(arch.phases.rate), rangeOf(pe.phases.rate)],
      },
      {
        label: `batch-${Math.min(r.profile.batchSize, r.profile.users)}`,
        values: [],
        ranges: [rangeOf(arch.phases.batch), rangeOf(pe.phases.batch)],
      },
    ],
  });
  // The feature phases, when measured: the compatible query beside the native one, and watch.
  const tq = r.extras?.tencentQuery as { compatible?: Percentiles; native?: Percentiles } | undefined;
  const watch = r.extras?.watch as { latency?: Percentiles; watchers?: number } | undefined;
  const featureCategories = [
    ...(tq?.compatible
      ? [
          { label: "native query", values: [], ranges: [null, rangeOfFigures(tq.native)] },
          { label: "Tencent-compatible", values: [], ranges: [null, rangeOfFigures(tq.compatible)] },
        ]
      : []),
    ...(watch?.latency
      ? [{ label: `watch, ${watch.watchers} watchers`, values: [], ranges: [null, rangeOfFigures(watch.latency)] }]
      : []),
  ];
  if (featureCategories.length)
    latencyPanels.push({ title: "batch query APIs; callback → watcher", categories: featureCategories });
  save(
    "latency.svg",
    renderChart({
      kind: "ranges",
      title: "Latency percentiles: p50 (thick), p90 (thin), p99 (top of the box), ms, log scale",
      subtitle: stamp(r),
      yLabel: "ms",
      series: [ARCH, PE],
      panels: latencyPanels,
      columns: 3,
    }),
  );
  const online = onlineChart(r.extras?.online, stamp(r));
  if (online) save("online.svg", online);
  return written;
}
