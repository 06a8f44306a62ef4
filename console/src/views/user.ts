// One user: its summary (user-summary.ts: status, platform cards, custom status, kicks,
// onlineSince / lastSeen), the timeline, the events table with outcomes, webhook deliveries
// with Redeliver, and the operator's Kick (kick.ts).
import { html, nothing } from "lit-html";
import { userPath } from "../api";
import { startFeed } from "../live-feed";
import { formatClock, formatDay, formatTime } from "../format";
import { IDLE, errorText, rerender, state } from "../store";
import { timeline } from "../timeline";
import type { Delivery, HistoryEntry, Snapshot } from "../types";
import { kickButton, kickPanel } from "./kick";
import { canVerify, verifyNow } from "./reconcile";
import { badge, summary } from "./user-summary";

/**
 * Loads the user's snapshot, history and deliveries. `quiet` reloads in place (a live
 * change), without the loading line and keeping the last action's message.
 */
export async function loadUser(account: string, quiet = false): Promise<void> {
  const { api, app } = state;
  if (!api || !app) return;
  const u = state.user;
  if (u.account !== account) {
    Object.assign(u, { snapshot: null, events: [], deliveries: [], activeMark: null });
    followUser(account);
  }
  u.account = account;
  if (!quiet) Object.assign(u, { status: { busy: true, error: null }, redeliver: IDLE, verify: IDLE, kick: IDLE });
  rerender();
  try {
    const path = userPath(app, account);
    const [snapshot, history, deliveries] = await Promise.all([
      api.get<Snapshot>(path),
      api.get<{ events: HistoryEntry[] }>(`${path}/events?limit=${state.config?.limits["eventsPage"] ?? 1000}`),
      api.get<{ deliveries: Delivery[] }>(`${path}/deliveries`),
    ]);
    if (u.account !== account) return;
    Object.assign(u, {
      snapshot,
      events: history.events,
      deliveries: deliveries.deliveries,
      loaded: Date.now(),
      status: IDLE,
    });
  } catch (error) {
    if (u.account === account) u.status = { busy: false, error: errorText(error) };
  }
  rerender();
}

/** Keeps the page current: a new version of the user (a callback, a correction) reloads it. */
function followUser(account: string): void {
  stopFollowing();
  const { api, app } = state;
  if (!api || !app) return;
  state.user.feed = startFeed(api, app, [account], {
    snapshots(snapshots) {
      const latest = snapshots.find((s) => s.account === account);
      const shown = state.user.snapshot;
      if (latest && shown && state.user.account === account && latest.version !== shown.version) {
        void loadUser(account, true);
      }
    },
    state() {},
  });
}

export function stopFollowing(): void {
  state.user.feed?.stop();
  state.user.feed = null;
}

async function redeliver(): Promise<void> {
  const { api, app } = state;
  const account = state.user.account;
  if (!api || !app || account === null) return;
  state.user.redeliver = { busy: true, error: null };
  rerender();
  try {
    const { requeued } = await api.post<{ requeued: number }>(`${userPath(app, account)}/deliveries/redeliver`);
    await loadUser(account);
    state.user.redeliver = {
      busy: false,
      error: null,
      note: `Requeued ${requeued} dead ${requeued === 1 ? "letter" : "letters"}.`,
    };
  } catch (error) {
    state.user.redeliver = { busy: false, error: errorText(error) };
  }
  rerender();
}

function lookUp(event: SubmitEvent) {
  event.preventDefault();
  const account = new FormData(event.target as HTMLFormElement).get("account")?.toString() ?? "";
  if (account === "") return;
  const hash = `#/user/${encodeURIComponent(account)}`;
  if (location.hash === hash) void loadUser(account);
  else location.hash = hash;
}

/** A time in a table: day and clock each kept whole, so a narrow column breaks between them. */
const timeCell = (ms: number) =>
  html`<td class="time" title=${formatTime(ms)}><span>${formatDay(ms)}</span> <span>${formatClock(ms)}</span></td>`;

const eventsTable = (events: readonly HistoryEntry[]) =>
  html`<section aria-labelledby="events-h">
    <h2 id="events-h">Events <small>(${events.length}, newest first)</small></h2>
    ${
      events.length === 0
        ? html`<p class="empty">No events stored for this user.</p>`
        : html`<div class="scroll" tabindex="0" role="region" aria-label="Events table">
            <table class="events">
              <thead>
                <tr>
                  <th>seq</th>
                  <th>event time</th>
                  <th>action</th>
                  <th>reason</th>
                  <th>platform</th>
                  <th>kicked</th>
                  <th>outcome</th>
                  <th>status after</th>
                  <th>client IP</th>
                  <th>received</th>
                  <th>source</th>
                </tr>
              </thead>
              <tbody>
                ${events.map(
                  (e) =>
                    html`<tr>
                      <td>${e.seq}</td>
                      ${timeCell(e.eventTime)}
                      <td>${e.action}</td>
                      <td class="reason">${e.reason}</td>
                      <td>${e.platform}</td>
                      <td>${e.kicked.join(", ")}</td>
                      <td><span class="outcome ${e.outcome}">${e.outcome}</span></td>
                      <td>${badge(e.status)}</td>
                      <td class="ip">${e.clientIp ?? ""}</td>
                      ${timeCell(e.receivedAt)}
                      <td>${e.source ?? "callback"}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
    }
  </section>`;

function deliveriesSection(deliveries: readonly Delivery[]) {
  const dead = deliveries.filter((d) => d.state === "dead").length;
  const r = state.user.redeliver;
  return html`<section aria-labelledby="deliveries-h">
    <h2 id="deliveries-h">Webhook deliveries <small>(${deliveries.length} not delivered, ${dead} dead)</small></h2>
    ${
      deliveries.length === 0
        ? html`<p class="empty">Nothing pending or dead: every webhook for this user went out (or none was due).</p>`
        : html`<div class="scroll" tabindex="0" role="region" aria-label="Deliveries table">
            <table class="deliveries">
              <thead>
                <tr>
                  <th>seq</th>
                  <th>type</th>
                  <th>subscriber</th>
                  <th>state</th>
                  <th>attempts</th>
                  <th>next attempt</th>
                  <th>last error</th>
                  <th>id</th>
                </tr>
              </thead>
              <tbody>
                ${deliveries.map(
                  (d) =>
                    html`<tr class=${d.state}>
                      <td>${d.seq}</td>
                      <td>${d.type}</td>
                      <td>${d.subscriber}</td>
                      <td><span class="outcome ${d.state}">${d.state}</span></td>
                      <td>${d.attempts}</td>
                      <td>${formatTime(d.nextAttemptAt)}</td>
                      <td>${d.lastError ?? ""}</td>
                      <td><code>${d.id}</code></td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
    }
    <p>
      <button type="button" ?disabled=${dead === 0 || r.busy} @click=${redeliver}>Redeliver dead letters</button>
      <span role="status" class=${r.error ? "error" : "note"}>${r.error ?? r.note ?? ""}</span>
    </p>
  </section>`;
}

export function userPage() {
  const u = state.user;
  const now = Date.now();
  return html`${u.account === null ? html`<h2>Look up a user</h2>` : nothing}
    <form class="lookup" @submit=${lookUp}>
      <label for="account">Account (UserID)</label>
      <input id="account" name="account" required autocomplete="off" spellcheck="false" .value=${u.account ?? ""} />
      <button type="submit">Look up</button>
      ${u.account !== null ? html`<button type="button" @click=${() => loadUser(u.account!)}>Refresh</button>` : nothing}
      ${
        canVerify() && u.account !== null
          ? html`<button type="button" ?disabled=${u.verify.busy} @click=${() => verifyNow([u.account!], "user")}>
              Verify now
            </button>`
          : nothing
      }
      ${u.account !== null ? kickButton() : nothing}
    </form>
    <p role="status" class=${u.status.error || u.verify.error ? "error" : "note"}>
      ${u.status.busy ? "Loading…" : (u.status.error ?? u.verify.error ?? u.verify.note ?? "")}
    </p>
    ${u.account !== null ? kickPanel(u.account, () => loadUser(u.account!, true)) : nothing}
    ${
      u.snapshot
        ? html`${summary(u.snapshot, now)}
            <section aria-labelledby="timeline-h">
              <h2 id="timeline-h">Timeline</h2>
              <div class="chart-box">
                ${timeline({
                  events: u.events,
                  platforms: u.snapshot.platforms,
                  now: Math.max(now, u.loaded),
                  width: state.chartWidth,
                  active: u.activeMark,
                  setActive: (seq) => {
                    u.activeMark = seq;
                    rerender();
                  },
                })}
              </div>
              <p class="legend" aria-hidden="true">
                <span class="key online">online</span><span class="key disconnected">disconnected</span
                ><span class="key offline">offline</span
                ><span class="key mark-key">● applied ○ stale or duplicate</span>
              </p>
            </section>
            ${eventsTable(u.events)} ${deliveriesSection(u.deliveries)}`
        : u.account === null
          ? html`<p class="empty">Look up an account to see its presence, timeline, events and deliveries.</p>`
          : nothing
    }`;
}
