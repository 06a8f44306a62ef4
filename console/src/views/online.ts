// The Online page (SPEC §12): how many users are online now, live through the watch; the counts
// over time as a chart (24 hours by minute, 7 days by hour, 90 days by day); and who, a paged
// list with status and platform filters, each account linking to its user page.
import { html, nothing } from "lit-html";
import { ApiError, appPath } from "../api";
import { ago, formatTime } from "../format";
import { startCountsFeed } from "../live-feed";
import { countsChart } from "../online-chart";
import { historyQuery, RANGES, withLiveCount, type ChartRange } from "../online-chart-model";
import { IDLE, errorText, rerender, state } from "../store";
import type { CountsPoint, OnlineCounts, OnlineUser } from "../types";
import { accountName } from "./account";
import { feedIndicator } from "./feed-indicator";
import { badge } from "./user-summary";

const PAGE_SIZE = 100;
/** The platforms the filter offers before the counts (which list every platform) arrive. */
const PLATFORMS = ["iOS", "Android", "Web", "Windows", "Mac", "iPad", "Linux", "RESTAPI", "Unknown"];
const number = new Intl.NumberFormat();
/** Counts the page's openings: an opening overtaken by a newer one (another app) starts nothing. */
let openings = 0;

export function stopOnline(): void {
  state.online.feed?.stop();
  state.online.feed = null;
  state.online.feedState = null;
}

/** Opens the page: the counts (and whether the index is on), then the live feed, chart and list. */
export async function openOnline(): Promise<void> {
  const { api, app } = state;
  if (!api || !app) return;
  stopOnline();
  const opening = ++openings;
  const o = state.online;
  Object.assign(o, { counts: null, off: null, history: null, activePoint: null, users: [], next: null });
  rerender();
  try {
    o.counts = await api.get<OnlineCounts>(`${appPath(app)}/online`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 409) o.off = error.message;
    else o.listStatus = { busy: false, error: errorText(error) };
    return rerender();
  }
  if (opening !== openings || state.route.page !== "online") return;
  o.feed = startCountsFeed(api, app, {
    counts(counts) {
      if (state.app !== app) return;
      o.counts = counts;
      if (o.history)
        o.history.points = withLiveCount(o.history.points, RANGES[o.range].resolution, counts.asOf, counts.online);
      rerender();
    },
    state(feedState) {
      o.feedState = feedState;
      rerender();
    },
  });
  void loadHistory();
  void loadUsers(null, []);
}

async function loadHistory(): Promise<void> {
  const { api, app } = state;
  if (!api || !app) return;
  const o = state.online;
  const range = o.range;
  const { from, to, resolution } = historyQuery(range, Date.now());
  o.historyStatus = { busy: true, error: null };
  rerender();
  try {
    const query = new URLSearchParams({ from: String(from), to: String(to), resolution });
    const { points } = await api.get<{ points: CountsPoint[] }>(`${appPath(app)}/online/history?${query}`);
    if (o.range !== range || state.app !== app) return;
    const live = o.counts === null ? points : withLiveCount(points, resolution, o.counts.asOf, o.counts.online);
    o.history = { points: live, from, to };
    o.activePoint = null;
    o.historyStatus = IDLE;
  } catch (error) {
    o.historyStatus = { busy: false, error: errorText(error) };
  }
  rerender();
}

/** The page of the list after `cursor` (null: the first), `previous` the cursors before it. */
async function loadUsers(cursor: string | null, previous: (string | null)[]): Promise<void> {
  const { api, app } = state;
  if (!api || !app) return;
  const o = state.online;
  o.listStatus = { busy: true, error: null };
  rerender();
  const query = new URLSearchParams({ status: o.status, limit: String(PAGE_SIZE) });
  if (o.platform !== "") query.set("platform", o.platform);
  if (cursor !== null) query.set("cursor", cursor);
  const filters = () => `${state.app} ${o.status} ${o.platform}`;
  const asked = filters();
  try {
    const page = await api.get<{ users: OnlineUser[]; cursor: string | null }>(`${appPath(app)}/online/users?${query}`);
    if (filters() !== asked) return; // the filters changed meanwhile: their own request answers
    Object.assign(o, { users: page.users, cursor, next: page.cursor, previous, listStatus: IDLE });
  } catch (error) {
    o.listStatus = { busy: false, error: errorText(error) };
  }
  rerender();
}

function countsSection(counts: OnlineCounts | null) {
  const figure = (n: number | undefined) => (n === undefined ? "—" : number.format(n));
  return html`<section aria-labelledby="online-now-h">
    <h3 id="online-now-h">Now</h3>
    ${feedIndicator(state.online.feedState)}
    <dl class="facts online-counts">
      <div>
        <dt>Online</dt>
        <dd class="big" data-count="online">${figure(counts?.online)}</dd>
      </div>
      <div>
        <dt>Disconnected (grace or network loss)</dt>
        <dd class="big" data-count="disconnected">${figure(counts?.disconnected)}</dd>
      </div>
    </dl>
    <ul class="platform-counts" aria-label="Users with each platform online">
      ${Object.entries(counts?.platforms ?? {}).map(
        ([name, n]) =>
          html`<li class=${n === 0 ? "zero" : ""} data-platform=${name}>
            ${name} <strong>${number.format(n)}</strong>
          </li>`,
      )}
    </ul>
  </section>`;
}

function chartSection() {
  const o = state.online;
  const h = o.history;
  return html`<section aria-labelledby="online-chart-h">
    <h3 id="online-chart-h">Over time</h3>
    <p class="chart-controls">
      <label for="online-range">Range</label>
      <select
        id="online-range"
        @change=${(event: Event) => {
          o.range = (event.target as HTMLSelectElement).value as ChartRange;
          void loadHistory();
        }}
      >
        ${(Object.keys(RANGES) as ChartRange[]).map(
          (r) => html`<option value=${r} ?selected=${r === o.range}>${RANGES[r].label}</option>`,
        )}
      </select>
      <span role="status" class=${o.historyStatus.error ? "error" : "note"}>
        ${o.historyStatus.busy ? "Loading…" : (o.historyStatus.error ?? "")}
      </span>
    </p>
    <div class="chart-box">
      ${
        h === null
          ? nothing
          : countsChart({
              points: h.points,
              range: o.range,
              from: h.from,
              to: h.to,
              width: state.chartWidth,
              active: o.activePoint,
              setActive: (index) => {
                o.activePoint = index;
                rerender();
              },
            })
      }
    </div>
    <p class="legend" aria-hidden="true">
      <span class="key online">users online at the end of each ${RANGES[o.range].resolution}</span>
      <span class="key band-key">lowest to highest within it</span>
    </p>
  </section>`;
}

function usersTable(users: readonly OnlineUser[], now: number) {
  if (users.length === 0) return html`<p class="empty">Nobody here with these filters.</p>`;
  return html`<div class="scroll" tabindex="0" role="region" aria-label="Users table">
    <table class="online-users">
      <thead>
        <tr>
          <th>account</th>
          <th>status</th>
          <th>platforms online</th>
          <th>since</th>
        </tr>
      </thead>
      <tbody>
        ${users.map(
          (u) =>
            html`<tr>
              <td><a href="#/user/${encodeURIComponent(u.account)}">${accountName(u.account)}</a></td>
              <td>${badge(u.status)}</td>
              <td>${u.platforms.join(", ") || "—"}</td>
              <td>${formatTime(u.since)} <small class="ago">${ago(u.since, now)}</small></td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

function usersSection() {
  const o = state.online;
  const platforms = o.counts ? Object.keys(o.counts.platforms) : PLATFORMS;
  const picked = (event: Event) => (event.target as HTMLSelectElement).value;
  const pageNumber = o.previous.length + 1;
  return html`<section aria-labelledby="online-users-h">
    <h3 id="online-users-h">Who</h3>
    <form class="online-filters" @submit=${(event: SubmitEvent) => event.preventDefault()}>
      <label for="online-status">Status</label>
      <select
        id="online-status"
        @change=${(event: Event) => {
          o.status = picked(event) as typeof o.status;
          void loadUsers(null, []);
        }}
      >
        ${(["online", "disconnected", "any"] as const).map(
          (s) => html`<option value=${s} ?selected=${s === o.status}>${s}</option>`,
        )}
      </select>
      <label for="online-platform">Platform</label>
      <select
        id="online-platform"
        @change=${(event: Event) => {
          o.platform = picked(event);
          void loadUsers(null, []);
        }}
      >
        <option value="" ?selected=${o.platform === ""}>any platform</option>
        ${platforms.map((p) => html`<option value=${p} ?selected=${p === o.platform}>${p} online</option>`)}
      </select>
    </form>
    <p role="status" class=${o.listStatus.error ? "error" : "note"}>
      ${o.listStatus.busy ? "Loading…" : (o.listStatus.error ?? `Page ${pageNumber}: ${o.users.length} users.`)}
    </p>
    ${usersTable(o.users, Date.now())}
    <p class="pager">
      <button type="button" ?disabled=${pageNumber === 1} @click=${() => loadUsers(null, [])}>First page</button>
      <button
        type="button"
        ?disabled=${pageNumber === 1}
        @click=${() => loadUsers(o.previous.at(-1) ?? null, o.previous.slice(0, -1))}
      >
        Previous page
      </button>
      <button type="button" ?disabled=${o.next === null} @click=${() => loadUsers(o.next, [...o.previous, o.cursor])}>
        Next page
      </button>
    </p>
  </section>`;
}

export function onlinePage() {
  const o = state.online;
  return html`<h2>Online</h2>
    ${
      o.off !== null
        ? html`<p class="note" role="status">The who-is-online index is off on this Worker: ${o.off}</p>`
        : html`${countsSection(o.counts)} ${chartSection()} ${usersSection()}`
    }`;
}
