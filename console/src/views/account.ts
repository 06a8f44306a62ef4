// An account id as every view shows it: hidden characters as visible escapes in their own
// style (account-text.ts), the whole id isolated from the text around it, and the escaped
// form in its title.
import { html } from "lit-html";
import { accountParts, escapedAccount } from "../account-text";

export const accountName = (account: string) =>
  html`<span class="acct" title=${escapedAccount(account)}
    >${accountParts(account).map((p) => (p.escaped ? html`<span class="hidden-char">${p.text}</span>` : p.text))}</span
  >`;
