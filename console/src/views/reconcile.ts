// Verify-now and the reconcile stats (docs/RECONCILE.md): shown only when the Worker answers
// GET /v1/apps/{app}/reconcile; a Worker without reconciliation answers 404 and the console
// leaves the page out.
import { html, nothing } from "lit-html";
import { ApiError, appPath } from "../api";
import { reconcileFacts } from "../labels";
import { IDLE, errorText, rerender, state } from "../store";
import type { Snapshot } from "../types";
import { accountName } from "./account";
import { parseAccounts } from "./grid";

interface VerifyResult {
  account: string;
  corrected: boolean;
  snapshot?: Snapshot;
}

export async function loadReconcileStats(): Promise<void> {
  const { api, app } = state;
  if (!api || !app) return;
  state.reconcile.status = { busy: true, error: null };
  rerender();
  try {
    state.reconcile.stats = await api.get<Record<string, unknown>>(`${appPath(app)}/reconcile`);
    state.reconcile.status = IDLE;
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 405)) state.reconcile.stats = "absent";
    state.reconcile.status = { busy: false, error: errorText(error) };
  }
  rerender();
}

/** POST /v1/apps/{app}/reconcile for these accounts; the result shows on the user or reconcile page. */
export async function verifyNow(accounts: string[], where: "user" | "page"): Promise<void> {
  const { api, app } = state;
  if (!api || !app) return;
  const target = where === "user" ? state.user : state.reconcile;
  target.verify = { busy: true, error: null };
  rerender();
  try {
    const { results } = await api.post<{ results: VerifyResult[] }>(`${appPath(app)}/reconcile`, { accounts });
    const corrected = results.filter((r) => r.corrected).length;
    target.verify = {
      busy: false,
      error: null,
      note: `Verified ${results.length} with Tencent: ${corrected} corrected.`,
    };
    if (where === "page") state.reconcile.results = results;
    else if (results[0]?.snapshot) state.user.snapshot = results[0].snapshot;
    void loadReconcileStats();
  } catch (error) {
    target.verify = { busy: false, error: errorText(error) };
  }
  rerender();
}

/** Verify now needs the app's secret key: the stats say whether it is set. */
export const canVerify = (): boolean => {
  const stats = state.reconcile.stats;
  return stats !== null && stats !== "absent" && stats["enabled"] !== false;
};

export function reconcilePage() {
  const r = state.reconcile;
  const stats = r.stats;
  if (stats === "absent") {
    return html`<h2>Reconcile</h2>
      <p class="empty">This Worker has no reconciliation endpoint.</p>`;
  }
  return html`<h2>Reconcile <small>(app ${state.app})</small></h2>
    <section aria-labelledby="stats-h">
      <h3 id="stats-h">Stats</h3>
      <p>
        <button type="button" @click=${loadReconcileStats}>Refresh</button>
        <span role="status" class=${r.status.error ? "error" : "note"}
          >${r.status.busy ? "Loading…" : (r.status.error ?? "")}</span
        >
      </p>
      ${
        stats && typeof stats === "object"
          ? html`<dl class="facts">
              ${reconcileFacts(stats).map(
                (f) =>
                  html`<div>
                    <dt>${f.label}</dt>
                    <dd>${f.value}</dd>
                  </div>`,
              )}
            </dl>`
          : nothing
      }
    </section>
    <section aria-labelledby="verify-h">
      <h3 id="verify-h">Verify now</h3>
      ${
        canVerify()
          ? nothing
          : html`<p class="note">
              Reconciliation needs the IM app's secret key: set <code>IM_SECRET_KEY</code> (or
              <code>IM_SECRET_KEY_${state.app}</code>).
            </p>`
      }
      <form
        @submit=${(event: SubmitEvent) => {
          event.preventDefault();
          const text = new FormData(event.target as HTMLFormElement).get("verify-accounts")?.toString() ?? "";
          const accounts = parseAccounts(text);
          if (accounts.length > 0) void verifyNow(accounts.slice(0, 500), "page");
        }}
      >
        <label for="verify-accounts"
          >Accounts to verify with Tencent (up to 500, one per line or comma-separated)</label
        >
        <textarea id="verify-accounts" name="verify-accounts" rows="3" spellcheck="false"></textarea>
        <button type="submit" ?disabled=${r.verify.busy || !canVerify()}>Verify now</button>
        <span role="status" class=${r.verify.error ? "error" : "note"}>${r.verify.error ?? r.verify.note ?? ""}</span>
      </form>
      ${
        r.results
          ? html`<ul class="results">
              ${(r.results as VerifyResult[]).map(
                (x) =>
                  html`<li>
                    <a href="#/user/${encodeURIComponent(x.account)}">${accountName(x.account)}</a>:
                    ${x.corrected ? "corrected" : "unchanged"}${x.snapshot ? ` (${x.snapshot.status})` : ""}
                  </li>`,
              )}
            </ul>`
          : nothing
      }
    </section>`;
}
