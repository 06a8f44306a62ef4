// Kick (SPEC §13) on the user page: a button, a confirmation that names the account (a modal
// <dialog>: labelled by its heading, focus starts on Cancel, Escape cancels), then
// POST …/users/{account}/kick; the result, or Tencent's error with its code, and the user as
// Tencent sees it after. Offered only for an app with reconciliation: the kick needs the
// app's secret key, which the configuration summary says is set.
import { html, nothing } from "lit-html";
import { escapedAccount } from "../account-text";
import { ApiError, userPath } from "../api";
import { errorText, rerender, state } from "../store";
import type { KickAnswer } from "../types";
import { accountName } from "./account";

const DIALOG_ID = "kick-dialog";

/** Whether the shown app can kick: its secret key is set (`reconcile` in GET /v1/config). */
export const canKick = (): boolean => state.config?.apps.find((a) => a.app === state.app)?.reconcile === true;

function openConfirmation(): void {
  const dialog = document.getElementById(DIALOG_ID) as HTMLDialogElement | null;
  if (!dialog) return;
  // Escape closes without a value, leaving the last one: a kick confirmed before must not count.
  dialog.returnValue = "";
  dialog.showModal();
}

/** Closes the dialog its button is in, saying which button closed it. */
const closeWith = (value: string) => (event: Event) =>
  (event.currentTarget as HTMLElement).closest("dialog")?.close(value);

function resultText(account: string, answer: KickAnswer): string {
  const who = escapedAccount(account);
  if (!answer.verified) return `Kicked ${who}, not verified yet: ${answer.message ?? "no answer from Tencent's query"}`;
  const status = answer.snapshot?.status ?? "unknown";
  return `Kicked ${who}: Tencent says ${status} now${answer.corrected ? " (corrected here)" : ""}.`;
}

function failureText(error: unknown): string {
  if (error instanceof ApiError && error.code === "tencent_error") {
    const code = error.errorCode === null ? "no ErrorCode" : `ErrorCode ${error.errorCode}`;
    return `Kick failed (Tencent, ${code}): ${error.message}`;
  }
  return `Kick failed: ${errorText(error)}`;
}

async function kick(account: string, reload: () => Promise<void>): Promise<void> {
  const { api, app } = state;
  if (!api || !app || state.user.account !== account) return;
  state.user.kick = { busy: true, error: null };
  rerender();
  try {
    const answer = await api.post<KickAnswer>(`${userPath(app, account)}/kick`);
    if (state.user.account !== account) return;
    if (answer.snapshot) state.user.snapshot = answer.snapshot;
    state.user.kick = { busy: false, error: null, note: resultText(account, answer) };
    await reload();
  } catch (error) {
    if (state.user.account === account) state.user.kick = { busy: false, error: failureText(error) };
  }
  rerender();
}

/** The Kick button, for the user page's row of actions. */
export const kickButton = () =>
  canKick()
    ? html`<button type="button" class="danger" ?disabled=${state.user.kick.busy} @click=${openConfirmation}>
        Kick
      </button>`
    : nothing;

/** The kick's status line and its confirmation dialog (closed until the button opens it). */
export function kickPanel(account: string, reload: () => Promise<void>) {
  if (!canKick()) return nothing;
  const k = state.user.kick;
  const confirmed = (event: Event) => {
    if ((event.target as HTMLDialogElement).returnValue === "kick") void kick(account, reload);
  };
  return html`<div class="kick">
    <p role="status" id="kick-status" class=${k.error ? "error" : "note"}>
      ${k.busy ? "Kicking through Tencent…" : (k.error ?? k.note ?? "")}
    </p>
    <dialog
      id=${DIALOG_ID}
      class="confirm"
      aria-labelledby="kick-dialog-h"
      aria-describedby="kick-dialog-d"
      @close=${confirmed}
    >
      <h2 id="kick-dialog-h">Kick ${accountName(account)} out of Tencent IM?</h2>
      <p id="kick-dialog-d">
        Tencent logs this account out on every device: its login ticket (UserSig) stops working and it must log in again
        with a new one. A kick cannot be undone.
      </p>
      <p class="actions">
        <button type="button" autofocus @click=${closeWith("cancel")}>Cancel</button>
        <button type="button" class="danger" @click=${closeWith("kick")}>Kick ${accountName(account)}</button>
      </p>
    </dialog>
  </div>`;
}
