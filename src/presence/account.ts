// The account rule: what a Tencent UserID (`To_Account`) may be, wherever one arrives
// (a callback, a read API path, a batch, a watch subscription).
import type { AccountId } from "./types";

export const MAX_ACCOUNT_BYTES = 128;
export const ACCOUNT_RULE = `must be 1 to ${MAX_ACCOUNT_BYTES} bytes of UTF-8`;

const encoder = new TextEncoder();

// A lone surrogate (`"\ud800"` in JSON) is not UTF-8: no Tencent UserID holds one, and
// storage would write it as U+FFFD, so what was stored would differ from what was sent.
export function validAccount(s: string): s is AccountId {
  return s.length > 0 && s.isWellFormed() && encoder.encode(s).byteLength <= MAX_ACCOUNT_BYTES;
}
