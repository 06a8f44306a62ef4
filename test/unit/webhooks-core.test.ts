// The pure half of webhooks: event mapping, signing, the retry schedule, grace and the cursor.
import fc from "fast-check";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import type { Effect } from "../../src/presence/types";
import {
  ATTEMPT_TIMEOUT_MS,
  MAX_ATTEMPTS,
  nextAttemptAt,
  parseRetryAfter,
  RETRY_DELAYS_MS,
} from "../../src/webhooks/backoff";
import {
  afterDelivered,
  afterFailed,
  pendingEvents,
  planNext,
  startCursor,
  type SubscriberCursor,
} from "../../src/webhooks/cursor";
import { eventBody, eventsFor, positionOf, type LogEntry, type LogEvent } from "../../src/webhooks/events";
import { graceVerdict } from "../../src/webhooks/grace";
import { messageId, webhookHeaders } from "../../src/webhooks/signing";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;

const userChange = (from: string, to: string): Effect => ({ kind: "user.status_changed", from, to, at: 0 }) as Effect;
const device = (to: "online" | "offline" | "disconnected"): Effect => ({
  kind: "device.status_changed",
  platform: "iOS",
  from: "unknown",
  to,
  reason: "Register",
});
const entry = (seq: number, receivedAt: number, ...effects: Effect[]): LogEntry => ({
  seq,
  eventTime: receivedAt,
  receivedAt,
  effects,
  source: "callback",
  audience: [],
});

describe("Standard Webhooks signing", () => {
  it("is verified by the standardwebhooks library; a tampered body or an old timestamp is not", async () => {
    const body = JSON.stringify({ type: "user.status_changed", timestamp: new Date(0).toISOString(), data: {} });
    const now = Math.floor(Date.now() / 1000);
    const headers = await webhookHeaders(SECRET, "msg_1", now, body);
    const wh = new Webhook(SECRET);
    expect(wh.verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => wh.verify(body.replace("user", "User"), headers)).toThrow();
    const old = await webhookHeaders(SECRET, "msg_1", now - 600, body);
    expect(() => wh.verify(body, old)).toThrow(/timestamp/i);
    expect(() => new Webhook("whsec_b3RoZXItc2VjcmV0LW90aGVyLXNlY3JldA==").verify(body, headers)).toThrow();
  });

  it("produces the library's own signature", async () => {
    const at = new Date(1_700_000_000_000);
    const headers = await webhookHeaders(SECRET, "msg_x", at.getTime() / 1000, "{}");
    expect(headers["webhook-signature"]).toBe(new Webhook(SECRET).sign("msg_x", at, "{}"));
  });

  it("message ids are stable for one event and differ across events and incarnations", async () => {
    const a = await messageId("1", "alice", positionOf(3, 0), 100);
    expect(await messageId("1", "alice", positionOf(3, 0), 100)).toBe(a);
    expect(await messageId("1", "alice", positionOf(3, 1), 100)).not.toBe(a);
    expect(await messageId("1", "alice", positionOf(3, 0), 101)).not.toBe(a);
    expect(a).toMatch(/^msg_[0-9a-f]{32}$/);
  });
});

describe("event bodies", () => {
  it("carry type, ISO timestamp, app, account, seq, source, the fields and the snapshot", () => {
    const [event] = eventsFor([entry(7, 1_700_000_000_000, device("online"))], null);
    const snapshot = { app: "1", account: "a" } as any;
    expect(JSON.parse(eventBody(event!, snapshot))).toEqual({
      type: "device.status_changed",
      timestamp: "2023-11-14T22:13:20.000Z",
      data: {
        app: "1",
        account: "a",
        seq: 7,
        source: "callback",
        platform: "iOS",
        from: "unknown",
        to: "online",
        reason: "Register",
        snapshot,
      },
    });
  });

  it("a subscriber's filter keeps only the types it asked for", () => {
    const log = [entry(1, 0, device("online"), userChange("unknown", "online"))];
    expect(eventsFor(log, ["user.status_changed"]).map((e) => e.effect.kind)).toEqual(["user.status_changed"]);
    expect(eventsFor(log, null)).toHaveLength(2);
  });
});

describe("retry schedule", () => {
  it("is at least immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, with jitter only lengthening", () => {
    expect(MAX_ATTEMPTS).toBe(8);
    expect(ATTEMPT_TIMEOUT_MS).toBe(10_000);
    expect(RETRY_DELAYS_MS).toEqual([5 * S, 5 * MIN, 30 * MIN, 2 * H, 5 * H, 10 * H, 10 * H]);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }), fc.double({ min: 0, max: 1, noNaN: true }), (attempt, jitter) => {
        const delay = nextAttemptAt(attempt, 0, jitter)!;
        const base = RETRY_DELAYS_MS[attempt - 1]!;
        return delay >= base && delay <= base * 1.1 + 1;
      }),
    );
    expect(nextAttemptAt(8, 0, 0.5)).toBeNull();
  });

  it("waits exactly the documented delay after each failed attempt when there is no jitter", () => {
    // docs/WEBHOOKS.md: immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h; written out
    // here rather than read from RETRY_DELAYS_MS, so a wrong entry there fails this test.
    const documented = [5 * S, 5 * MIN, 30 * MIN, 2 * H, 5 * H, 10 * H, 10 * H];
    const now = 1_700_000_000_000;
    documented.forEach((delay, i) => expect(nextAttemptAt(i + 1, now, 0), `after attempt ${i + 1}`).toBe(now + delay));
    documented.forEach((delay, i) => expect(nextAttemptAt(i + 1, now, 1)).toBe(now + Math.round(delay * 1.1)));
    expect(nextAttemptAt(documented.length + 1, now, 0)).toBeNull();
  });

  it("honours Retry-After as a lower bound, in seconds or as a date", () => {
    expect(nextAttemptAt(1, 0, 0, 120 * S)).toBe(120 * S);
    expect(nextAttemptAt(3, 0, 0, 1 * S)).toBe(30 * MIN);
    expect(parseRetryAfter("120", 0)).toBe(120 * S);
    expect(parseRetryAfter(new Date(90 * S).toUTCString(), 0)).toBe(90 * S);
    expect(parseRetryAfter("soon", 0)).toBeNull();
    expect(parseRetryAfter(null, 0)).toBeNull();
  });
});

describe("grace period", () => {
  const G = 60 * S;
  const [drop, back] = eventsFor(
    [entry(1, 0, userChange("online", "offline")), entry(2, 30 * S, userChange("offline", "online"))],
    null,
  );
  it("holds a drop from online until the deadline", () => {
    expect(graceVerdict(drop!, [], 10 * S, G)).toEqual({ kind: "held", until: G });
    expect(graceVerdict(drop!, [], G, G)).toEqual({ kind: "due" });
  });
  it("suppresses the drop and the return when the user is back within the window", () => {
    expect(graceVerdict(drop!, [back!], 31 * S, G)).toEqual({ kind: "suppressed", through: back!.position });
    const late = { ...back!, receivedAt: G };
    expect(graceVerdict(drop!, [late], G, G)).toEqual({ kind: "due" });
  });
  it("never holds anything else, nor anything when the grace is 0", () => {
    expect(graceVerdict(back!, [], 0, G)).toEqual({ kind: "due" });
    expect(graceVerdict(drop!, [], 0, 0)).toEqual({ kind: "due" });
  });
});

describe("cursor", () => {
  const log = [
    entry(1, 0, device("online"), userChange("unknown", "online")),
    entry(2, 1, device("offline"), userChange("online", "offline")),
    entry(3, 2, device("online"), userChange("offline", "online")),
  ];
  const events = eventsFor(log, null);
  const fail = { gone: false, error: "HTTP 500", retryAfterMs: null };

  /** Sends whatever is due at `now` with `outcome`, returns the positions sent in order. */
  function runUntilBlocked(cursor: SubscriberCursor, now: number, graceMs: number, outcome: (e: LogEvent) => boolean) {
    const sent: number[] = [];
    for (let i = 0; i < 100; i++) {
      const step = planNext(cursor, events, now, graceMs);
      if (step.kind === "suppress") cursor = step.cursor;
      else if (step.kind === "send") {
        sent.push(step.event.position);
        cursor = outcome(step.event)
          ? afterDelivered(cursor, step.event)
          : afterFailed(cursor, step.event, step.attempt, now, fail, 0).cursor;
      } else return { cursor, sent, step };
    }
    throw new Error("no progress");
  }

  it("sends everything in position order", () => {
    const { sent, step } = runUntilBlocked(startCursor(positionOf(1, 0)), 0, 0, () => true);
    expect(sent).toEqual(events.map((e) => e.position));
    expect(step.kind).toBe("idle");
  });

  it("a failing event holds every later one until it is delivered", () => {
    const first = runUntilBlocked(startCursor(positionOf(1, 0)), 0, 0, (e) => e.seq !== 2);
    expect(first.sent).toEqual([positionOf(1, 0), positionOf(1, 1), positionOf(2, 0)]);
    expect(first.step).toEqual({ kind: "wait", until: 5 * S });
    const second = runUntilBlocked(first.cursor, 5 * S, 0, () => true);
    expect(second.sent).toEqual([positionOf(2, 0), positionOf(2, 1), positionOf(3, 0), positionOf(3, 1)]);
  });

  it("dead-letters after the last attempt and then releases the queue", () => {
    let cursor = startCursor(positionOf(2, 0));
    const [e] = events.filter((x) => x.seq === 2);
    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
      const r = afterFailed(cursor, e!, attempt, 0, fail, 0);
      expect(r.dead).toBeNull();
      cursor = r.cursor;
    }
    const last = afterFailed(cursor, e!, MAX_ATTEMPTS, 0, fail, 0);
    expect(last.dead).toMatchObject({ attempts: MAX_ATTEMPTS, lastError: "HTTP 500" });
    expect(last.cursor.retries).toEqual({});
    expect(planNext(last.cursor, events, 0, 0)).toMatchObject({ kind: "send", event: { position: positionOf(2, 1) } });
  });

  it("410 stops the delivery at once", () => {
    const [e] = events;
    const r = afterFailed(startCursor(0), e!, 1, 0, { gone: true, error: "HTTP 410", retryAfterMs: null }, 0);
    expect(r.dead).toMatchObject({ attempts: 1, lastError: "HTTP 410" });
  });

  it("a held drop does not hold device events, and is suppressed by a return within the grace", () => {
    const G = 60 * S;
    const { sent } = runUntilBlocked(startCursor(positionOf(1, 0)), 10, G, () => true);
    // seq 2's drop and seq 3's return cancel out; every device event goes.
    expect(sent).toEqual([positionOf(1, 0), positionOf(1, 1), positionOf(2, 0), positionOf(3, 0)]);
  });

  it("a held drop without return waits for its deadline, then goes before later user events", () => {
    const G = 60 * S;
    const onlyDrop = eventsFor(log.slice(0, 2), null);
    let cursor = startCursor(positionOf(1, 0));
    const sent: number[] = [];
    for (let i = 0; i < 10; i++) {
      const step = planNext(cursor, onlyDrop, 10, G);
      if (step.kind !== "send") {
        expect(step).toEqual({ kind: "wait", until: 1 + G });
        break;
      }
      sent.push(step.event.position);
      cursor = afterDelivered(cursor, step.event);
    }
    expect(sent).toEqual([positionOf(1, 0), positionOf(1, 1), positionOf(2, 0)]);
    expect(pendingEvents(cursor, onlyDrop, 10, G)).toMatchObject([{ nextAttemptAt: 1 + G, attempts: 0 }]);
    expect(planNext(cursor, onlyDrop, 1 + G, G)).toMatchObject({ kind: "send", event: { position: positionOf(2, 1) } });
  });

  it("property: with every attempt succeeding, each event is sent exactly once and in order (no grace)", () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: MAX_ATTEMPTS - 1 }), (pattern) => {
        const outcomes = [...pattern];
        let cursor = startCursor(positionOf(1, 0));
        let now = 0;
        const delivered: number[] = [];
        for (let i = 0; i < 500; i++) {
          const step = planNext(cursor, events, now, 0);
          if (step.kind === "idle") break;
          if (step.kind === "wait") {
            now = step.until;
            continue;
          }
          if (step.kind !== "send") continue;
          const okNow = outcomes.shift() ?? true;
          if (okNow) {
            delivered.push(step.event.position);
            cursor = afterDelivered(cursor, step.event);
          } else cursor = afterFailed(cursor, step.event, step.attempt, now, fail, 0.5).cursor;
        }
        expect(delivered).toEqual(events.map((e) => e.position));
      }),
    );
  });
});
