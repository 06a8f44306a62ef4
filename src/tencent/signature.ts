// Tencent IM callback authentication: Sign = lowercase hex sha256(token + RequestTime).
import { fromHex, sha256, toHex } from "../lib/digest";

export const SIGNATURE_WINDOW_SECONDS = 60;

export type SignatureCheck = "ok" | "missing" | "malformed" | "expired" | "mismatch";

/**
 * Verifies a callback's Sign against any of the app's tokens (several during a rotation).
 * Every token is tried, so the time taken does not reveal which one matched.
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
  for (const token of tokens) {
    if (crypto.subtle.timingSafeEqual(await sha256(token + requestTime), presented)) matched = true;
  }
  return matched ? "ok" : "mismatch";
}

export async function signCallback(token: string, requestTime: number): Promise<string> {
  return toHex(await sha256(`${token}${requestTime}`));
}
