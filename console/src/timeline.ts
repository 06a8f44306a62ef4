// The timeline chart: one lane per platform, coloured by state, a time axis, and one mark
// per history event; hovering or focusing a mark shows the event. Drawn as SVG by hand:
// a lane chart of state intervals is not what time-series libraries draw (uPlot's timeline
// is a demo to copy, not part of the library), and this is under 150 lines with no bytes to ship.
import { html, svg, nothing, type TemplateResult } from "lit-html";
import { formatClock, formatTime } from "./format";
import { styleProps } from "./style-props";
import { timeTicks, timelineModel, type Mark } from "./timeline-model";
import type { HistoryEntry, Snapshot } from "./types";

const LABEL = 92;
const LANE = 30;
const AXIS = 26;
const PAD = 10;

export interface TimelineView {
  readonly events: readonly HistoryEntry[];
  /** The user's platforms now: the truth the lanes end in. */
  readonly platforms: Snapshot["platforms"];
  readonly now: number;
  readonly width: number;
  /** seq of the mark being hovered or focused. */
  readonly active: number | null;
  setActive(seq: number | null): void;
}

const describe = ({ entry: e, confirms }: Mark) =>
  confirms
    ? `#${e.seq} ${e.action} at ${formatTime(e.eventTime)}: Tencent agreed, no platform changed, user ${e.status}`
    : `#${e.seq} ${e.action} (${e.reason || "no reason"}) on ${e.platform}` +
      (e.kicked.length > 0 ? `, kicked ${e.kicked.join(", ")}` : "") +
      ` at ${formatTime(e.eventTime)}: ${e.outcome}, user ${e.status} after`;

export function timeline(view: TimelineView): TemplateResult {
  const model = timelineModel(view.events, view.now, view.platforms);
  if (model === null) return html`<p class="empty">No history yet: the timeline appears after the first callback.</p>`;
  const width = Math.max(view.width, 300);
  const plot = width - LABEL - PAD;
  const span = Math.max(model.end - model.start, 1000);
  const x = (t: number) => LABEL + ((t - model.start) / span) * plot;
  const height = model.lanes.length * LANE + AXIS;
  const marks = model.lanes.flatMap((lane, i) => lane.marks.map((m) => ({ ...m, y: i * LANE + LANE / 2 })));
  const ordered = [...marks].sort((a, b) => a.at - b.at || a.entry.seq - b.entry.seq);
  const activeSeq = view.active ?? null;
  const focusable = activeSeq ?? ordered[ordered.length - 1]!.entry.seq;
  const active = marks.find((m) => m.entry.seq === activeSeq);

  const onKey = (event: KeyboardEvent) => {
    const i = ordered.findIndex((m) => m.entry.seq === focusable);
    const next =
      event.key === "ArrowRight"
        ? i + 1
        : event.key === "ArrowLeft"
          ? i - 1
          : event.key === "Home"
            ? 0
            : event.key === "End"
              ? ordered.length - 1
              : null;
    if (event.key === "Escape") return view.setActive(null);
    if (next === null || next < 0 || next >= ordered.length) return;
    event.preventDefault();
    const chart = event.currentTarget as SVGElement;
    const seq = ordered[next]!.entry.seq;
    view.setActive(seq);
    // After the render that gives the mark tabindex 0 (currentTarget is gone by then).
    requestAnimationFrame(() => chart.querySelector<SVGElement>(`[data-seq="${seq}"]`)?.focus());
  };

  const mark = (m: Mark & { y: number }) => svg`<circle class="mark ${m.entry.outcome} act-${m.entry.action}"
      data-seq=${m.entry.seq} cx=${x(m.at)} cy=${m.y} r="6" tabindex=${m.entry.seq === focusable ? 0 : -1}
      role="img" aria-label=${describe(m)}
      @mouseenter=${() => view.setActive(m.entry.seq)} @focus=${() => view.setActive(m.entry.seq)}></circle>`;

  return html`<div class="timeline" @mouseleave=${() => view.setActive(null)}>
    <svg
      width=${width}
      height=${height}
      viewBox="0 0 ${width} ${height}"
      role="group"
      aria-label="Timeline of ${ordered.length} events: arrow keys move between events"
      @keydown=${onKey}
    >
      ${model.lanes.map(
        (lane, i) => svg`<g class="lane" data-lane=${lane.name}>
          <text class="lane-label" x="4" y=${i * LANE + LANE / 2 + 4}>${lane.name}</text>
          <line class="lane-base" x1=${LABEL} x2=${width - PAD} y1=${i * LANE + LANE / 2} y2=${i * LANE + LANE / 2}></line>
          ${lane.segments.map(
            (
              s,
            ) => svg`<rect class="seg ${s.status}" x=${x(s.from)} y=${i * LANE + 7} width=${Math.max(x(s.to) - x(s.from), 1)} height=${LANE - 14}>
              <title>${lane.name} ${s.status} from ${formatTime(s.from)}</title></rect>`,
          )}
        </g>`,
      )}
      ${timeTicks(model.start, model.end, Math.max(2, Math.floor(plot / 110))).map(
        (t) => svg`<g class="tick"><line x1=${x(t)} x2=${x(t)} y1="0" y2=${height - AXIS + 4}></line>
          <text x=${x(t)} y=${height - 8} text-anchor="middle">${formatClock(t)}</text></g>`,
      )}
      ${marks.map(mark)}
    </svg>
    ${
      active
        ? html`<div
            class="tip"
            role="status"
            ${styleProps({ left: `${Math.max(Math.min(x(active.at) - 120, width - 250), 0)}px`, top: `${active.y + 14}px` })}
          >
            ${describe(active)}${active.entry.clientIp ? html`<br />client IP ${active.entry.clientIp}` : nothing}
          </div>`
        : nothing
    }
  </div>`;
}
