// At most RECONCILE_MAX_RPS calls to Tencent a second per app: a sliding one-second window
// over the times calls were started. Tencent's own limit (200/s by default) is app-wide and
// shared with the app's other REST calls, so the default leaves most of it to the app.
import type { EpochMs } from "../presence/types";

export const RATE_WINDOW_MS = 1000;

/** Call start times still inside the window that ends at `now`. */
export function inWindow(starts: readonly EpochMs[], now: EpochMs): EpochMs[] {
  return starts.filter((t) => t > now - RATE_WINDOW_MS && t <= now);
}

/** How many calls may start at `now`. */
export function freeSlots(starts: readonly EpochMs[], now: EpochMs, maxRps: number): number {
  return Math.max(0, maxRps - inWindow(starts, now).length);
}

/** The earliest time a call may start. */
export function nextSlotAt(starts: readonly EpochMs[], now: EpochMs, maxRps: number): EpochMs {
  const recent = inWindow(starts, now).sort((a, b) => a - b);
  if (recent.length < maxRps) return now;
  return recent[recent.length - maxRps]! + RATE_WINDOW_MS;
}
