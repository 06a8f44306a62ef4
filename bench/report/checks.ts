// The targets of docs/PERFORMANCE.md, judged on this run's figures. Throughput targets are
// ratios to the architecture ceiling measured in the same run (tmpfs), never absolute times.

import { fmt } from "../lib/format.ts";
import type { Profile } from "../lib/settings.ts";
import type { BuildInfo } from "../lib/build.ts";
import { phaseKey } from "../phases/ingest.ts";
import type { KindCost } from "./costs.ts";
import type { PhaseRatio, Runs } from "./ratios.ts";

export interface Check {
  name: string;
  target: string;
  measured: string;
  /** null: not measured in this run. */
  pass: boolean | null;
}

export const TARGETS = {
  steadyRatio: 0.85,
  duplicateStaleRatio: 0.9,
  firstTouchRatio: 0.85,
  batchP50Ms: 50,
  bundleGzipKiB: 50,
  rowsPerCallback: 1,
  rowsFirstTouch: 6,
  allInPerMillionApplied: 1.5,
  watchP50Ms: 50,
} as const;

function atLeast(name: string, r: PhaseRatio | undefined, min: number): Check {
  const v = r?.throughput ?? null;
  return { name, target: `>= ${min}`, measured: fmt(v, 2), pass: v === null ? null : v >= min };
}

export function checksOf(
  profile: Profile,
  runs: Runs,
  ratios: Record<string, Record<string, PhaseRatio>>,
  costs: Record<string, KindCost>,
  build: BuildInfo,
  extra: Check[],
): Check[] {
  const t = ratios.tmpfs ?? {};
  const checks: Check[] = [];
  for (const c of profile.connections) {
    for (const mix of profile.mixes) {
      checks.push(atLeast(`steady ingest, ${mix}, ${c} conn.`, t[phaseKey("steady", c, mix)], TARGETS.steadyRatio));
    }
  }
  for (const c of profile.connections) {
    checks.push(atLeast(`duplicate/stale, ${c} conn.`, t[phaseKey("duplicateStale", c)], TARGETS.duplicateStaleRatio));
  }
  for (const c of profile.connections) {
    checks.push(atLeast(`first touch, ${c} conn.`, t[phaseKey("firstTouch", c)], TARGETS.firstTouchRatio));
  }
  const pe = runs["presence-edge/tmpfs"];
  const batch = pe?.phases.batch;
  checks.push({
    name: `batch-${Math.min(profile.batchSize, profile.users)} query p50`,
    target: `<= ${TARGETS.batchP50Ms} ms`,
    measured: batch ? `${fmt(batch.p50, 1)} ms (p99 ${fmt(batch.p99, 1)} ms)` : "n/a",
    pass: batch && batch.ok === batch.requests ? batch.p50 <= TARGETS.batchP50Ms : null,
  });
  const gzipKiB = build.wranglerGzipKiB ?? build.bundleGzipBytes / 1024;
  checks.push({
    name: "bundle size, gzip",
    target: `<= ${TARGETS.bundleGzipKiB} KiB`,
    measured: `${fmt(gzipKiB, 2)} KiB`,
    pass: gzipKiB <= TARGETS.bundleGzipKiB,
  });
  for (const p of pe?.probes ?? []) {
    const max = p.kind === "first touch" ? TARGETS.rowsFirstTouch : TARGETS.rowsPerCallback;
    checks.push({
      name: `rows written per ${p.kind} callback`,
      target: `<= ${max}`,
      measured: fmt(p.rowsWritten, 2),
      pass: p.rowsWritten === null ? null : p.rowsWritten <= max,
    });
  }
  const applied = costs.applied;
  checks.push({
    name: "all-in cost per million applied callbacks, default settings",
    target: `<= $${TARGETS.allInPerMillionApplied.toFixed(2)}`,
    measured: applied?.allIn == null ? "n/a" : `$${fmt(applied.allIn, 2)}`,
    pass: applied?.allIn == null ? null : applied.allIn <= TARGETS.allInPerMillionApplied,
  });
  return [...checks, ...extra];
}
