// OFFLINE_GRACE_SECONDS: a user-level drop from online is held; if the user is online again
// within the window, neither the drop nor the return (nor any user-level change between them)
// is sent. Decided from the log alone (receive times), so every subscriber and every retry of
// the decision reaches the same verdict.
import type { LogEvent } from "./events";

export type GraceVerdict =
  | { readonly kind: "due" }
  | { readonly kind: "held"; readonly until: number }
  /** The drop and every user-level change up to and including the return at `through`. */
  | { readonly kind: "suppressed"; readonly through: number };

export function isDropFromOnline(event: LogEvent): boolean {
  return event.effect.kind === "user.status_changed" && event.effect.from === "online";
}

/**
 * @param event a user.status_changed event at the head of its queue
 * @param laterUserEvents the user.status_changed events after it, in log order
 */
export function graceVerdict(
  event: LogEvent,
  laterUserEvents: readonly LogEvent[],
  now: number,
  graceMs: number,
): GraceVerdict {
  if (graceMs <= 0 || !isDropFromOnline(event)) return { kind: "due" };
  const deadline = event.receivedAt + graceMs;
  const back = laterUserEvents.find((e) => e.effect.kind === "user.status_changed" && e.effect.to === "online");
  if (back !== undefined && back.receivedAt < deadline) return { kind: "suppressed", through: back.position };
  if (now < deadline) return { kind: "held", until: deadline };
  return { kind: "due" };
}
