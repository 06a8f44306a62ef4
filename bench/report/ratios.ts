// presence-edge as a ratio to the references measured in the same run, phase by phase: the
// architecture ceiling (one hop: Worker → user object; same phases, alternating rounds), the
// two-hop ceiling (Worker → user object → index shard) where it ran, and the runtime ceiling;
// and presence-edge with its index off against the one-hop ceiling.

import { ratio } from "../lib/format.ts";
import type { TargetFigures } from "../phases/ingest.ts";

export interface PhaseRatio {
  /** callbacks/s over the architecture (one-hop) ceiling's. */
  throughput: number | null;
  /** callbacks/s over the two-hop ceiling's (null where the two-hop ceiling did not run). */
  twoHop: number | null;
  p50: number | null;
  p99: number | null;
  /** The architecture ceiling's throughput over the runtime ceiling's (steady phases only). */
  archVsRuntime: number | null;
  /** The two-hop ceiling's throughput over the one-hop ceiling's: what the least index costs. */
  twoHopVsArch: number | null;
}

export type Runs = Record<string, TargetFigures>;

export const runKey = (kind: string, placement: string) => (placement === "none" ? kind : `${kind}/${placement}`);

/** Where the ratios of presence-edge with its index off are kept: ratios["tmpfs+index-off"]. */
export const indexOffKey = (placement: string) => `${placement}+index-off`;

/**
 * Ratios per placement and phase key (e.g. ratios.tmpfs["steady/login-logout/c20"]), and for the
 * index off per indexOffKey(placement).
 */
export function ratiosOf(runs: Runs, placements: readonly string[]): Record<string, Record<string, PhaseRatio>> {
  const out: Record<string, Record<string, PhaseRatio>> = {};
  for (const placement of placements) {
    const arch = runs[runKey("architecture", placement)];
    const twoHop = runs[runKey("two-hop", placement)];
    if (!arch?.ready) continue;
    for (const [role, key] of [
      ["presence-edge", placement],
      ["index-off", indexOffKey(placement)],
    ] as const) {
      const run = runs[runKey(role, placement)];
      if (run?.ready) out[key] = phaseRatios(run, arch, twoHop?.ready ? twoHop : undefined, runs["runtime"]);
    }
  }
  return out;
}

function phaseRatios(
  run: TargetFigures,
  arch: TargetFigures,
  twoHop: TargetFigures | undefined,
  runtime: TargetFigures | undefined,
): Record<string, PhaseRatio> {
  const out: Record<string, PhaseRatio> = {};
  for (const [key, p] of Object.entries(run.phases)) {
    const a = arch.phases[key];
    if (!a || key === "precreate") continue;
    // The runtime ceiling runs steady ingest with the first mix only: any mix compares with it.
    const runtimeKey = key.startsWith("steady/")
      ? Object.keys(runtime?.phases ?? {}).find((k) => sameLoad(k, key))
      : key;
    const rt = runtimeKey ? runtime?.phases[runtimeKey] : undefined;
    const two = twoHop?.phases[key];
    out[key] = {
      throughput: ratio(p.rps, a.rps),
      twoHop: two ? ratio(p.rps, two.rps) : null,
      p50: ratio(p.p50, a.p50),
      p99: ratio(p.p99, a.p99),
      archVsRuntime: rt && key !== "rate" ? ratio(a.rps, rt.rps) : null,
      twoHopVsArch: two ? ratio(two.rps, a.rps) : null,
    };
  }
  return out;
}

/** Same phase kind and connection count (the mix aside). */
function sameLoad(a: string, b: string): boolean {
  const parts = (k: string) => k.split("/");
  const [ka, ...ra] = parts(a);
  const [kb, ...rb] = parts(b);
  return ka === kb && ra.at(-1) === rb.at(-1);
}
