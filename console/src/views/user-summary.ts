// The user page's summary: the account (hidden characters marked), its status, custom status,
// online since / last seen, one card per platform and the kicks.
import { html, nothing } from "lit-html";
import { hasHiddenCharacters } from "../account-text";
import { ago, formatTime } from "../format";
import type { Snapshot } from "../types";
import { accountName } from "./account";

export const badge = (status: string) => html`<span class="badge ${status}">${status}</span>`;

/** "3 min ago" stays on one line; it follows a date that may wrap. */
const agoText = (ms: number | null, now: number) => html`<small class="ago">${ago(ms, now)}</small>`;

export function summary(s: Snapshot, now: number) {
  const platforms = Object.entries(s.platforms);
  return html`<section aria-labelledby="user-h">
    <h2 id="user-h">${accountName(s.account)} ${badge(s.status)}</h2>
    ${
      hasHiddenCharacters(s.account)
        ? html`<p class="note">
            This account id holds invisible or bidi-control characters: they are shown as their code points, marked.
          </p>`
        : nothing
    }
    <dl class="facts">
      <div>
        <dt>Custom status</dt>
        <dd>${s.customStatus ?? "—"}</dd>
      </div>
      <div>
        <dt>Online since</dt>
        <dd>${formatTime(s.onlineSince)} ${agoText(s.onlineSince, now)}</dd>
      </div>
      <div>
        <dt>Last seen</dt>
        <dd>${formatTime(s.lastSeen)} ${agoText(s.lastSeen, now)}</dd>
      </div>
      <div>
        <dt>Updated</dt>
        <dd>${formatTime(s.updatedAt)}</dd>
      </div>
      <div>
        <dt>Version</dt>
        <dd>${s.version}</dd>
      </div>
    </dl>
    ${
      platforms.length === 0
        ? html`<p class="empty">No platform seen${s.status === "unknown" ? ": this user is unknown" : ""}.</p>`
        : html`<ul class="cards" aria-label="Platforms">
            ${platforms.map(
              ([name, p]) =>
                html`<li class="card ${p.status}">
                  <h3>${name}</h3>
                  ${badge(p.status)}
                  <p>${p.reason || "—"} · ${formatTime(p.since)}</p>
                  <p><small>${p.clientIp ? `client IP ${p.clientIp}` : "no client IP"}</small></p>
                </li>`,
            )}
          </ul>`
    }
    ${
      s.kicks.length > 0
        ? html`<h3>Kicks</h3>
            <ul class="kicks">
              ${s.kicks.map((k) => html`<li>${k.platform} kicked by a login on ${k.by} at ${formatTime(k.at)}</li>`)}
            </ul>`
        : nothing
    }
  </section>`;
}
