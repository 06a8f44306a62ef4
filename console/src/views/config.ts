// The configuration summary of GET /v1/config: apps, callback authentication, subscribers
// (origin only), reconciliation, limits. The Worker never sends a secret, so none can show.
import { html } from "lit-html";
import { duration, limitFacts } from "../labels";
import { state } from "../store";

const yesNo = (b: boolean) => (b ? "on" : "off");

export function configPage() {
  const c = state.config;
  if (!c) {
    return html`<h2>Configuration</h2>
      <p class="empty">No configuration loaded.</p>`;
  }
  return html`<h2>Configuration</h2>
    <section aria-labelledby="apps-h">
      <h3 id="apps-h">Apps</h3>
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
      <h3 id="hooks-h">Webhooks</h3>
      <p>Offline grace period: ${duration(c.webhooks.offlineGraceSeconds)}</p>
      ${
        c.webhooks.subscribers.length === 0
          ? html`<p class="empty">No subscribers configured.</p>`
          : html`<ul>
              ${c.webhooks.subscribers.map((s) => html`<li><strong>${s.id}</strong> → ${s.origin} (${s.events?.join(", ") ?? "all events"})</li>`)}
            </ul>`
      }
    </section>
    <section aria-labelledby="rec-h">
      <h3 id="rec-h">Reconciliation</h3>
      <dl class="facts">
        <div>
          <dt>Staleness interval</dt>
          <dd>${c.reconcile.afterSeconds === null ? "off" : duration(c.reconcile.afterSeconds)}</dd>
        </div>
        <div>
          <dt>Calls to Tencent, at most</dt>
          <dd>${c.reconcile.maxRps} a second</dd>
        </div>
        <div>
          <dt>REST domain</dt>
          <dd>${c.reconcile.restBaseUrl}</dd>
        </div>
        <div>
          <dt>Admin identifier</dt>
          <dd>${c.reconcile.adminIdentifier}</dd>
        </div>
      </dl>
    </section>
    <section aria-labelledby="other-h">
      <h3 id="other-h">Storage and limits</h3>
      <dl class="facts">
        <div>
          <dt>Retention</dt>
          <dd>${c.retentionDays === null ? "off" : `${c.retentionDays} days`}</dd>
        </div>
        <div>
          <dt>Log every callback</dt>
          <dd>${yesNo(c.logCallbacks)}</dd>
        </div>
        ${limitFacts(c.limits).map(
          (f) =>
            html`<div>
              <dt>${f.label}</dt>
              <dd>${f.value}</dd>
            </div>`,
        )}
      </dl>
    </section>`;
}
