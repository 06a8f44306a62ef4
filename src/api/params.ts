import type { Config } from "../config";
import { ACCOUNT_RULE, validAccount } from "../presence/account";
import type { AccountId, AppId } from "../presence/types";
import { apiError } from "./responses";

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly response: Response };

export function parseApp(raw: string | undefined, config: Config): Parsed<AppId> {
  const app = (raw ?? "") as AppId;
  if (!config.appIds.has(app)) return { ok: false, response: apiError(404, "not_found", "app is not configured") };
  return { ok: true, value: app };
}

/** Account ids may hold any character, so the path carries them URL-encoded. */
export function parseAccount(raw: string | undefined): Parsed<AccountId> {
  let account: string;
  try {
    account = decodeURIComponent(raw ?? "");
  } catch {
    return { ok: false, response: apiError(400, "bad_request", "account: not valid URL encoding") };
  }
  if (!validAccount(account)) {
    return { ok: false, response: apiError(400, "bad_request", `account: ${ACCOUNT_RULE}`) };
  }
  return { ok: true, value: account as AccountId };
}
