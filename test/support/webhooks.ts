// A mocked subscriber endpoint: every outbound fetch from the Durable Object lands here and is
// verified with the `standardwebhooks` library, exactly as a real subscriber would.
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm } from "cloudflare:test";
import { Webhook } from "standardwebhooks";
import { expect, vi } from "vitest";
import { loadConfig } from "../../src/config";
import { apiFetch, userPath } from "./api";
import { setClock } from "./clock";
import { stubFor } from "./storage";

export interface Delivery {
  readonly subscriber: string;
  readonly id: string;
  readonly body: string;
  readonly headers: Record<string, string>;
  readonly payload: { type: string; timestamp: string; data: Record<string, any> };
  readonly signal: AbortSignal | null;
}

export type Reply = (delivery: Delivery, index: number) => Response | Promise<Response>;

export const ok: Reply = () => new Response(null, { status: 204 });

const AHEAD_OF_REAL_ALARMS_MS = 7 * 86_400_000;

/**
 * Replaces fetch with a subscriber that verifies every delivery and answers with `reply`.
 * Unverifiable deliveries are recorded in `rejected` (and answered 400).
 */
export function mockSubscribers(reply: Reply = ok) {
  // workerd runs a due alarm by itself, in real time, racing the test's fireAlarm: an alarm set
  // for "now" could run before fireAlarm, which would then move the clock to the retry and run
  // that too. A webhook test therefore runs a week ahead of the real clock: every alarm its
  // objects set is in the real future, so only fireAlarm and drain ever run one. (Tests restore
  // real timers in afterEach.)
  if (!vi.isFakeTimers()) setClock(Date.now() + AHEAD_OF_REAL_ALARMS_MS);
  const received: Delivery[] = [];
  const rejected: string[] = [];
  const state = { reply };
  const secrets = new Map(loadConfig(env).subscribers.map((s) => [s.url, s]));
  const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input as RequestInfo, init as RequestInit);
    const subscriber = secrets.get(request.url);
    if (subscriber === undefined) throw new Error(`unexpected fetch to ${request.url}`);
    const body = await request.text();
    const headers = Object.fromEntries(request.headers);
    let payload: Delivery["payload"];
    try {
      payload = new Webhook(subscriber.secret).verify(body, headers) as Delivery["payload"];
    } catch (error) {
      rejected.push(String(error));
      return new Response("bad signature", { status: 400 });
    }
    const delivery = {
      subscriber: subscriber.id,
      id: headers["webhook-id"]!,
      body,
      headers,
      payload,
      signal: init?.signal ?? null,
    };
    received.push(delivery);
    return state.reply(delivery, received.length - 1);
  });
  return {
    received,
    rejected,
    spy,
    /** Changes the answer for the deliveries still to come. */
    answer(next: Reply) {
      state.reply = next;
    },
    of(subscriber: string) {
      return received.filter((d) => d.subscriber === subscriber);
    },
  };
}

/** The user's pending and dead deliveries, as the read API lists them. */
export async function deliveries(account: string): Promise<any[]> {
  const res = await apiFetch(`${userPath(account)}/deliveries`);
  expect(res.status).toBe(200);
  return (await res.json<{ deliveries: any[] }>()).deliveries;
}

/** Moves the clock to the user's alarm time (if later) and runs the alarm; true when one ran. */
export async function fireAlarm(account: string): Promise<boolean> {
  const at = await alarmAt(account);
  if (at !== null && at > Date.now()) setClock(at);
  return runDurableObjectAlarm(stubFor(account));
}

/** Runs alarms until none is due within `horizonMs` from now (retries further away stay). */
export async function drain(account: string, horizonMs = 1000, maxRuns = 20): Promise<void> {
  for (let i = 0; i < maxRuns; i++) {
    const at = await alarmAt(account);
    if (at === null || at > Date.now() + horizonMs) return;
    await fireAlarm(account);
  }
}

export async function alarmAt(account: string): Promise<number | null> {
  const { runInDurableObject } = await import("cloudflare:test");
  return runInDurableObject(stubFor(account), (_instance, state) => state.storage.getAlarm());
}

export const typesOf = (ds: readonly Delivery[]) => ds.map((d) => d.payload.type);
