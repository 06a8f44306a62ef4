// Tencent IM callback authentication: Sign = lowercase hex sha256(token + RequestTime).
export const SIGNATURE_WINDOW_SECONDS = 60;

export type SignatureCheck = "ok" | "missing" | "malformed" | "expired" | "mismatch";

const encoder = new TextEncoder();

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

function constantTimeEqual(a: string, b: string): boolean {
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  // timingSafeEqual needs equal lengths; comparing against itself keeps the time flat.
  if (left.byteLength !== right.byteLength) {
    crypto.subtle.timingSafeEqual(left, left);
    return false;
  }
  return crypto.subtle.timingSafeEqual(left, right);
}

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
  let matched = false;
  for (const token of tokens) {
    if (constantTimeEqual(await sha256Hex(token + requestTime), sign.toLowerCase())) matched = true;
  }
  return matched ? "ok" : "mismatch";
}

export async function signCallback(token: string, requestTime: number): Promise<string> {
  return sha256Hex(`${token}${requestTime}`);
}
