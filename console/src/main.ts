// The operator console: sign-in, then the user, live grid, online, reconcile and configuration
// pages under hash routes (#/user/<account>, #/grid, #/online, #/reconcile, #/config), so the
// Worker serves one static page and every view has a URL.
import { html, nothing, render } from "lit-html";
import { ApiError, apiClient } from "./api";
import { session } from "./session";
import { IDLE, errorText, rerender, setRenderer, state, type Route } from "./store";
import type { ConfigSummary } from "./types";
import { configPage } from "./views/config";
import { gridPage, restoreGrid, startGrid, stopGrid } from "./views/grid";
import { onlinePage, openOnline, stopOnline } from "./views/online";
import { loadReconcileStats, reconcilePage } from "./views/reconcile";
import { loadUser, stopFollowing, userPage } from "./views/user";

const root = document.getElementById("app")!;
root.replaceChildren(); // the static "Loading" line; lit-html renders after what is there

function parseRoute(hash: string): Route {
  const [, page = "", rest = ""] = /^#\/([^/]*)\/?(.*)$/.exec(hash) ?? [];
  if (page === "grid") return { page: "grid" };
  if (page === "online") return { page: "online" };
  if (page === "reconcile") return { page: "reconcile" };
  if (page === "config") return { page: "config" };
  let account: string | null;
  try {
    account = rest === "" ? null : decodeURIComponent(rest);
  } catch {
    account = null; // a malformed link: show the look-up form
  }
  return { page: "user", account };
}

function onRoute(): void {
  const route = parseRoute(location.hash);
  const left = state.route.page === "online" && route.page !== "online";
  const entered = route.page === "online" && (state.route.page !== "online" || state.online.feed === null);
  state.route = route;
  // The Online page's live counts are watched only while it is shown.
  if (left) stopOnline();
  if (entered) void openOnline();
  if (route.page === "user" && route.account !== null && route.account !== state.user.account)
    void loadUser(route.account);
  if (route.page === "reconcile") void loadReconcileStats();
  rerender();
  document.getElementById("main")?.focus({ preventScroll: true });
}

/** Checks a token against GET /v1/config; keeps it (sessionStorage) only when the Worker accepts it. */
async function signIn(token: string): Promise<void> {
  state.signIn = { busy: true, error: null };
  rerender();
  const api = apiClient(token);
  try {
    const config = await api.get<ConfigSummary>("/v1/config");
    session.signIn(token);
    Object.assign(state, { api, config, app: config.apps[0]?.app ?? null, signIn: IDLE });
    void loadReconcileStats();
    restoreGrid();
    onRoute();
  } catch (error) {
    session.forgetToken();
    state.signIn = {
      busy: false,
      error:
        error instanceof ApiError && error.status === 401
          ? `The Worker refused this token (${error.message}). Use one of the Worker's API_TOKENS.`
          : `Could not sign in: ${errorText(error)}`,
    };
  }
  rerender();
}

function signOut(): void {
  stopGrid();
  stopOnline();
  stopFollowing();
  session.signOut();
  Object.assign(state, { api: null, config: null, app: null, signIn: IDLE });
  state.grid = { ...state.grid, text: "", accounts: [], snapshots: new Map(), error: null };
  state.user = { ...state.user, account: null, snapshot: null, events: [], deliveries: [] };
  rerender();
}

function signInPage() {
  const local = /^(localhost|127\.0\.0\.1|\[::1\])$/.test(location.hostname);
  return html`<main id="main" class="signin" tabindex="-1">
    <h1>presence-edge console</h1>
    <form
      @submit=${(event: SubmitEvent) => {
        event.preventDefault();
        const token = new FormData(event.target as HTMLFormElement).get("token")?.toString().trim() ?? "";
        if (token !== "") void signIn(token);
      }}
    >
      <label for="token">API token</label>
      <input id="token" name="token" type="password" required autocomplete="off" spellcheck="false" />
      <button type="submit" ?disabled=${state.signIn.busy}>Sign in</button>
      <p id="signin-status" role="alert" class="error">${state.signIn.error ?? ""}</p>
    </form>
    <p class="note">
      The token is one of the Worker's <code>API_TOKENS</code>. It stays in this tab's session storage and is forgotten
      when the tab
      closes.${local ? html` The local demo (<code>npm start</code>) uses <code>demo-api-token</code>.` : nothing}
    </p>
  </main>`;
}

function nav() {
  const page = state.route.page;
  const link = (href: string, name: string, label: string) =>
    html`<a href=${href} aria-current=${page === name ? "page" : "false"}>${label}</a>`;
  const hasReconcile = state.reconcile.stats !== null && state.reconcile.stats !== "absent";
  return html`<header>
    <h1><a href="#/user">presence-edge</a></h1>
    <nav aria-label="Pages">
      ${link(state.user.account ? `#/user/${encodeURIComponent(state.user.account)}` : "#/user", "user", "User")}
      ${link("#/grid", "grid", "Live grid")} ${link("#/online", "online", "Online")}
      ${hasReconcile ? link("#/reconcile", "reconcile", "Reconcile") : nothing}
      ${link("#/config", "config", "Configuration")}
    </nav>
    ${
      state.config && state.config.apps.length > 1
        ? html`<label class="app-pick"
            >App
            <select
              @change=${(event: Event) => {
                state.app = (event.target as HTMLSelectElement).value;
                state.reconcile = { stats: null, status: IDLE, results: null, verify: IDLE };
                void loadReconcileStats();
                const account = state.user.account;
                state.user.account = null; // another app's user of that name: reload and follow it anew
                if (account !== null) void loadUser(account);
                if (state.grid.feed) startGrid(state.grid.text);
                if (state.route.page === "online") void openOnline();
              }}
            >
              ${state.config.apps.map((a) => html`<option ?selected=${a.app === state.app}>${a.app}</option>`)}
            </select></label
          >`
        : html`<span class="app-one">app ${state.app}</span>`
    }
    <button type="button" class="signout" @click=${signOut}>Sign out</button>
  </header>`;
}

function page() {
  switch (state.route.page) {
    case "grid":
      return gridPage();
    case "online":
      return onlinePage();
    case "reconcile":
      return reconcilePage();
    case "config":
      return configPage();
    default:
      return userPage();
  }
}

function app() {
  if (!state.api) return signInPage();
  return html`${nav()}
    <main id="main" tabindex="-1">${page()}</main>`;
}

setRenderer(() => {
  render(app(), root);
  const box = root.querySelector<HTMLElement>(".chart-box");
  if (box && Math.abs(box.clientWidth - state.chartWidth) > 2) {
    state.chartWidth = box.clientWidth;
    rerender();
  }
});
addEventListener("hashchange", onRoute);
addEventListener("resize", () => {
  state.chartWidth = 0;
  rerender();
});
state.route = parseRoute(location.hash);
const saved = session.token();
if (saved) void signIn(saved);
rerender();
