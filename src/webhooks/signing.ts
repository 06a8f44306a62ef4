// Standard Webhooks signing (https://www.standardwebhooks.com): HMAC-SHA256 over
// "{id}.{timestamp}.{body}" with the secret's base64 bytes, sent as "v1,<base64>".
import { base64ToBytes, bytesToBase64 } from "../lib/base64";
import { sha256, toHex } from "../lib/digest";

const encoder = new TextEncoder();
const SECRET_PREFIX = "whsec_";

const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (key === undefined) {
    const raw = base64ToBytes(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret);
    // Configuration checks the secret's form; a text atob still refuses is refused here too.
    if (raw === null) throw new Error("webhook secret is not valid base64 after whsec_");
    key = crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    keys.set(secret, key);
  }
  return key;
}

/** The `webhook-signature` header value for one message. */
export async function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): Promise<string> {
  const mac = await crypto.subtle.sign(
    "HMAC",
    await hmacKey(secret),
    encoder.encode(`${id}.${timestampSeconds}.${body}`),
  );
  return `v1,${bytesToBase64(new Uint8Array(mac))}`;
}

/** The three Standard Webhooks headers plus the content type. */
export async function webhookHeaders(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string,
): Promise<Record<string, string>> {
  return {
    "content-type": "application/json",
    "webhook-id": id,
    "webhook-timestamp": String(timestampSeconds),
    "webhook-signature": await signWebhook(secret, id, timestampSeconds, body),
  };
}

/**
 * A message id that is stable across retries and unique per user incarnation: the change's
 * receive time is part of it, so a user erased and seen again never reuses an id.
 */
export async function messageId(app: string, account: string, position: number, receivedAt: number): Promise<string> {
  const digest = await sha256(`${app}\u0000${account}\u0000${position}\u0000${receivedAt}`);
  return `msg_${toHex(digest.slice(0, 16))}`;
}
