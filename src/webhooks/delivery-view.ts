// The read API's view of one user's webhook deliveries: pending (live and requeued) and dead.
// Reads only.
import type { Config } from "../config";
import { pendingEvents, startCursor } from "./cursor";
import { eventsFor } from "./events";
import { messageId } from "./signing";
import { firstWanted, neededFrom, type User } from "./delivery-run";
import { listDeadLetters, readLog, type Cursors } from "./outbound-store";
import type { Sql } from "../lib/sql";

export interface DeliveryView {
  readonly id: string;
  readonly subscriber: string;
  readonly type: string;
  readonly seq: number;
  readonly state: "pending" | "dead";
  readonly attempts: number;
  readonly nextAttemptAt: number | null;
  readonly lastError: string | null;
}

export async function listDeliveries(
  sql: Sql,
  config: Config,
  user: User,
  committed: Cursors | null,
  now: number,
): Promise<DeliveryView[]> {
  const out: DeliveryView[] = [];
  const subscribers = config.subscribers;
  if (subscribers.length > 0) {
    // A subscriber with no cursor yet (no delivery run since) starts where the run would start it.
    const cursorless = subscribers.some((s) => committed?.[s.id] === undefined);
    const stored = readLog(sql, cursorless ? 0 : (neededFrom(committed, subscribers) ?? user.seq + 1));
    for (const subscriber of subscribers) {
      const start = firstWanted(stored.entries, subscriber.id);
      const cursor = committed?.[subscriber.id] ?? (start === null ? null : startCursor(start));
      if (cursor === null) continue;
      const events = eventsFor(stored.entries, subscriber.events);
      for (const p of pendingEvents(cursor, events, now, config.offlineGraceMs)) {
        out.push({
          id: await messageId(user.app, user.account, p.event.position, p.event.receivedAt),
          subscriber: subscriber.id,
          type: p.event.effect.kind,
          seq: p.event.seq,
          state: "pending",
          attempts: p.attempts,
          nextAttemptAt: p.nextAttemptAt,
          lastError: p.lastError,
        });
      }
    }
  }
  for (const d of listDeadLetters(sql)) {
    out.push({
      id: d.id,
      subscriber: d.subscriber,
      type: d.type,
      seq: d.seq,
      state: d.state === "dead" ? "dead" : "pending",
      attempts: d.attempts,
      nextAttemptAt: d.state === "dead" ? null : d.nextAt,
      lastError: d.lastError,
    });
  }
  return out.sort((a, b) => a.seq - b.seq || a.subscriber.localeCompare(b.subscriber));
}
