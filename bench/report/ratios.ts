// presence-edge as a ratio to the references measured in the same run, phase by phase:
// the architecture ceiling (same phases, alternating rounds) and the runtime ceiling.

import { ratio } from "../lib/format.ts";
import type { TargetFigures } from "../phases/ingest.ts";

export interface PhaseRatio {
  /** presence-edge callbacks/s over the architecture ceiling's. */
  throughput: number | null;
  p50: number | null;
  p99: number | null;
  /** The architecture ceiling's throughput over the runtime ceiling's (steady phases only). */
  archVsRuntime: number | null;
}

export type Runs = Record<string, TargetFigures>;

export const runKey = (kind: string, placement: string) => (placement === "none" ? kind : `${kind}/${placement}`);

/** Ratios per placement and phase key (e.g. ratios.tmpfs["steady/login-logout/c20"]). */
export function ratiosOf(runs: Runs, placements: readonly string[]): Record<string, Record<string, PhaseRatio>> {
  const out: Record<string, Record<string, PhaseRatio>> = {};
  const runtime = runs["runtime"];
  for (const placement of placements) {
    const pe = runs[runKey("presence-edge", placement)];
    const arch = runs[runKey("architecture", placement)];
    if (!pe?.ready || !arch?.ready) continue;
    out[placement] = {};
    for (const [key, p] of Object.entries(pe.phases)) {
      const a = arch.phases[key];
      if (!a || key === "precreate") continue;
      // The runtime ceiling runs steady ingest with the first mix only: any mix compares with it.
      const runtimeKey = key.startsWith("steady/")
        ? Object.keys(runtime?.phases ?? {}).find((k) => sameLoad(k, key))
        : key;
      const rt = runtimeKey ? runtime?.phases[runtimeKey] : undefined;
      out[placement][key] = {
        throughput: ratio(p.rps, a.rps),
        p50: ratio(p.p50, a.p50),
        p99: ratio(p.p99, a.p99),
        archVsRuntime: rt && key !== "rate" ? ratio(a.rps, rt.rps) : null,
      };
    }
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
