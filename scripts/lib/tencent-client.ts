// A small client for presence-edge, shared by the simulator (scripts/simulate.ts) and the
// benchmark (bench/run.ts): it builds State.StateChange callbacks exactly as Tencent Cloud IM
// sends them (query string, signature, JSON body) and reads presence back from the API.
//
// Runs on Node 24 with type stripping: no enums, no parameter properties, `.ts` imports.

import { createHash } from "node:crypto";

/** Every request gives up after this long: a Worker that hangs is reported, not waited on. */
export const REQUEST_TIMEOUT_MS = 10_000;

export type Action = "Login" | "Logout" | "Disconnect" | "CustomStatusChange";
export type Reason = "Register" | "Unregister" | "LinkClose" | "TimeOut" | "SetCustomStatus";

/** The reason Tencent sends with each action (Disconnect also has TimeOut). */
export const DEFAULT_REASON: Record<Action, Reason> = {
  Login: "Register",
  Logout: "Unregister",
  Disconnect: "LinkClose",
  CustomStatusChange: "SetCustomStatus",
};

export interface StateEvent {
  account: string;
  action: Action;
  /** Defaults to DEFAULT_REASON[action]. Any string is allowed (the spec accepts unknown reasons). */
  reason?: string;
  /** OptPlatform as Tencent spells it: IOS, Android, Web, Windows, Mac, iPad, RESTAPI, Unknown. */
  platform: string;
  /** Milliseconds. Omitted from the body when null (old payloads lack it). */
  eventTime: number | null;
  clientIp?: string;
  /** Only meaningful on Login: platforms this login kicked offline. */
  kicked?: string[];
  /** Only for CustomStatusChange; "" clears. */
  customStatus?: string;
}

/** The Worker as a failure names it when nothing answers (scripts/lib/cli.ts `reaching`). */
export const theWorker = (url: string) => ({
  what: "the Worker",
  url,
  fix: "start it with `npm start`, or give its --url",
});

export interface CallbackTarget {
  /** Base URL of the Worker, e.g. http://127.0.0.1:8787 */
  url: string;
  app: string;
  /** Callback token; null sends an unsigned callback. */
  token: string | null;
}

/** Lowercase hex sha256(token + requestTime), Tencent's callback signature. */
export function sign(token: string, requestTime: number | string): string {
  return createHash("sha256").update(`${token}${requestTime}`).digest("hex");
}

/** Path and query of a callback (without the origin), signed at `requestTime` (Unix seconds). */
export function callbackPath(
  target: Pick<CallbackTarget, "app" | "token">,
  event: Pick<StateEvent, "platform" | "clientIp">,
  requestTime: number = Math.floor(Date.now() / 1000),
): string {
  const q = new URLSearchParams({
    SdkAppid: target.app,
    CallbackCommand: "State.StateChange",
    contenttype: "json",
    ClientIP: event.clientIp ?? "127.0.0.1",
    OptPlatform: event.platform,
  });
  if (target.token !== null) {
    q.set("RequestTime", String(requestTime));
    q.set("Sign", sign(target.token, requestTime));
  }
  return `/callback?${q.toString()}`;
}

/** The JSON body Tencent sends for a State.StateChange callback. */
export function callbackBody(event: StateEvent): string {
  const info: Record<string, unknown> = {
    Action: event.action,
    To_Account: event.account,
    Reason: event.reason ?? DEFAULT_REASON[event.action],
  };
  if (event.action === "CustomStatusChange") info.CustomStatus = event.customStatus ?? "";
  const body: Record<string, unknown> = { CallbackCommand: "State.StateChange" };
  if (event.eventTime !== null) body.EventTime = event.eventTime;
  body.Info = info;
  if (event.action === "Login" && event.kicked && event.kicked.length > 0) {
    body.KickedDevice = event.kicked.map((Platform) => ({ Platform }));
  }
  return JSON.stringify(body);
}

export interface CallbackResult {
  status: number;
  body: string;
  ms: number;
  /** Storage-row counters, when the Worker exposes them (x-storage-rows-read / -written). */
  rowsRead: number | null;
  rowsWritten: number | null;
  /** applied | duplicate | stale, when the Worker exposes it (x-presence-outcome). */
  outcome: string | null;
}

function numberHeader(headers: Headers, name: string): number | null {
  const v = headers.get(name);
  if (v === null || v === "") return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** Sends one callback exactly as Tencent would. Signing uses the current clock. */
export async function sendCallback(target: CallbackTarget, event: StateEvent): Promise<CallbackResult> {
  const started = performance.now();
  const res = await fetch(new URL(callbackPath(target, event), target.url), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: callbackBody(event),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const body = await res.text();
  return {
    status: res.status,
    body,
    ms: performance.now() - started,
    rowsRead: numberHeader(res.headers, "x-storage-rows-read"),
    rowsWritten: numberHeader(res.headers, "x-storage-rows-written"),
    outcome: res.headers.get("x-presence-outcome"),
  };
}

export interface ApiTarget {
  url: string;
  app: string;
  apiToken: string;
}

async function api(
  target: ApiTarget,
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(new URL(path, target.url), {
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    ...init,
    headers: { authorization: `Bearer ${target.apiToken}`, "content-type": "application/json", ...init.headers },
  });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON (e.g. a stub Worker): keep the text
  }
  return { status: res.status, json };
}

const appPath = (t: ApiTarget) => `/v1/apps/${encodeURIComponent(t.app)}`;

export function getUser(target: ApiTarget, account: string) {
  return api(target, `${appPath(target)}/users/${encodeURIComponent(account)}`);
}

export function queryPresence(target: ApiTarget, accounts: string[]) {
  return api(target, `${appPath(target)}/presence/query`, { method: "POST", body: JSON.stringify({ accounts }) });
}

export function getEvents(target: ApiTarget, account: string, limit = 50) {
  return api(target, `${appPath(target)}/users/${encodeURIComponent(account)}/events?limit=${limit}`);
}

export function deleteUser(target: ApiTarget, account: string) {
  return api(target, `${appPath(target)}/users/${encodeURIComponent(account)}`, { method: "DELETE" });
}

/** GET /v1/apps/{app}/online: how many users are online and disconnected (SPEC §12). */
export function getOnline(target: ApiTarget) {
  return api(target, `${appPath(target)}/online`);
}

/** One page of GET /v1/apps/{app}/online/users (status online, disconnected or any). */
export function getOnlineUsers(target: ApiTarget, status: string, limit: number, cursor: string | null = null) {
  const query = new URLSearchParams({ status, limit: String(limit) });
  if (cursor !== null) query.set("cursor", cursor);
  return api(target, `${appPath(target)}/online/users?${query.toString()}`);
}
