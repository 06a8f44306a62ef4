// The configuration summary of GET /v1/config: apps, callback authentication, subscribers
// (origin only), reconciliation, limits. The Worker never sends a secret, so none can show.
import { html } from "lit-html";
import { state } from "../store";

const yesNo = (b: boolean) => (b ? "on" : "off");

export function configPage() {
  const c = state.config;
  if (!c) return html`<p class="empty">No configuration loaded.</p>`;
  return html`<section aria-labelledby="apps-h">
      <h2 id="apps-h">Apps</h2>
      <div class="scroll" tabindex="0" role="region" aria-label="Apps table">
        <table>
          <thead>
            <tr>
              <th>SDKAppID</th>
              <th>callbacks</th>
              <th>callback tokens</th>
              <th>reconcile</th>
            </tr>
          </thead>
          <tbody>
            ${c.apps.map(
              (a) =>
                html`<tr>
                  <td>${a.app}</td>
                  <td>${a.callbackAuth}</td>
                  <td>${a.callbackTokens}${a.callbackTokens > 1 ? " (rotation)" : ""}</td>
                  <td>${yesNo(a.reconcile)}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </div>
    </section>
    <section aria-labelledby="hooks-h">
      <h2 id="hooks-h">Webhooks</h2>
      <p>Offline grace period: ${c.webhooks.offlineGraceSeconds} s</p>
      ${
        c.webhooks.subscribers.length === 0
          ? html`<p class="empty">No subscribers configured.</p>`
          : html`<ul>
              ${c.webhooks.subscribers.map((s) => html`<li><strong>${s.id}</strong> → ${s.origin} (${s.events?.join(", ") ?? "all events"})</li>`)}
            </ul>`
      }
    </section>
    <section aria-labelledby="rec-h">
      <h2 id="rec-h">Reconciliation</h2>
      <dl class="facts">
        <div>
          <dt>staleness interval</dt>
          <dd>${c.reconcile.afterSeconds === null ? "off" : `${c.reconcile.afterSeconds} s`}</dd>
        </div>
        <div>
          <dt>REST calls a second</dt>
          <dd>${c.reconcile.maxRps}</dd>
        </div>
        <div>
          <dt>REST domain</dt>
          <dd>${c.reconcile.restBaseUrl}</dd>
        </div>
        <div>
          <dt>admin identifier</dt>
          <dd>${c.reconcile.adminIdentifier}</dd>
        </div>
      </dl>
    </section>
    <section aria-labelledby="other-h">
      <h2 id="other-h">Storage and limits</h2>
      <dl class="facts">
        <div>
          <dt>retention</dt>
          <dd>${c.retentionDays === null ? "off" : `${c.retentionDays} days`}</dd>
        </div>
        <div>
          <dt>log every callback</dt>
          <dd>${yesNo(c.logCallbacks)}</dd>
        </div>
        ${Object.entries(c.limits).map(
          ([k, v]) =>
            html`<div>
              <dt>${k}</dt>
              <dd>${v}</dd>
            </div>`,
        )}
      </dl>
    </section>`;
}
