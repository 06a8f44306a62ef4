// UserSig (TLS-Sig v2): the ticket that authenticates Tencent IM REST calls. One
// implementation signs (our calls to Tencent) and verifies (the compatible query endpoint and
// the local stand-in), so both sides agree by construction. Format, as Tencent's own
// libraries (tls-sig-api-v2) make it, documented in docs/TENCENT.md:
//   HMAC-SHA256(secret key as UTF-8 text, the "TLS.<field>:<value>\n" lines) → base64 →
//   JSON document → zlib (RFC 1950) → base64 with `+/=` written as `*-_`.
// The secret key never leaves this module in any form: no error or result mentions it.
import * as z from "zod/mini";
import { base64ToBytes, bytesToBase64 } from "../../lib/base64.ts";
import { throughStream } from "../../lib/compression.ts";

export type UserSigCheck = { readonly ok: true } | { readonly ok: false; errorCode: number; errorInfo: string };

/**
 * Tencent's ErrorCodes for UserSig failures, from its REST error table
 * (cloud.tencent.com/document/product/679/131708) and UserSig FAQ
 * (cloud.tencent.com/developer/techpedia/1294/6985).
 */
export const USERSIG_ERROR = {
  expired: 70001,
  unparsable: 70003,
  verificationFailed: 70009,
  identifierMismatch: 70013,
  sdkAppIdMismatch: 70014,
  keyMissing: 70016,
} as const;

/** Longer than any ticket Tencent's libraries make (≈ 200 characters for a 32-byte UserID). */
export const MAX_USERSIG_LENGTH = 2048;
/** The inflated JSON document is small; a "zip bomb" stops here. */
const MAX_INFLATED_BYTES = 4096;

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

const keys = new Map<string, Promise<CryptoKey>>();
function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (key === undefined) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
      "verify",
    ]);
    // A few apps per deployment: the map stays tiny. Bounded anyway, against misuse.
    if (keys.size >= 64) keys.clear();
    keys.set(secret, key);
  }
  return key;
}

interface TicketFields {
  readonly identifier: string;
  readonly sdkAppId: string;
  readonly time: number;
  readonly expire: number;
  readonly userBuf?: string | undefined;
}

function signedContent(t: TicketFields): Uint8Array {
  let content =
    `TLS.identifier:${t.identifier}\n` +
    `TLS.sdkappid:${t.sdkAppId}\n` +
    `TLS.time:${t.time}\n` +
    `TLS.expire:${t.expire}\n`;
  if (t.userBuf !== undefined) content += `TLS.userbuf:${t.userBuf}\n`;
  return encoder.encode(content);
}

/** A UserSig for `identifier` of app `sdkAppId`, valid from `nowSeconds` for `expireSeconds`. */
export async function signUserSig(
  key: string,
  sdkAppId: string,
  identifier: string,
  nowSeconds: number,
  expireSeconds: number,
): Promise<string> {
  const fields = { identifier, sdkAppId, time: Math.floor(nowSeconds), expire: Math.floor(expireSeconds) };
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(key), signedContent(fields));
  // Field order and types as tls-sig-api-v2 writes them: sdkappid, time and expire are numbers.
  const doc = JSON.stringify({
    "TLS.ver": "2.0",
    "TLS.identifier": identifier,
    "TLS.sdkappid": Number(sdkAppId),
    "TLS.time": fields.time,
    "TLS.expire": fields.expire,
    "TLS.sig": bytesToBase64(new Uint8Array(mac)),
  });
  const deflated = await throughStream(encoder.encode(doc), new CompressionStream("deflate"));
  return bytesToBase64(deflated).replace(/\+/g, "*").replace(/\//g, "-").replace(/=/g, "_");
}

const uint = z.number().check(z.int(), z.gte(0));
/**
 * The signed text is rebuilt from these fields, one `TLS.<field>:<value>\n` line each, so no
 * field may hold a line break: a user's UserSig for an id the user picked, such as
 * `administrator\nTLS.sdkappid:…\nTLS.expire:315360000\nTLS.userbuf:x`, would otherwise verify
 * as a ten-year admin ticket whose userbuf swallows the real lines (issue #23). Any control
 * character is refused in the identifier (Tencent's UserIDs have none), and the userbuf must be
 * the padded base64 Tencent's libraries write (`Buffer#toString("base64")`).
 */
const NO_CONTROL_CHARACTERS = /^\P{Cc}*$/u;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const ticketSchema = z.object({
  "TLS.ver": z.literal("2.0"),
  "TLS.identifier": z.string().check(z.regex(NO_CONTROL_CHARACTERS)),
  "TLS.sdkappid": uint,
  "TLS.time": uint,
  "TLS.expire": uint,
  "TLS.sig": z.string(),
  "TLS.userbuf": z.optional(z.string().check(z.regex(BASE64))),
});

export type DecodedTicket = z.infer<typeof ticketSchema>;

const fail = (errorCode: number, errorInfo: string): UserSigCheck => ({ ok: false, errorCode, errorInfo });
const UNPARSABLE = "UserSig cannot be parsed: generate it with Tencent's TLS-Sig v2 library (tls-sig-api-v2)";

/** The ticket's JSON document, or null when it is not a well-formed TLS-Sig v2 ticket. */
export async function decodeUserSig(userSig: string): Promise<DecodedTicket | null> {
  if (userSig.length === 0 || userSig.length > MAX_USERSIG_LENGTH || !/^[A-Za-z0-9*_-]+$/.test(userSig)) return null;
  const bytes = base64ToBytes(userSig.replace(/\*/g, "+").replace(/-/g, "/").replace(/_/g, "="));
  if (bytes === null) return null;
  let doc: unknown;
  try {
    const inflated = await throughStream(bytes, new DecompressionStream("deflate"), MAX_INFLATED_BYTES);
    doc = JSON.parse(decoder.decode(inflated));
  } catch {
    return null;
  }
  const parsed = ticketSchema.safeParse(doc);
  return parsed.success ? parsed.data : null;
}

/**
 * Checks a UserSig as Tencent does: well-formed (70003; also an identifier with a control
 * character or a userbuf that is not base64, which could move text between signed lines), made for this app (70014) and this
 * identifier (70013), signed with this app's key (70009, compared in constant time by
 * `crypto.subtle.verify`), not expired (70001: expired when now > time + expire).
 */
export async function verifyUserSig(
  key: string,
  userSig: string,
  expected: { readonly sdkAppId: string; readonly identifier: string },
  nowSeconds: number,
): Promise<UserSigCheck> {
  const ticket = await decodeUserSig(userSig);
  if (ticket === null) return fail(USERSIG_ERROR.unparsable, UNPARSABLE);
  if (String(ticket["TLS.sdkappid"]) !== expected.sdkAppId) {
    return fail(
      USERSIG_ERROR.sdkAppIdMismatch,
      `the UserSig was made for SDKAppID ${ticket["TLS.sdkappid"]}, not ${expected.sdkAppId}: sign it with this app's SDKAppID`,
    );
  }
  if (ticket["TLS.identifier"] !== expected.identifier) {
    return fail(
      USERSIG_ERROR.identifierMismatch,
      `the UserSig was made for identifier ${JSON.stringify(ticket["TLS.identifier"])}, not ${JSON.stringify(expected.identifier)}: sign it for the identifier in the URL`,
    );
  }
  const mac = base64ToBytes(ticket["TLS.sig"]);
  const fields: TicketFields = {
    identifier: ticket["TLS.identifier"],
    sdkAppId: expected.sdkAppId,
    time: ticket["TLS.time"],
    expire: ticket["TLS.expire"],
    userBuf: ticket["TLS.userbuf"],
  };
  const valid =
    mac !== null &&
    mac.byteLength === 32 &&
    (await crypto.subtle.verify("HMAC", await hmacKey(key), mac, signedContent(fields)));
  if (!valid) {
    return fail(
      USERSIG_ERROR.verificationFailed,
      "UserSig verification failed: sign it with this SDKAppID's secret key (another app's key or a changed ticket fails)",
    );
  }
  const expiresAt = ticket["TLS.time"] + ticket["TLS.expire"];
  if (nowSeconds > expiresAt) {
    return fail(
      USERSIG_ERROR.expired,
      `UserSig expired at ${new Date(expiresAt * 1000).toISOString()}: generate a new one (Tencent suggests a lifetime of at least 24 hours)`,
    );
  }
  return { ok: true };
}
