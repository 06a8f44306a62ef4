// The Online page's chart of counts over time, as numbers: which history to ask for (the last
// 24 hours by minute, 7 days by hour, 90 days by day), the live count laid over the newest
// point, and where each point, tick and label goes. Pure: the drawing is online-chart.ts, the
// tests are in test/node/.
import type { CountsPoint, Resolution } from "./types";

export type ChartRange = "day" | "week" | "quarter";

export const RANGES: Readonly<Record<ChartRange, { label: string; resolution: Resolution; buckets: number }>> = {
  day: { label: "Last 24 hours, by minute", resolution: "minute", buckets: 24 * 60 },
  week: { label: "Last 7 days, by hour", resolution: "hour", buckets: 7 * 24 },
  quarter: { label: "Last 90 days, by day", resolution: "day", buckets: 90 },
};

export const BUCKET_MS: Readonly<Record<Resolution, number>> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** GET …/online/history's query for a range: whole buckets, the one in progress last. */
export function historyQuery(range: ChartRange, now: number): { from: number; to: number; resolution: Resolution } {
  const { resolution, buckets } = RANGES[range];
  const size = BUCKET_MS[resolution];
  const current = Math.floor(now / size) * size;
  return { from: current - (buckets - 1) * size, to: current + size, resolution };
}

/**
 * The points with the live count laid over them: the bucket in progress takes `online` (its
 * peak and min widened to it), or a new point starts for it. The history answered up to its
 * request; the live counts keep the chart's end current without asking again.
 */
export function withLiveCount(points: readonly CountsPoint[], resolution: Resolution, now: number, online: number) {
  const size = BUCKET_MS[resolution];
  const t = Math.floor(now / size) * size;
  const last = points.at(-1);
  if (last !== undefined && last.t > t) return [...points];
  if (last !== undefined && last.t === t) {
    const live = { t, online, peak: Math.max(last.peak, online), min: Math.min(last.min, online) };
    return [...points.slice(0, -1), live];
  }
  return [...points, { t, online, peak: online, min: online }];
}

/** The y axis' top: the largest value rounded up to 1, 2 or 5 times a power of ten (at least 1). */
export function niceMax(value: number): number {
  if (value <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((m) => m * power >= value)!;
  return step * power;
}

export interface ChartLayout {
  /** `x,y` pairs of the online line, in point order. */
  readonly line: string;
  /** The band between each bucket's min and peak: a polygon's points. */
  readonly band: string;
  readonly dots: readonly { readonly x: number; readonly y: number }[];
  readonly yTicks: readonly { readonly value: number; readonly y: number }[];
  readonly top: number;
  x(t: number): number;
  y(value: number): number;
}

export interface ChartBox {
  readonly width: number;
  readonly height: number;
  /** Room for the value labels on the left and the time labels below. */
  readonly left: number;
  readonly bottom: number;
  readonly pad: number;
}

/** Where everything goes: time from `from` to `to` across, 0 to a round top upwards. */
export function chartLayout(points: readonly CountsPoint[], from: number, to: number, box: ChartBox): ChartLayout {
  const top = niceMax(Math.max(0, ...points.map((p) => p.peak)));
  const plotWidth = Math.max(box.width - box.left - box.pad, 1);
  const plotHeight = Math.max(box.height - box.bottom - box.pad, 1);
  const x = (t: number) => round(box.left + ((t - from) / Math.max(to - from, 1)) * plotWidth);
  const y = (value: number) => round(box.pad + (1 - value / top) * plotHeight);
  const dots = points.map((p) => ({ x: x(p.t), y: y(p.online) }));
  const line = dots.map((d) => `${d.x},${d.y}`).join(" ");
  const upper = points.map((p) => `${x(p.t)},${y(p.peak)}`);
  const lower = points.map((p) => `${x(p.t)},${y(p.min)}`).reverse();
  const yTicks = [0, top / 2, top].filter((v) => Number.isInteger(v)).map((value) => ({ value, y: y(value) }));
  return { line, band: [...upper, ...lower].join(" "), dots, yTicks, top, x, y };
}

const round = (n: number) => Math.round(n * 10) / 10;

/** The index of the point nearest to time `t` (points in time order); null without points. */
export function nearestPoint(points: readonly CountsPoint[], t: number): number | null {
  if (points.length === 0) return null;
  let best = 0;
  for (let i = 1; i < points.length; i++) {
    if (Math.abs(points[i]!.t - t) < Math.abs(points[best]!.t - t)) best = i;
  }
  return best;
}

/** Where a key takes the active point: arrows step, Page keys jump a tenth, Home and End. */
export function stepPoint(key: string, index: number | null, count: number): number | null {
  if (count === 0) return null;
  const at = index ?? count - 1;
  const jump = Math.max(1, Math.round(count / 10));
  const next: Record<string, number> = {
    ArrowLeft: at - 1,
    ArrowRight: at + 1,
    PageUp: at - jump,
    PageDown: at + jump,
    Home: 0,
    End: count - 1,
  };
  if (!(key in next)) return null;
  return Math.min(Math.max(next[key]!, 0), count - 1);
}
