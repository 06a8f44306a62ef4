// Load drivers: autocannon (programmatic, in this process, closed loop) with a per-request
// generator, and an open-loop driver at a fixed rate. What is sent comes from workload.ts.
//
// Latency percentiles are computed here from every response time autocannon reports (float ms),
// because autocannon's own histogram is in whole milliseconds. At a fixed rate (overallRate),
// autocannon's coordinated-omission-corrected p99 is reported alongside.

import autocannon from "autocannon";

export interface Req {
  path: string;
  body: string;
  method?: string;
  headers?: Record<string, string>;
}

export interface LoadOptions {
  url: string;
  connections: number;
  /** Seconds; ignored when amount is set. */
  duration?: number;
  amount?: number;
  overallRate?: number;
  next: () => Req;
  timeoutSec?: number;
  /** Ends a run of `amount` requests after this long whatever is left (a server that stopped answering). */
  maxSeconds?: number;
}

export interface LoadResult {
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  seconds: number;
  /** Successful responses per second. */
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  /** autocannon's p99 (integer ms; corrected for coordinated omission when overallRate is set). */
  autocannonP99: number;
  /** Every response time, sorted (non-enumerable: kept out of results.json). */
  readonly samples: Float64Array;
}

export function percentile(sorted: Float64Array, p: number): number {
  return pct(sorted, p);
}

function pct(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  let ok = 0;
  const instance = autocannon({
    url: o.url,
    connections: o.connections,
    pipelining: 1,
    timeout: o.timeoutSec ?? 10,
    ...(o.amount !== undefined ? { amount: o.amount } : { duration: o.duration ?? 5 }),
    ...(o.overallRate !== undefined ? { overallRate: o.overallRate } : {}),
    requests: [
      {
        setupRequest: (req: Record<string, unknown>) => {
          const r = o.next();
          req.method = r.method ?? "POST";
          req.path = r.path;
          req.body = r.body;
          req.headers = { "content-type": "application/json", ...r.headers };
          return req;
        },
      },
    ],
  });
  instance.on("response", (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    latencies.push(responseTime);
    if (statusCode >= 200 && statusCode < 300) ok++;
  });
  const stopper = o.maxSeconds !== undefined ? setTimeout(() => instance.stop(), o.maxSeconds * 1000) : undefined;
  const result = await instance;
  clearTimeout(stopper);
  const sorted = Float64Array.from(latencies).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  const statusCodes: Record<string, number> = {};
  for (const [code, v] of Object.entries(result.statusCodeStats ?? {})) {
    statusCodes[code] = Number((v as { count: number | string }).count);
  }
  const out = {
    requests: latencies.length,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    seconds: result.duration,
    rps: ok / result.duration,
    p50: pct(sorted, 50),
    p90: pct(sorted, 90),
    p99: pct(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
    mean: sorted.length ? sum / sorted.length : NaN,
    autocannonP99: result.latency.p99,
  };
  Object.defineProperty(out, "samples", { value: sorted, enumerable: false });
  return out as LoadResult;
}

/**
 * Open-loop load at a fixed rate, for "latency at a steady N/s": requests leave on a fixed
 * schedule (one every 1000/rate ms) whatever is still in flight, over a keep-alive pool, and
 * each latency is measured from the request's scheduled time, so a stalled server or a late
 * generator shows up in the figures (no coordinated omission). autocannon's rate limiting
 * spreads the rate over its connections, whose timers fire in bursts: at 1 000/s over 64
 * connections even the trivial Worker showed a p50 of 8 ms that way.
 */
export async function runRate(o: {
  url: string;
  rate: number;
  seconds: number;
  next: () => Req;
  maxInFlight?: number;
  timeoutSec?: number;
}): Promise<LoadResult> {
  const { request, Agent } = await import("node:http");
  const agent = new Agent({ keepAlive: true, maxSockets: o.maxInFlight ?? 256 });
  const base = new URL(o.url);
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  let ok = 0;
  let errors = 0;
  let timeouts = 0;
  const total = Math.round(o.rate * o.seconds);
  const interval = 1000 / o.rate;
  const start = performance.now();
  let sent = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  let completed = 0;
  const complete = () => {
    if (++completed === total) done();
  };
  const fire = (scheduled: number) => {
    const r = o.next();
    const req = request(
      {
        host: base.hostname,
        port: base.port,
        method: r.method ?? "POST",
        path: r.path,
        agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(r.body), ...r.headers },
        timeout: (o.timeoutSec ?? 10) * 1000,
      },
      (res) => {
        res.resume();
        res.on("end", () => {
          latencies.push(performance.now() - scheduled);
          const code = String(res.statusCode);
          statusCodes[code] = (statusCodes[code] ?? 0) + 1;
          if (res.statusCode! >= 200 && res.statusCode! < 300) ok++;
          complete();
        });
      },
    );
    req.on("timeout", () => {
      timeouts++;
      req.destroy(new Error("timeout"));
    });
    req.on("error", () => {
      errors++;
      complete();
    });
    req.end(r.body);
  };
  const tick = () => {
    const now = performance.now();
    while (sent < total && start + sent * interval <= now) fire(start + sent++ * interval);
    if (sent < total) setTimeout(tick, Math.max(0, Math.min(1, start + sent * interval - performance.now())));
  };
  tick();
  // A server slower than the rate queues requests in the pool without end: past the phase
  // plus one timeout, whatever has not been answered counts as timed out and is dropped.
  let gaveUp = 0;
  const hardStop = setTimeout(
    () => {
      gaveUp = total - completed;
      sent = total;
      done();
    },
    (o.seconds + (o.timeoutSec ?? 10)) * 1000,
  );
  await finished;
  clearTimeout(hardStop);
  timeouts += gaveUp;
  const seconds = Math.min((performance.now() - start) / 1000, o.seconds + (o.timeoutSec ?? 10));
  agent.destroy();
  const sorted = Float64Array.from(latencies).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  const non2xx = latencies.length - ok;
  const out = {
    requests: latencies.length,
    ok,
    non2xx,
    errors,
    timeouts,
    statusCodes,
    seconds,
    rps: ok / seconds,
    p50: pct(sorted, 50),
    p90: pct(sorted, 90),
    p99: pct(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
    mean: sorted.length ? sum / sorted.length : NaN,
    autocannonP99: NaN,
  };
  Object.defineProperty(out, "samples", { value: sorted, enumerable: false });
  return out as LoadResult;
}
