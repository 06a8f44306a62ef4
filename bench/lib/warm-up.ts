// Warming the targets of a timed phase before its measured rounds. Local workerd evicts a
// Durable Object about 10 s after its last request, so a target whose population sat idle (it
// sat out a phase, or the precreate of the others took that long) starts the phase cold, and a
// cold start is slow: loading 2 000 evicted objects runs at 500-1 000 callbacks a second.
// Warming the targets one after the other (every user once, then a second of load) left the
// first one idle while the others loaded theirs: in a 32-connection run of 2026-12-07 the one-hop
// ceiling's objects were evicted again before its first round (985/s at 1.0 CPU ms a callback,
// then 2 014/s, then 3 500-4 400/s), and presence-edge's first rounds climbed the same way.
// So the warm-up takes the rounds' own shape: a second of the phase's load for each target in
// turn (none idles more than a few seconds), pass after pass until every target holds its whole
// population live (counted by the files its objects keep open), at least MIN_PASSES times.

import { liveObjects } from "./proc.ts";

export const MIN_PASSES = 2;
/** Enough for 2 000 cold objects per target at the slowest cold-load rate seen, with room. */
export const MAX_PASSES = 10;
const SLICE_SECONDS = 1;

export interface Warming {
  readonly label: string;
  /** Runs the phase's own load on this target for `seconds`, unmeasured. */
  readonly load: (seconds: number) => Promise<unknown>;
  /** True once the target holds every object it should (see holdsPopulation). */
  readonly isWarm: () => boolean;
}

/** True when a workerd holds at least `population` live objects (or cannot tell; null: none to count). */
export function holdsPopulation(pid: number | null, baseFiles: number | null, population: number | null): boolean {
  if (population === null) return true;
  const live = liveObjects(pid, baseFiles);
  return live === null || live >= population;
}

/** Warms every target (see above); returns the passes it took and the targets still cold. */
export async function warmUp(targets: readonly Warming[]): Promise<{ passes: number; cold: string[] }> {
  for (let pass = 1; ; pass++) {
    for (const t of targets) await t.load(SLICE_SECONDS);
    if (pass < MIN_PASSES) continue;
    const cold = targets.filter((t) => !t.isWarm()).map((t) => t.label);
    if (cold.length === 0 || pass === MAX_PASSES) return { passes: pass, cold };
  }
}
