// The report printed at the end of a run: per placement, every phase of presence-edge beside
// the ceilings and its ratio; storage rows per callback; cost per million; the targets.

import { cpus } from "node:os";
import { fmt, table } from "../lib/format.ts";
import { NOISE_CORES, type Phase } from "../lib/phase.ts";
import { PRICES } from "../lib/prices.ts";
import { log } from "../lib/settings.ts";
import type { Check } from "./checks.ts";
import type { KindCost } from "./costs.ts";
import { indexOffKey, runKey, type PhaseRatio, type Runs } from "./ratios.ts";

const lat = (p: Phase | undefined) => (p ? `${fmt(p.p50, 2)} / ${fmt(p.p99, 1)}` : "");

export function printPhases(runs: Runs, ratios: Record<string, Record<string, PhaseRatio>>): void {
  for (const placement of ["tmpfs", "disk"]) {
    const pe = runs[runKey("presence-edge", placement)];
    const arch = runs[runKey("architecture", placement)];
    if (!pe || !arch) continue;
    if (!pe.ready || !arch.ready) {
      log(`\n${placement}: not measured (${[...pe.notes, ...arch.notes].join("; ")})`);
      continue;
    }
    const runtime = runs["runtime"];
    const twoHop = runs[runKey("two-hop", placement)];
    const off = runs[runKey("index-off", placement)];
    const rows = [
      [
        "phase",
        "runtime/s",
        "one hop/s",
        "two-hop/s",
        "p-e/s",
        "/one hop",
        "/two-hop",
        "index off/s",
        "off/one hop",
        "one hop p50 / p99 ms",
        "p-e p50 / p99 ms",
      ],
    ];
    for (const [key, p] of Object.entries(pe.phases)) {
      if (key === "precreate") continue;
      const r = ratios[placement]?.[key];
      rows.push([
        key,
        fmt(runtime?.phases[key]?.rps, 0),
        fmt(arch.phases[key]?.rps, 0),
        fmt(twoHop?.phases[key]?.rps, 0),
        fmt(p.rps, 0),
        fmt(r?.throughput, 2),
        fmt(r?.twoHop, 2),
        fmt(off?.phases[key]?.rps, 0),
        fmt(ratios[indexOffKey(placement)]?.[key]?.throughput, 2),
        lat(arch.phases[key]),
        lat(p),
      ]);
    }
    log(`\n${placement} (p-e: presence-edge as it deploys, the index on; index off: ONLINE_INDEX=off):`);
    log(table(rows));
  }
  const peT = runs["presence-edge/tmpfs"];
  if (peT?.probes) {
    log(`\nstorage rows per callback (presence-edge, storageUsage() RPC):`);
    log(
      table([
        ["callback", "rows written", "rows read", "alarms set", "outcomes"],
        ...peT.probes.map((p) => [
          p.kind,
          fmt(p.rowsWritten, 2),
          fmt(p.rowsRead, 2),
          fmt(p.alarmsSet, 1),
          p.outcomes.join(","),
        ]),
      ]),
    );
  }
}

export function printCosts(costs: Record<string, KindCost>): void {
  if (!Object.keys(costs).length) return;
  log(`\ncost per million callbacks at default settings, USD, marginal Workers Paid prices checked ${PRICES.checked}:`);
  log(
    table([
      [
        "kind",
        "Worker req",
        "Worker CPU",
        "DO req",
        "DO duration",
        "rows read",
        "rows written",
        "log events",
        "logs",
        "all-in",
      ],
      ...Object.entries(costs).map(([k, c]) => [
        k,
        fmt(c.workerRequests, 3),
        fmt(c.workerCpu, 3),
        fmt(c.doRequests, 3),
        fmt(c.doDuration, 4),
        fmt(c.rowsRead, 4),
        fmt(c.rowsWritten, 2),
        fmt(c.logEventsPerCallback, 2),
        fmt(c.logs, 2),
        fmt(c.allIn, 2),
      ]),
    ]),
  );
}

/** The noisiest phase of the run (other processes' CPU plus steal, cores), with a warning. */
export function printNoise(runs: Runs): number {
  const noise = Object.values(runs).flatMap((s) =>
    Object.values(s.phases).map((p) => p.noiseCoresMax ?? (p.foreignCpuCores ?? 0) + (p.stealCpuCores ?? 0)),
  );
  const max = noise.length ? Math.max(...noise) : 0;
  if (max > NOISE_CORES) {
    log(
      `\nWARNING: other processes (or the hypervisor) used up to ${fmt(max, 2)} of the ${cpus().length} cores during` +
        ` some phases (marked NOISY above): those figures are low and provisional, re-run on a quiet machine.`,
    );
  }
  return max;
}

export function printChecks(checks: Check[], smoke: boolean): void {
  log(`\ntargets (${smoke ? "smoke run: not asserted" : "full run"}):`);
  log(
    table([
      ["target", "wanted", "measured", "result"],
      ...checks.map((c) => [c.name, c.target, c.measured, c.pass === null ? "n/a" : c.pass ? "met" : "MISSED"]),
    ]),
  );
}
