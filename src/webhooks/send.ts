// One delivery attempt: sign, POST with a 10 s timeout, classify the answer. The only I/O in
// src/webhooks; everything it decides from the answer is data for the pure cursor.
import type { Subscriber } from "../config";
import { ATTEMPT_TIMEOUT_MS, parseRetryAfter } from "./backoff";
import type { Failure } from "./cursor";
import { webhookHeaders } from "./signing";

export type AttemptResult = { readonly ok: true } | ({ readonly ok: false } & Failure);

const MAX_ERROR_LENGTH = 200;

/**
 * Signing happens before the request and is not caught here: a failure to sign is a fault of
 * this Worker, not of the subscriber, and must not count as an attempt.
 */
export async function attemptDelivery(subscriber: Subscriber, id: string, body: string): Promise<AttemptResult> {
  const sentAt = Date.now();
  const headers = await webhookHeaders(subscriber.secret, id, Math.floor(sentAt / 1000), body);
  // Not AbortSignal.timeout(): its timer cannot be cleared, and a pending timer keeps the
  // Durable Object awake (billed, not evictable) for 10 s after every delivery.
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException(`no answer within ${ATTEMPT_TIMEOUT_MS} ms`, "TimeoutError")),
    ATTEMPT_TIMEOUT_MS,
  );
  let response: Response;
  try {
    response = await fetch(subscriber.url, {
      method: "POST",
      headers,
      body,
      // A redirect is not followed: the signed message goes to the configured URL or nowhere.
      redirect: "manual",
      signal: controller.signal,
    });
  } catch (error) {
    const name = error instanceof Error ? error.name : "";
    const message =
      name === "TimeoutError" || name === "AbortError"
        ? `timeout after ${ATTEMPT_TIMEOUT_MS / 1000} s`
        : `network error: ${error instanceof Error ? error.message : String(error)}`;
    return { ok: false, gone: false, error: message.slice(0, MAX_ERROR_LENGTH), retryAfterMs: null };
  } finally {
    clearTimeout(timer);
  }
  // The body is not read: only the status matters, and an endless body must not hold the alarm.
  await response.body?.cancel().catch(() => undefined);
  if (response.status >= 200 && response.status < 300) return { ok: true };
  return {
    ok: false,
    gone: response.status === 410,
    error: `HTTP ${response.status}`,
    retryAfterMs: parseRetryAfter(response.headers.get("retry-after"), Date.now()),
  };
}
