// Builds State.StateChange callbacks the way Tencent IM sends them, signed or not.
import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import type { PresenceEvent } from "../../src/presence/types";
import { signCallback } from "../../src/tencent/signature";
import { OTHER_CALLBACK_TOKEN, ROTATED_API_TOKEN, TEST_API_TOKEN, TEST_APP, TEST_CALLBACK_TOKEN } from "./bindings";

export interface CallbackOptions {
  app?: string;
  token?: string | null;
  requestTime?: number;
  optPlatform?: string;
  /** null leaves ClientIP out of the query. */
  clientIp?: string | null;
  command?: string;
  method?: string;
  query?: Record<string, string>;
}

export interface StateChangeFields {
  account: string;
  action: string;
  reason?: string;
  eventTime?: number;
  kicked?: string[];
  customStatus?: string;
}

export function stateChangeBody(f: StateChangeFields): Record<string, unknown> {
  const info: Record<string, unknown> = {
    Action: f.action,
    To_Account: f.account,
    Reason: f.reason ?? defaultReason(f.action),
  };
  if (f.customStatus !== undefined) info.CustomStatus = f.customStatus;
  const body: Record<string, unknown> = { CallbackCommand: "State.StateChange", Info: info };
  if (f.eventTime !== undefined) body.EventTime = f.eventTime;
  if (f.kicked !== undefined) body.KickedDevice = f.kicked.map((Platform) => ({ Platform }));
  return body;
}

function defaultReason(action: string): string {
  return (
    { Login: "Register", Logout: "Unregister", Disconnect: "LinkClose", CustomStatusChange: "SetCustomStatus" }[
      action
    ] ?? ""
  );
}

export async function callbackUrl(o: CallbackOptions = {}): Promise<string> {
  const params = new URLSearchParams({
    SdkAppid: o.app ?? TEST_APP,
    CallbackCommand: o.command ?? "State.StateChange",
    contenttype: "json",
    ClientIP: o.clientIp ?? "203.0.113.7",
    OptPlatform: o.optPlatform ?? "IOS",
  });
  if (o.clientIp === null) params.delete("ClientIP");
  const token = o.token === undefined ? TEST_CALLBACK_TOKEN : o.token;
  if (token !== null) {
    const requestTime = o.requestTime ?? Math.floor(Date.now() / 1000);
    params.set("RequestTime", String(requestTime));
    params.set("Sign", await signCallback(token, requestTime));
  }
  for (const [k, v] of Object.entries(o.query ?? {})) params.set(k, v);
  return `https://presence.test/callback?${params}`;
}

/** The signed request for a raw body (string) or a JSON value, to send later. */
export async function callbackRequest(body: unknown, o: CallbackOptions = {}): Promise<Request> {
  return new Request(await callbackUrl(o), {
    method: o.method ?? "POST",
    headers: { "content-type": "application/json" },
    body: o.method === "GET" || o.method === "HEAD" ? null : typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** Sends a raw body (string) or a JSON value to /callback through the Worker's fetch handler. */
export async function postCallback(body: unknown, o: CallbackOptions = {}): Promise<Response> {
  return exports.default.fetch(await callbackRequest(body, o));
}

/** The callback Tencent would send for a domain event (its platform spelled as OptPlatform). */
export function callbackForEvent(account: string, e: PresenceEvent, o: CallbackOptions = {}): Promise<Request> {
  const fields: StateChangeFields = { account, action: e.action, reason: e.reason, eventTime: e.eventTime };
  if (e.action === "CustomStatusChange") fields.customStatus = e.customStatus ?? "";
  if (e.action === "Login") fields.kicked = [...e.kicked];
  return callbackRequest(stateChangeBody(fields), {
    optPlatform: e.platform === "iOS" ? "IOS" : e.platform,
    clientIp: e.clientIp,
    ...o,
  });
}

export async function sendStateChange(fields: StateChangeFields, o: CallbackOptions = {}): Promise<Response> {
  return postCallback(stateChangeBody(fields), o);
}

const SECRETS = [TEST_CALLBACK_TOKEN, OTHER_CALLBACK_TOKEN, TEST_API_TOKEN, ROTATED_API_TOKEN];

/** Checks Tencent's reply envelope for `status`, and that no secret is echoed; returns the body. */
export async function expectTencentReply(res: Response, status: number): Promise<Record<string, unknown>> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  const body = JSON.parse(text) as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(["ActionStatus", "ErrorCode", "ErrorInfo"]);
  expect(typeof body.ErrorInfo).toBe("string");
  for (const secret of SECRETS) expect(text).not.toContain(secret);
  if (status === 200) expect(body).toMatchObject({ ActionStatus: "OK", ErrorCode: 0 });
  else expect(body).toMatchObject({ ActionStatus: "FAIL", ErrorCode: 1 });
  return body;
}
