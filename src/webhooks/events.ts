// Effects of an applied change → Standard Webhooks event bodies. Pure: no clock, no I/O.
import type { Snapshot } from "../presence/snapshot";
import type { Effect, EffectKind } from "../presence/types";

export type WebhookEventType = EffectKind;

/**
 * Every event has a position in the user's log: (seq, index of the effect in that change).
 * Packed into one number so cursors are plain integers; a change has far fewer than 64 effects
 * (at most one kick and one status change per platform, plus the user-level change).
 */
export const EFFECTS_PER_SEQ = 64;
export const positionOf = (seq: number, index: number): number => seq * EFFECTS_PER_SEQ + index;
export const seqOfPosition = (position: number): number => Math.floor(position / EFFECTS_PER_SEQ);

/** What caused a change: a Tencent callback, or a correction from Tencent's REST answer. */
export type ChangeSource = "callback" | "reconcile";

/** One applied change as the webhook shell needs it: from the history ring or the spill table. */
export interface LogEntry {
  readonly seq: number;
  readonly eventTime: number;
  readonly receivedAt: number;
  readonly effects: readonly Effect[];
  readonly source: ChangeSource;
  /** Subscribers that wanted one of its effects when it was written. */
  readonly audience: readonly string[];
}

/** One event of the log, before it is addressed to a subscriber. */
export interface LogEvent {
  readonly position: number;
  readonly seq: number;
  readonly eventTime: number;
  readonly receivedAt: number;
  readonly effect: Effect;
  readonly source: ChangeSource;
}

export function wants(events: readonly string[] | null, type: WebhookEventType): boolean {
  return events === null || events.includes(type);
}

/** The events of `entries` a subscriber wants, in log order. */
export function eventsFor(entries: readonly LogEntry[], filter: readonly string[] | null): LogEvent[] {
  const out: LogEvent[] = [];
  for (const entry of [...entries].sort((a, b) => a.seq - b.seq)) {
    entry.effects.forEach((effect, index) => {
      if (index >= EFFECTS_PER_SEQ || !wants(filter, effect.kind)) return;
      out.push({
        position: positionOf(entry.seq, index),
        seq: entry.seq,
        eventTime: entry.eventTime,
        receivedAt: entry.receivedAt,
        effect,
        source: entry.source,
      });
    });
  }
  return out;
}

/** The event-specific part of `data` (docs/WEBHOOKS.md). */
export function eventFields(effect: Effect): Record<string, unknown> {
  switch (effect.kind) {
    case "user.status_changed":
      return { from: effect.from, to: effect.to };
    case "device.status_changed":
      return { platform: effect.platform, from: effect.from, to: effect.to, reason: effect.reason };
    case "device.kicked":
      return { platform: effect.platform, by: effect.by };
    case "user.custom_status_changed":
      return { from: effect.from, to: effect.to };
  }
}

/**
 * The event body, the one builder for webhooks and live watch. Built from stored data only
 * (the change's EventTime, the snapshot stored with it), so every retry of one delivery sends
 * the same bytes.
 */
export function eventBody(event: LogEvent, snapshot: Snapshot): string {
  return JSON.stringify({
    type: event.effect.kind,
    timestamp: new Date(event.eventTime).toISOString(),
    data: {
      app: snapshot.app,
      account: snapshot.account,
      seq: event.seq,
      source: event.source,
      ...eventFields(event.effect),
      snapshot,
    },
  });
}
