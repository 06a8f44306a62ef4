// Small hand-rolled SVG charts (no dependency): panels of grouped bars, on a linear axis, or of
// latency ranges (p50 to p99, a tick at p90) on a logarithmic axis, with an optional target line.

export interface Series {
  name: string;
  color: string;
}

export interface Category {
  label: string;
  /** One value per series (null: not measured, drawn as nothing). */
  values: (number | null)[];
  /** Latency charts: [p50, p90, p99] per series. */
  ranges?: ([number, number, number] | null)[];
}

export interface Panel {
  title: string;
  categories: Category[];
  /** A horizontal target line (e.g. 0.85 of the ceiling, or 20 ms on a latency chart). */
  target?: { value: number; label: string };
}

export interface ChartSpec {
  title: string;
  subtitle: string;
  yLabel: string;
  series: Series[];
  panels: Panel[];
  kind: "bars" | "ranges";
  /** Bars: digits of the value printed above each bar. */
  digits?: number;
  /** Bars: the y axis reaches at least this far in every panel. */
  yAtLeast?: number;
  columns?: number;
}

const FONT = `font-family="system-ui, -apple-system, 'Segoe UI', sans-serif"`;
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const n = (v: number) => (Math.round(v * 10) / 10).toString();

function text(x: number, y: number, s: string, attrs = ""): string {
  return `<text x="${n(x)}" y="${n(y)}" ${attrs}>${esc(s)}</text>`;
}

/** 1, 2, 5 × 10^k steps: about five gridlines up to max. */
function linearTicks(max: number): number[] {
  const raw = max / 5;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? raw;
  const ticks = [0];
  while (ticks.at(-1)! < max - step * 1e-9) ticks.push(Math.round((ticks.at(-1)! + step) / step) * step);
  return ticks;
}

function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= min * 0.999 && v <= max * 1.001) ticks.push(v);
    }
  }
  return ticks;
}

const label = (v: number) => (v >= 1000 ? `${n(v / 1000)}k` : v >= 1 || v === 0 ? n(v) : v.toPrecision(1));

export function renderChart(spec: ChartSpec): string {
  const columns = spec.columns ?? Math.min(4, spec.panels.length);
  const rows = Math.ceil(spec.panels.length / columns);
  const panelW = 250;
  const panelH = 230;
  const left = 56;
  const top = 74;
  const width = left + columns * panelW + 16;
  const height = top + rows * (panelH + 46) + 10;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="11">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    text(16, 22, spec.title, `font-size="15" font-weight="600" fill="#111"`),
    text(16, 40, spec.subtitle, `fill="#555"`),
  );
  // Legend
  let lx = 16;
  for (const s of spec.series) {
    out.push(
      `<rect x="${lx}" y="50" width="11" height="11" fill="${s.color}"/>`,
      text(lx + 15, 59, s.name, `fill="#333"`),
    );
    lx += 22 + s.name.length * 6.2;
  }
  spec.panels.forEach((panel, pi) => {
    const ox = left + (pi % columns) * panelW;
    const oy = top + Math.floor(pi / columns) * (panelH + 46) + 16;
    const plotW = panelW - 24;
    out.push(text(ox + plotW / 2, oy - 8, panel.title, `text-anchor="middle" font-weight="600" fill="#222"`));
    out.push(
      spec.kind === "bars"
        ? barsPanel(spec, panel, ox, oy, plotW, panelH)
        : rangesPanel(spec, panel, ox, oy, plotW, panelH),
    );
  });
  out.push(
    text(
      14,
      top + 16 + panelH / 2,
      spec.yLabel,
      `transform="rotate(-90 14 ${top + 16 + panelH / 2})" text-anchor="middle" fill="#555"`,
    ),
  );
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}

function axis(ox: number, oy: number, plotW: number, plotH: number, ticks: number[], y: (v: number) => number): string {
  const out: string[] = [];
  for (const t of ticks) {
    const yy = y(t);
    out.push(`<line x1="${n(ox)}" x2="${n(ox + plotW)}" y1="${n(yy)}" y2="${n(yy)}" stroke="#e5e5e5"/>`);
    out.push(text(ox - 4, yy + 3.5, label(t), `text-anchor="end" fill="#666" font-size="10"`));
  }
  out.push(`<line x1="${n(ox)}" x2="${n(ox + plotW)}" y1="${n(oy + plotH)}" y2="${n(oy + plotH)}" stroke="#999"/>`);
  return out.join("\n");
}

function barsPanel(spec: ChartSpec, panel: Panel, ox: number, oy: number, plotW: number, plotH: number): string {
  const values = panel.categories.flatMap((c) => c.values.filter((v): v is number => v !== null));
  const max = Math.max(spec.yAtLeast ?? 0, Math.max(1e-9, ...values, panel.target?.value ?? 0) * 1.12);
  const ticks = linearTicks(max);
  const top = ticks.at(-1)!;
  const y = (v: number) => oy + plotH - (v / top) * plotH;
  const out = [axis(ox, oy, plotW, plotH, ticks, y)];
  const groupW = plotW / Math.max(1, panel.categories.length);
  const present = spec.series.map((_, si) => panel.categories.some((c) => c.values[si] !== null));
  const shown = spec.series.filter((_, si) => present[si]);
  const barW = Math.min(26, (groupW - 10) / Math.max(1, shown.length));
  panel.categories.forEach((c, ci) => {
    const gx = ox + ci * groupW + (groupW - barW * shown.length) / 2;
    let k = 0;
    spec.series.forEach((s, si) => {
      if (!present[si]) return;
      const v = c.values[si];
      const x = gx + k++ * barW;
      if (v === null || v === undefined) return;
      out.push(
        `<rect x="${n(x + 1)}" y="${n(y(v))}" width="${n(barW - 2)}" height="${n(oy + plotH - y(v))}" fill="${s.color}"><title>${esc(`${s.name}, ${c.label}: ${v.toFixed(spec.digits ?? 0)}`)}</title></rect>`,
      );
      out.push(
        text(x + barW / 2, y(v) - 3, v.toFixed(spec.digits ?? 0), `text-anchor="middle" font-size="9" fill="#333"`),
      );
    });
    out.push(text(ox + ci * groupW + groupW / 2, oy + plotH + 14, c.label, `text-anchor="middle" fill="#444"`));
  });
  if (panel.target) out.push(targetLine(panel.target, ox, plotW, y(panel.target.value)));
  return out.join("\n");
}

function rangesPanel(spec: ChartSpec, panel: Panel, ox: number, oy: number, plotW: number, plotH: number): string {
  const all = [
    ...panel.categories.flatMap((c) => (c.ranges ?? []).flatMap((r) => r ?? [])),
    ...(panel.target ? [panel.target.value] : []),
  ].filter((v) => v > 0);
  const min = Math.max(0.1, Math.min(...all, 1));
  const max = Math.max(...all, 10);
  const lo = 10 ** Math.floor(Math.log10(min));
  const hi = 10 ** Math.ceil(Math.log10(max));
  const y = (v: number) =>
    oy + plotH - ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * plotH;
  const out = [axis(ox, oy, plotW, plotH, logTicks(lo, hi), y)];
  const groupW = plotW / Math.max(1, panel.categories.length);
  const slot = Math.min(30, (groupW - 8) / spec.series.length);
  panel.categories.forEach((c, ci) => {
    const gx = ox + ci * groupW + (groupW - slot * spec.series.length) / 2;
    spec.series.forEach((s, si) => {
      const r = c.ranges?.[si];
      if (!r) return;
      const cx = gx + si * slot + slot / 2;
      const [p50, p90, p99] = r;
      const tip = esc(
        `${s.name}, ${c.label}: p50 ${p50.toFixed(1)} ms, p90 ${p90.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`,
      );
      out.push(`<g><title>${tip}</title>`);
      out.push(
        `<rect x="${n(cx - slot * 0.3)}" y="${n(y(p99))}" width="${n(slot * 0.6)}" height="${n(Math.max(1, y(p50) - y(p99)))}" fill="${s.color}" opacity="0.35"/>`,
      );
      out.push(
        `<line x1="${n(cx - slot * 0.42)}" x2="${n(cx + slot * 0.42)}" y1="${n(y(p50))}" y2="${n(y(p50))}" stroke="${s.color}" stroke-width="3"/>`,
      );
      out.push(
        `<line x1="${n(cx - slot * 0.3)}" x2="${n(cx + slot * 0.3)}" y1="${n(y(p90))}" y2="${n(y(p90))}" stroke="${s.color}" stroke-width="1.5"/>`,
      );
      out.push(
        `<line x1="${n(cx - slot * 0.42)}" x2="${n(cx + slot * 0.42)}" y1="${n(y(p99))}" y2="${n(y(p99))}" stroke="${s.color}" stroke-width="1.5"/>`,
      );
      out.push(`</g>`);
    });
    out.push(text(ox + ci * groupW + groupW / 2, oy + plotH + 14, c.label, `text-anchor="middle" fill="#444"`));
  });
  if (panel.target) out.push(targetLine(panel.target, ox, plotW, y(panel.target.value)));
  return out.join("\n");
}

function targetLine(target: { label: string }, ox: number, plotW: number, ty: number): string {
  return [
    `<line x1="${n(ox)}" x2="${n(ox + plotW)}" y1="${n(ty)}" y2="${n(ty)}" stroke="#d62728" stroke-dasharray="5 3" stroke-width="1.5"/>`,
    text(ox + plotW, ty - 4, target.label, `text-anchor="end" font-size="10" fill="#d62728"`),
  ].join("\n");
}
