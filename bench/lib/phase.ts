// One measured load phase against one target: throughput and latency from the load driver,
// plus what it cost workerd in CPU, what this process used, and how busy the rest of the
// machine was meanwhile (so a noisy figure is marked as such), and the merge of alternating
// rounds into one figure.

import { cpuMsOf, machineCpuMs, diskBusyMs } from "./proc.ts";
import type { Target } from "./targets.ts";
import { percentile, runLoad, runRate, type LoadResult, type Req } from "./load.ts";
import { fmt } from "./format.ts";
import { elapsed, log } from "./settings.ts";

/** Other load above this many cores marks a phase NOISY. */
export const NOISE_CORES = 0.2;

export interface Phase extends LoadResult {
  /** workerd CPU (user+sys) per completed request, ms. */
  cpuMsPerRequest: number | null;
  /** CPU used by this (load-generating) Node process, as a share of one core. */
  driverCpuCores: number;
  /** console lines the Worker logged per request (Workers Logs events, with the invocation log). */
  logLinesPerRequest: number;
  /**
   * CPU used by everything else on the machine during the phase (cores): other processes, plus
   * time stolen by the hypervisor. Above ~0.2 the phase shares the 2 cores and its figures are low.
   */
  foreignCpuCores: number | null;
  stealCpuCores: number | null;
  /** The worst round of a merged phase (foreign + steal), for the noise warning. */
  noiseCoresMax?: number;
  /**
   * Busiest block device's utilisation during the phase (0..1), whoever caused it. On a tmpfs
   * phase the bench writes nothing to disk, so a high figure there means other I/O.
   */
  diskUtil: number | null;
}

/** One phase measured in several rounds, as if it had been one: sums, weighted means, percentiles of all samples. */
export function mergePhases(parts: Phase[]): Phase {
  if (parts.length === 1) return parts[0]!;
  const sum = (f: (p: Phase) => number) => parts.reduce((a, p) => a + f(p), 0);
  const requests = sum((p) => p.requests);
  const seconds = sum((p) => p.seconds);
  const ok = sum((p) => p.ok);
  const all = new Float64Array(requests);
  let offset = 0;
  for (const p of parts) {
    all.set(p.samples, offset);
    offset += p.samples.length;
  }
  all.sort();
  const statusCodes: Record<string, number> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.statusCodes)) statusCodes[k] = (statusCodes[k] ?? 0) + v;
  const perRequest = (f: (p: Phase) => number | null) =>
    parts.some((p) => f(p) === null) || requests === 0 ? null : sum((p) => f(p)! * p.requests) / requests;
  const perSecond = (f: (p: Phase) => number | null) =>
    parts.some((p) => f(p) === null) ? null : sum((p) => f(p)! * p.seconds) / seconds;
  const merged: Phase = {
    requests,
    ok,
    non2xx: sum((p) => p.non2xx),
    errors: sum((p) => p.errors),
    timeouts: sum((p) => p.timeouts),
    statusCodes,
    seconds,
    rps: ok / seconds,
    p50: percentile(all, 50),
    p90: percentile(all, 90),
    p99: percentile(all, 99),
    max: all.length ? all[all.length - 1]! : NaN,
    mean: sum((p) => p.mean * p.requests) / requests,
    autocannonP99: Math.max(...parts.map((p) => p.autocannonP99)),
    samples: all,
    cpuMsPerRequest: perRequest((p) => p.cpuMsPerRequest),
    driverCpuCores: perSecond((p) => p.driverCpuCores)!,
    logLinesPerRequest: perRequest((p) => p.logLinesPerRequest) ?? 0,
    foreignCpuCores: perSecond((p) => p.foreignCpuCores),
    stealCpuCores: perSecond((p) => p.stealCpuCores),
    noiseCoresMax: Math.max(...parts.map((p) => (p.foreignCpuCores ?? 0) + (p.stealCpuCores ?? 0))),
    diskUtil: perSecond((p) => p.diskUtil),
  };
  Object.defineProperty(merged, "samples", { value: all, enumerable: false });
  return merged;
}

/** Runs one load against one target and measures it (CPU of workerd, of this process and of everything else). */
export async function measure(target: Target, name: string, load: Parameters<typeof runLoad>[0]): Promise<Phase> {
  const cpu0 = cpuMsOf(target.workerdPid);
  const lines0 = target.logLineCount();
  const machine0 = machineCpuMs();
  const disk0 = diskBusyMs();
  const drv0 = process.cpuUsage();
  // A fixed rate is driven open-loop (runRate); everything else closed-loop by autocannon.
  const r =
    load.overallRate !== undefined
      ? await runRate({
          url: load.url,
          rate: load.overallRate,
          seconds: load.duration ?? 5,
          next: load.next,
          timeoutSec: load.timeoutSec,
        })
      : await runLoad(load);
  const cpu1 = cpuMsOf(target.workerdPid);
  const drv = process.cpuUsage(drv0);
  const machine1 = machineCpuMs();
  const disk1 = diskBusyMs();
  const wallMs = r.seconds * 1000;
  const ours = (cpu1 ?? 0) - (cpu0 ?? 0) + (drv.user + drv.system) / 1000;
  const foreign = cpu0 === null ? null : Math.max(0, (machine1.busy - machine0.busy - ours) / wallMs);
  const steal = (machine1.steal - machine0.steal) / wallMs;
  const p: Phase = {
    ...r,
    samples: r.samples,
    cpuMsPerRequest: cpu0 !== null && cpu1 !== null && r.requests > 0 ? (cpu1 - cpu0) / r.requests : null,
    driverCpuCores: (drv.user + drv.system) / 1000 / (r.seconds * 1000),
    logLinesPerRequest: r.requests > 0 ? (target.logLineCount() - lines0) / r.requests : 0,
    foreignCpuCores: foreign === null || Number.isNaN(foreign) ? null : foreign,
    stealCpuCores: Number.isNaN(steal) ? null : steal,
    diskUtil: disk1.size
      ? Math.min(1, Math.max(0, ...[...disk1].map(([d, ms]) => (ms - (disk0.get(d) ?? ms)) / wallMs)))
      : null,
  };
  Object.defineProperty(p, "samples", { value: r.samples, enumerable: false });
  const noisy = (p.foreignCpuCores ?? 0) + (p.stealCpuCores ?? 0) > NOISE_CORES;
  const bad = r.non2xx + r.errors + r.timeouts;
  log(
    `  ${target.label.padEnd(26)} ${name.padEnd(16)} ${fmt(p.rps, 0).padStart(6)}/s  p50 ${fmt(p.p50, 2).padStart(6)}ms  p99 ${fmt(p.p99, 2).padStart(7)}ms` +
      `  n=${r.requests}${bad ? `  NOT OK: ${bad} (${JSON.stringify(r.statusCodes)}, errors ${r.errors})` : ""}` +
      `  workerd ${fmt(p.cpuMsPerRequest, 3)} CPU ms/req, driver ${fmt(p.driverCpuCores, 2)} core` +
      `${noisy ? `  NOISY: other load ${fmt(p.foreignCpuCores, 2)} + steal ${fmt(p.stealCpuCores, 2)} cores` : ""}` +
      `${p.diskUtil !== null && p.diskUtil > 0.3 ? `  disk ${(100 * p.diskUtil).toFixed(0)}% busy` : ""}  [${elapsed()}]`,
  );
  return p;
}

export async function post(url: string, req: Req): Promise<Response> {
  return fetch(url + req.path, {
    method: req.method ?? "POST",
    headers: { "content-type": "application/json", ...req.headers },
    body: req.body,
  });
}
