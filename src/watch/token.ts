// Watch tokens: short-lived credentials a browser can put in a WebSocket URL (it cannot send
// an Authorization header there). Stateless: the Worker signs the claims and checks the
// signature, nothing is stored. See docs/WATCH.md.
//
// Key: an HMAC key derived (HKDF-SHA-256) from the API token that minted the watch token.
// Verification tries the keys of every token in API_TOKENS, so adding a token for a rotation
// keeps old watch tokens valid, and removing one revokes every watch token it minted.
import { base64ToBytes, bytesToBase64 } from "../lib/base64";
import { throughStream } from "../lib/compression";
import type { AccountId, AppId } from "../presence/types";
import { keyFingerprint } from "./credential";

export const TOKEN_PREFIX = "pw1";
/** A token must fit in a URL (16 KB on Cloudflare) with room for the rest of it. */
export const MAX_TOKEN_CHARS = 8192;
export const MAX_TTL_SECONDS = 86_400;
export const DEFAULT_TTL_SECONDS = 3_600;

export interface WatchClaims {
  readonly app: AppId;
  /** Unix milliseconds after which the token is refused. */
  readonly expiresAt: number;
  /** The accounts the token may watch; null: any account of the app. */
  readonly accounts: readonly AccountId[] | null;
  /** The token may watch the app's counts (SPEC §12): app-wide figures are not every client's business. */
  readonly counts: boolean;
}

export type TokenCheck =
  /** `key`: the fingerprint of the API token whose key verified it (src/watch/credential.ts). */
  | { readonly ok: true; readonly claims: WatchClaims; readonly key: string }
  | { readonly ok: false; readonly reason: "malformed" | "signature" | "expired"; readonly message: string };

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const keys = new Map<string, Promise<CryptoKey>>();

// Keys are cached per isolate by the API token they come from; the map never leaves memory.
function keyFor(apiToken: string): Promise<CryptoKey> {
  let key = keys.get(apiToken);
  if (key === undefined) {
    key = crypto.subtle.importKey("raw", encoder.encode(apiToken), "HKDF", false, ["deriveKey"]).then((base) =>
      crypto.subtle.deriveKey(
        {
          name: "HKDF",
          hash: "SHA-256",
          salt: encoder.encode("presence-edge"),
          info: encoder.encode("watch-token v1"),
        },
        base,
        { name: "HMAC", hash: "SHA-256", length: 256 },
        false,
        ["sign", "verify"],
      ),
    );
    keys.set(apiToken, key);
  }
  return key;
}

const toBase64Url = (bytes: Uint8Array) =>
  bytesToBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  return base64ToBytes(text.replace(/-/g, "+").replace(/_/g, "/"));
}

/** Signs `claims` with the key of `apiToken` (`counts` left out: the token may not watch the counts). */
export async function mintWatchToken(
  apiToken: string,
  claims: Omit<WatchClaims, "counts"> & { readonly counts?: boolean },
): Promise<string> {
  // `c` only when set: a token without it is byte for byte what tokens were before live counts.
  const json = JSON.stringify({
    a: claims.app,
    e: claims.expiresAt,
    s: claims.accounts,
    ...(claims.counts && { c: 1 }),
  });
  // Account lists compress well (shared prefixes), so a scoped token fits more of them in a URL.
  const payload = toBase64Url(await throughStream(encoder.encode(json), new CompressionStream("deflate-raw")));
  const signed = `${TOKEN_PREFIX}.${payload}`;
  const signature = await crypto.subtle.sign("HMAC", await keyFor(apiToken), encoder.encode(signed));
  return `${signed}.${toBase64Url(new Uint8Array(signature))}`;
}

const malformed = {
  ok: false,
  reason: "malformed",
  message: "watch token is malformed: use the token returned by POST /v1/apps/{app}/watch-tokens",
} as const;

/** Checks the signature against every configured API token, then the expiry. */
export async function verifyWatchToken(apiTokens: readonly string[], token: string, now: number): Promise<TokenCheck> {
  const parts = token.split(".");
  if (token.length > MAX_TOKEN_CHARS || parts.length !== 3 || parts[0] !== TOKEN_PREFIX) return malformed;
  const signature = fromBase64Url(parts[2]!);
  const payload = fromBase64Url(parts[1]!);
  if (signature === null || payload === null) return malformed;
  const signed = encoder.encode(`${parts[0]}.${parts[1]}`);
  let signer: string | null = null;
  // Every key is tried (no early exit), so timing does not tell which token signed.
  for (const apiToken of apiTokens) {
    if (await crypto.subtle.verify("HMAC", await keyFor(apiToken), signature, signed)) signer = apiToken;
  }
  if (signer === null) {
    return {
      ok: false,
      reason: "signature",
      message:
        "watch token signature is invalid: it was altered, or the API token that minted it was removed from API_TOKENS; mint a new one",
    };
  }
  // Only bytes this Worker signed are decompressed and parsed.
  const raw = JSON.parse(decoder.decode(await throughStream(payload, new DecompressionStream("deflate-raw")))) as {
    a: string;
    e: number;
    s: string[] | null;
    c?: 1;
  };
  const claims: WatchClaims = {
    app: raw.a as AppId,
    expiresAt: raw.e,
    accounts: raw.s as AccountId[] | null,
    counts: raw.c === 1,
  };
  if (now >= claims.expiresAt) {
    return {
      ok: false,
      reason: "expired",
      message: `watch token expired at ${new Date(claims.expiresAt).toISOString()}: mint a new one with POST /v1/apps/{app}/watch-tokens`,
    };
  }
  return { ok: true, claims, key: await keyFingerprint(signer) };
}
