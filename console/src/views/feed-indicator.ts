// A live feed's connection, in words, with a coloured dot (live-feed.ts): the live grid's and
// the Online page's.
import { html } from "lit-html";
import { formatClock } from "../format";
import type { FeedState } from "../live-feed";

export function feedIndicator(f: FeedState | null) {
  if (f === null) return html`<p class="conn idle" role="status">Not watching.</p>`;
  if (f.kind === "connecting") return html`<p class="conn connecting" role="status">Connecting…</p>`;
  if (f.kind === "retrying") {
    return html`<p class="conn down" role="status">Disconnected (${f.message}); retrying at ${formatClock(f.at)}.</p>`;
  }
  return html`<p class="conn up" role="status">
    ${f.via === "watch" ? "Live (watch WebSocket)" : "Live (polling every 3 s)"}; last update ${formatClock(f.at)}.
  </p>`;
}
