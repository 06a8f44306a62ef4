// Cloudflare's published prices used for "cost per million callbacks". Marginal (pay-as-you-go)
// rates of the Workers Paid plan, i.e. after the monthly included allowances and excluding the
// $5/month subscription. Checked on 2026-11-26 against:
//   https://developers.cloudflare.com/workers/platform/pricing/
//   https://developers.cloudflare.com/durable-objects/platform/pricing/
// (the Durable Objects page is the cloudflare-docs partial durable-objects-pricing.mdx).
export const PRICES = {
  checked: "2026-11-26",
  sources: [
    "https://developers.cloudflare.com/workers/platform/pricing/",
    "https://developers.cloudflare.com/durable-objects/platform/pricing/",
    "https://developers.cloudflare.com/workers/observability/logs/workers-logs/#pricing",
  ],
  currency: "USD",
  /** Workers Standard: 10 M requests/month included, then $0.30 per million. */
  workerRequestPerMillion: 0.3,
  /** Workers Standard: 30 M CPU ms/month included, then $0.02 per million CPU ms. */
  workerCpuPerMillionMs: 0.02,
  /** Durable Objects: 1 M requests/month included, then $0.15 per million (each RPC call is one). */
  doRequestPerMillion: 0.15,
  /** Durable Objects duration: 400 000 GB-s included, then $12.50 per million GB-s, at 128 MB. */
  doDurationPerMillionGbS: 12.5,
  doMemoryGb: 0.128,
  /** SQLite-backed DO storage: 25 billion rows read/month included, then $0.001 per million. */
  rowsReadPerMillion: 0.001,
  /** SQLite-backed DO storage: 50 million rows written/month included, then $1.00 per million. */
  rowsWrittenPerMillion: 1.0,
  /**
   * Workers Logs (wrangler.toml has [observability] enabled): 20 M log events/month included,
   * then $0.60 per million. Each invocation is one event plus one per console.log line.
   */
  logEventsPerMillion: 0.6,
  /**
   * Invocation logs per callback when they are on: the Worker's request and the Durable
   * Object request it makes (Workers Logs records Durable Object requests too, with the
   * instance id: https://developers.cloudflare.com/changelog/post/2026-07-24-durable-object-instance-observability/).
   * `[observability.logs] invocation_logs = false` in wrangler.toml turns both off.
   */
  invocationLogsPerCallback: 2,
  /** SQLite stored data: 5 GB-month included, then $0.20 per GB-month (not per callback). */
  storedGbMonth: 0.2,
  included: {
    workerRequests: 10_000_000,
    workerCpuMs: 30_000_000,
    doRequests: 1_000_000,
    doGbS: 400_000,
    rowsRead: 25_000_000_000,
    rowsWritten: 50_000_000,
    logEvents: 20_000_000,
  },
} as const;

export interface CostInput {
  /** Worker CPU per callback (ms). */
  cpuMs: number | null;
  /** Time the Durable Object is active per callback (s), billed at 128 MB. */
  doActiveSeconds: number | null;
  rowsRead: number | null;
  rowsWritten: number | null;
  /** DO requests per callback (one RPC). */
  doRequests?: number;
  /** Workers Logs events per callback (invocation log + console.log lines); null = logs off. */
  logEvents: number | null;
}

export interface CostBreakdown {
  workerRequests: number;
  workerCpu: number | null;
  doRequests: number;
  doDuration: number | null;
  rowsRead: number | null;
  rowsWritten: number | null;
  /** Workers Logs, when observability is on (not included in total). */
  logs: number | null;
  /** null when a storage figure is unknown (the rest is still listed). */
  total: number | null;
}

/** Marginal cost of one million callbacks of one kind, in USD (total excludes Workers Logs). */
export function costPerMillion(c: CostInput): CostBreakdown {
  const workerRequests = PRICES.workerRequestPerMillion;
  const workerCpu = c.cpuMs === null ? null : c.cpuMs * PRICES.workerCpuPerMillionMs;
  const doRequests = (c.doRequests ?? 1) * PRICES.doRequestPerMillion;
  const doDuration =
    c.doActiveSeconds === null ? null : c.doActiveSeconds * PRICES.doMemoryGb * PRICES.doDurationPerMillionGbS;
  const rowsRead = c.rowsRead === null ? null : c.rowsRead * PRICES.rowsReadPerMillion;
  const rowsWritten = c.rowsWritten === null ? null : c.rowsWritten * PRICES.rowsWrittenPerMillion;
  const parts = [workerRequests, workerCpu, doRequests, doDuration, rowsRead, rowsWritten];
  const total = parts.some((p) => p === null) ? null : parts.reduce<number>((a, b) => a + (b ?? 0), 0);
  const logs = c.logEvents === null ? null : c.logEvents * PRICES.logEventsPerMillion;
  return { workerRequests, workerCpu, doRequests, doDuration, rowsRead, rowsWritten, logs, total };
}
