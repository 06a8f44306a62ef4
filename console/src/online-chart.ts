// The Online page's chart: users online over time, a line through each bucket's count with a
// band from its min to its peak, a value axis and a time axis. Drawn as SVG by hand like the
// timeline (no chart library: a line and a band are a few elements). One tab stop: arrow keys,
// Page Up/Down, Home and End move between points, the point's figures shown below the chart;
// hovering does the same.
import { html, svg, nothing, type TemplateResult } from "lit-html";
import { formatHourMinute, formatMonthDay, formatTime } from "./format";
import { chartLayout, nearestPoint, RANGES, stepPoint, type ChartRange } from "./online-chart-model";
import { timeTicks } from "./timeline-model";
import type { CountsPoint } from "./types";

const BOX = { height: 220, left: 44, bottom: 26, pad: 12 };
/** Above this many points the dots would merge into the line: only the line is drawn. */
const MAX_DOTS = 200;

export interface CountsChartView {
  readonly points: readonly CountsPoint[];
  readonly range: ChartRange;
  readonly from: number;
  readonly to: number;
  readonly width: number;
  /** Index of the point being hovered or focused. */
  readonly active: number | null;
  setActive(index: number | null): void;
}

const number = new Intl.NumberFormat();

export function describePoint(p: CountsPoint, range: ChartRange): string {
  const when = range === "quarter" ? formatMonthDay(p.t) : formatTime(p.t);
  return `${when}: ${number.format(p.online)} online at the end (peak ${number.format(p.peak)}, min ${number.format(p.min)})`;
}

export function countsChart(view: CountsChartView): TemplateResult {
  const { points, range } = view;
  if (points.length === 0) {
    return html`<p class="empty">No counts stored for this range yet: the chart fills in as users come online.</p>`;
  }
  const width = Math.max(view.width, 300);
  const layout = chartLayout(points, view.from, view.to, { ...BOX, width });
  const active = view.active === null ? null : (points[view.active] ?? null);
  const label = range === "day" ? formatHourMinute : formatMonthDay;
  // A label centred on a tick near the right edge would be cut off: that tick is left out.
  const ticks = timeTicks(view.from, view.to, Math.max(2, Math.floor((width - BOX.left) / 90))).filter(
    (t) => layout.x(t) <= width - 30,
  );
  const bottom = BOX.height - BOX.bottom;

  const onKey = (event: KeyboardEvent) => {
    if (event.key === "Escape") return view.setActive(null);
    const next = stepPoint(event.key, view.active, points.length);
    if (next === null) return;
    event.preventDefault();
    view.setActive(next);
  };
  const onMove = (event: MouseEvent) => {
    const svgX = event.offsetX;
    const t = view.from + ((svgX - BOX.left) / Math.max(width - BOX.left - BOX.pad, 1)) * (view.to - view.from);
    view.setActive(nearestPoint(points, t));
  };

  return html`<div class="counts-chart">
    <svg
      width=${width}
      height=${BOX.height}
      viewBox="0 0 ${width} ${BOX.height}"
      tabindex="0"
      role="group"
      aria-label="Users online, ${RANGES[range].label.toLowerCase()}: ${points.length} points, arrow keys move between them"
      aria-describedby="counts-point"
      data-points=${points.length}
      @keydown=${onKey}
      @mousemove=${onMove}
      @mouseleave=${() => view.setActive(null)}
    >
      ${layout.yTicks.map(
        (tick) => svg`<g class="value-tick"><line x1=${BOX.left} x2=${width - BOX.pad} y1=${tick.y} y2=${tick.y}></line>
          <text x=${BOX.left - 6} y=${tick.y + 4} text-anchor="end">${number.format(tick.value)}</text></g>`,
      )}
      ${ticks.map(
        (t) => svg`<g class="tick"><line x1=${layout.x(t)} x2=${layout.x(t)} y1=${BOX.pad} y2=${bottom + 4}></line>
          <text x=${layout.x(t)} y=${BOX.height - 8} text-anchor="middle">${label(t)}</text></g>`,
      )}
      <polygon class="band" points=${layout.band}></polygon>
      <polyline class="line" points=${layout.line}></polyline>
      ${points.length <= MAX_DOTS ? layout.dots.map((d) => svg`<circle class="pt" cx=${d.x} cy=${d.y} r="2.5"></circle>`) : nothing}
      ${
        active === null
          ? nothing
          : svg`<line class="cursor" x1=${layout.x(active.t)} x2=${layout.x(active.t)} y1=${BOX.pad} y2=${bottom}></line>
            <circle class="pt active" cx=${layout.x(active.t)} cy=${layout.y(active.online)} r="5"></circle>`
      }
    </svg>
    <p id="counts-point" class="note" role="status">
      ${active === null ? "Hover the chart, or focus it and use the arrow keys, for a point's figures." : describePoint(active, range)}
    </p>
  </div>`;
}
