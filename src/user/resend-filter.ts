// Tencent may send one signed request twice (a retry by a proxy, a replay). Without an
// EventTime the body cannot tell the copies apart, so the request itself is the key: the same
// RequestTime, Sign and body bytes within the signature window is a duplicate (docs/DESIGN.md).
// The key is stored in the callback's own history row (no extra row); this keeps the recent
// ones in memory, read back once after the object was evicted.
import { recentRequestKeys } from "./history-store";
import type { Sql } from "../lib/sql";

/**
 * A signed request is accepted while its RequestTime is within 60 s of the clock, so two
 * copies of one request arrive at most 120 s apart; a little more covers clock steps.
 */
export const RESEND_WINDOW_MS = 130_000;

export class ResendFilter {
  /** Key → receive time; null until read from storage. */
  private keys: Map<string, number> | null = null;

  constructor(private readonly sql: Sql) {}

  /** True when this request was already received within the window. */
  seen(key: string, now: number, stored: boolean): boolean {
    if (this.keys === null) this.keys = stored ? recentRequestKeys(this.sql, now - RESEND_WINDOW_MS) : new Map();
    for (const [k, at] of this.keys) if (at < now - RESEND_WINDOW_MS) this.keys.delete(k);
    return this.keys.has(key);
  }

  /** After the request's row is committed. */
  remember(key: string, at: number): void {
    this.keys?.set(key, at);
  }

  forget(): void {
    this.keys = null;
  }
}
