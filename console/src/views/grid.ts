// The live grid: up to 1 000 pasted accounts, one tile each, kept current by the live feed
// (live-feed.ts), with a connection indicator.
import { html } from "lit-html";
import { repeat } from "lit-html/directives/repeat.js";
import { startFeed } from "../live-feed";
import { session } from "../session";
import { rerender, state } from "../store";
import type { Snapshot } from "../types";
import { accountName } from "./account";
import { feedIndicator } from "./feed-indicator";

export const MAX_GRID = 1000;

/** Accounts from pasted text: one per line or comma-separated, trimmed, first occurrence kept. */
export function parseAccounts(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\n,]/)
        .map((s) => s.trim())
        .filter((s) => s !== ""),
    ),
  ];
}

export function stopGrid(): void {
  state.grid.feed?.stop();
  state.grid.feed = null;
  state.grid.feedState = null;
}

/** Stop, as the operator asked: kept across a reload, so the grid does not start watching again. */
function stopWatching(): void {
  stopGrid();
  session.setGridWatching(false);
  rerender();
}

/** After a reload (or signing in again in the tab): the accounts the grid had, watched again if they were. */
export function restoreGrid(): void {
  const text = session.gridAccounts();
  if (text === "" || state.grid.accounts.length > 0) return;
  if (session.gridWatching()) return startGrid(text);
  state.grid.text = text;
  state.grid.accounts = parseAccounts(text).slice(0, MAX_GRID);
}

export function startGrid(text: string): void {
  const { api, app } = state;
  const g = state.grid;
  stopGrid();
  g.text = text;
  session.setGridAccounts(text);
  session.setGridWatching(true);
  const accounts = parseAccounts(text);
  if (accounts.length > MAX_GRID) {
    g.error = `${accounts.length} accounts pasted: the grid watches at most ${MAX_GRID}. Remove ${accounts.length - MAX_GRID}.`;
    return rerender();
  }
  g.error = null;
  g.accounts = accounts;
  g.snapshots = new Map();
  if (!api || !app || accounts.length === 0) return rerender();
  g.feed = startFeed(api, app, accounts, {
    snapshots(snapshots: readonly Snapshot[]) {
      for (const s of snapshots) g.snapshots.set(s.account, s);
      rerender();
    },
    state(feedState) {
      g.feedState = feedState;
      rerender();
    },
  });
  rerender();
}

export function gridPage() {
  const g = state.grid;
  const counts: Record<string, number> = { online: 0, disconnected: 0, offline: 0, unknown: 0 };
  for (const a of g.accounts) {
    const status = g.snapshots.get(a)?.status;
    if (status) counts[status] = (counts[status] ?? 0) + 1;
  }
  return html`<h2>Live grid</h2>
    <form
      class="grid-form"
      @submit=${(event: SubmitEvent) => {
        event.preventDefault();
        startGrid(new FormData(event.target as HTMLFormElement).get("grid-accounts")?.toString() ?? "");
      }}
    >
      <label for="grid-accounts">Accounts to watch (up to 1 000, one per line or comma-separated)</label>
      <textarea id="grid-accounts" name="grid-accounts" rows="4" spellcheck="false" .value=${g.text}></textarea>
      <button type="submit">Watch</button>
      <button type="button" @click=${stopWatching}>Stop</button>
    </form>
    ${g.error ? html`<p class="error" role="alert">${g.error}</p>` : feedIndicator(g.feedState)}
    <p class="counts">
      ${g.accounts.length} accounts: ${counts["online"]} online, ${counts["disconnected"]} disconnected,
      ${counts["offline"]} offline, ${counts["unknown"]} unknown
    </p>
    <ul class="grid" aria-label="Watched accounts">
      ${repeat(
        g.accounts,
        (a) => a,
        (a) => {
          const s = g.snapshots.get(a);
          const status = s?.status ?? "pending";
          return html`<li class="tile ${status}" data-account=${a}>
            <a href="#/user/${encodeURIComponent(a)}"
              ><span class="name">${accountName(a)}</span> <span class="st">${status}</span></a
            >
          </li>`;
        },
      )}
    </ul>`;
}
