// Tencent IM callback authentication: Sign = lowercase hex sha256(token + RequestTime).
import { sha256, toHex } from "../lib/digest";

export const SIGNATURE_WINDOW_SECONDS = 60;

export type SignatureCheck = "ok" | "missing" | "malformed" | "expired" | "mismatch";

/**
 * The expected digests of one app's tokens for one RequestTime. Every callback signed in the
 * same second carries the same Sign, so they are made once per second and token set, not once
 * per callback (a few seconds' worth are kept), and a second seen before is checked without
 * waiting on anything. The comparison stays constant-time.
 */
interface Expected {
  digests: readonly Uint8Array[] | null;
  readonly ready: Promise<readonly Uint8Array[]>;
}
const expected = new WeakMap<readonly string[], Map<string, Expected>>();
const KEPT_SECONDS = 4;

function expectedFor(tokens: readonly string[], requestTime: string): Expected {
  let bySecond = expected.get(tokens);
  if (bySecond === undefined) expected.set(tokens, (bySecond = new Map()));
  let entry = bySecond.get(requestTime);
  if (entry === undefined) {
    const ready = Promise.all(tokens.map((token) => sha256(token + requestTime)));
    const made: Expected = { digests: null, ready };
    // A failure reaches every caller through `ready`; this side branch only keeps the result.
    void ready.then(
      (digests) => (made.digests = digests),
      () => undefined,
    );
    bySecond.set(requestTime, (entry = made));
    // Oldest first in a Map: drop what is past the few seconds kept.
    for (const key of bySecond.keys()) {
      if (bySecond.size <= KEPT_SECONDS) break;
      bySecond.delete(key);
    }
  }
  return entry;
}

/** 64 hex digits (already checked) as the 32 bytes they spell. */
function signBytes(sign: string): Uint8Array {
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[i] = (nibble(sign.charCodeAt(2 * i)) << 4) | nibble(sign.charCodeAt(2 * i + 1));
  return bytes;
}

/** One hex digit's value: 0-9, then a-f or A-F (bit 5 set makes a letter lowercase). */
const nibble = (c: number) => (c <= 57 ? c - 48 : (c | 32) - 87);

/**
 * Verifies a callback's Sign against any of the app's tokens (several during a rotation).
 * Every token is compared, so the time taken does not reveal which one matched. The answer is
 * immediate (no promise) unless this second's digests are still being made.
 */
export function verifySignature(
  tokens: readonly string[],
  requestTime: string | null,
  sign: string | null,
  nowSeconds: number,
): SignatureCheck | Promise<SignatureCheck> {
  if (requestTime === null || sign === null) return "missing";
  if (!/^\d{1,12}$/.test(requestTime) || !/^[0-9a-fA-F]{64}$/.test(sign)) return "malformed";
  if (Math.abs(nowSeconds - Number(requestTime)) > SIGNATURE_WINDOW_SECONDS) return "expired";
  const presented = signBytes(sign);
  const entry = expectedFor(tokens, requestTime);
  if (entry.digests !== null) return compareAll(entry.digests, presented);
  return entry.ready.then((digests) => compareAll(digests, presented));
}

function compareAll(digests: readonly Uint8Array[], presented: Uint8Array): SignatureCheck {
  let matched = false;
  for (const digest of digests) {
    if (crypto.subtle.timingSafeEqual(digest, presented)) matched = true;
  }
  return matched ? "ok" : "mismatch";
}

export async function signCallback(token: string, requestTime: number): Promise<string> {
  return toHex(await sha256(`${token}${requestTime}`));
}
