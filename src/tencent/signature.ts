// Tencent IM callback authentication: Sign = lowercase hex sha256(token + RequestTime).
import { fromHex, sha256, toHex } from "../lib/digest";

export const SIGNATURE_WINDOW_SECONDS = 60;

export type SignatureCheck = "ok" | "missing" | "malformed" | "expired" | "mismatch";

/**
 * The expected digests of one app's tokens for one RequestTime. Every callback signed in the
 * same second carries the same Sign, so the digests are made once per second and token set,
 * not once per callback (a few seconds' worth are kept). The comparison stays constant-time.
 */
const expected = new WeakMap<readonly string[], Map<string, Promise<Uint8Array[]>>>();
const KEPT_SECONDS = 4;

function digestsFor(tokens: readonly string[], requestTime: string): Promise<Uint8Array[]> {
  let bySecond = expected.get(tokens);
  if (bySecond === undefined) expected.set(tokens, (bySecond = new Map()));
  let digests = bySecond.get(requestTime);
  if (digests === undefined) {
    digests = Promise.all(tokens.map((token) => sha256(token + requestTime)));
    bySecond.set(requestTime, digests);
    // Oldest first in a Map: drop what is past the few seconds kept.
    for (const key of bySecond.keys()) {
      if (bySecond.size <= KEPT_SECONDS) break;
      bySecond.delete(key);
    }
  }
  return digests;
}

/**
 * Verifies a callback's Sign against any of the app's tokens (several during a rotation).
 * Every token is compared, so the time taken does not reveal which one matched.
 */
export async function verifySignature(
  tokens: readonly string[],
  requestTime: string | null,
  sign: string | null,
  nowSeconds: number,
): Promise<SignatureCheck> {
  if (requestTime === null || sign === null) return "missing";
  if (!/^\d{1,12}$/.test(requestTime) || !/^[0-9a-fA-F]{64}$/.test(sign)) return "malformed";
  if (Math.abs(nowSeconds - Number(requestTime)) > SIGNATURE_WINDOW_SECONDS) return "expired";
  // Digests are compared as bytes: both are 32 long, so timingSafeEqual applies directly.
  const presented = fromHex(sign);
  let matched = false;
  for (const digest of await digestsFor(tokens, requestTime)) {
    if (crypto.subtle.timingSafeEqual(digest, presented)) matched = true;
  }
  return matched ? "ok" : "mismatch";
}

export async function signCallback(token: string, requestTime: number): Promise<string> {
  return toHex(await sha256(`${token}${requestTime}`));
}
