// The bench's warm-up before a timed phase (bench/lib/warm-up.ts): a second of load for each
// target in turn, pass after pass, until every target is warm (at least MIN_PASSES, at most
// MAX_PASSES), so that no target idles long enough to be evicted while the others warm.
import { describe, expect, it } from "vitest";
import { MAX_PASSES, MIN_PASSES, warmUp, type Warming } from "../../bench/lib/warm-up.ts";

/** A target that turns warm after `loadsNeeded` slices of load (never: Infinity); loads logged. */
function target(label: string, loadsNeeded: number, loads: string[]): Warming {
  let done = 0;
  return {
    label,
    load: async () => {
      done++;
      loads.push(label);
    },
    isWarm: () => done >= loadsNeeded,
  };
}

describe("warmUp", () => {
  it("takes the targets in turn, and stops after the least passes once all are warm", async () => {
    const loads: string[] = [];
    const result = await warmUp([target("a", 1, loads), target("b", 0, loads)]);
    expect(result).toEqual({ passes: MIN_PASSES, cold: [] });
    expect(loads).toEqual(Array.from({ length: MIN_PASSES }, () => ["a", "b"]).flat());
  });

  it("goes on until the slowest target is warm", async () => {
    const loads: string[] = [];
    const result = await warmUp([target("a", 2, loads), target("b", 5, loads), target("c", 1, loads)]);
    expect(result).toEqual({ passes: 5, cold: [] });
    expect(loads).toEqual(Array.from({ length: 5 }, () => ["a", "b", "c"]).flat());
  });

  it("gives up after the most passes and names the targets still cold", async () => {
    const loads: string[] = [];
    const result = await warmUp([target("a", 3, loads), target("b", Infinity, loads)]);
    expect(result).toEqual({ passes: MAX_PASSES, cold: ["b"] });
    expect(loads).toHaveLength(2 * MAX_PASSES);
  });
});
