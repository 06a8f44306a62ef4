// When a user's own alarm should ask Tencent about it (staleness). Pure: time comes in.
//
// A user who is online or disconnected and sent no callback for the interval may be a ghost
// (its Logout lost); it is verified then, and again every interval while it stays so. An
// offline or never-seen user is never verified: it costs nothing.
import type { EpochMs, UserStatus } from "../presence/types";

export interface Staleness {
  readonly status: UserStatus;
  /** Receive time of the newest callback of any outcome; null if none is known. */
  readonly lastCallbackAt: EpochMs | null;
  /** When this user last asked to be verified (held in memory; null after an eviction). */
  readonly lastCheckAt: EpochMs | null;
  /** RECONCILE_AFTER_SECONDS in ms; null when staleness checks are off. */
  readonly afterMs: number | null;
}

/** The time this user is next due for verification, or null when it never is. */
export function nextCheckAt(s: Staleness): EpochMs | null {
  if (s.afterMs === null) return null;
  if (s.status !== "online" && s.status !== "disconnected") return null;
  const last = Math.max(s.lastCallbackAt ?? 0, s.lastCheckAt ?? 0);
  return last + s.afterMs;
}

export function isDue(s: Staleness, now: EpochMs): boolean {
  const at = nextCheckAt(s);
  return at !== null && at <= now;
}
