// Who opened a watching connection, without keeping any secret:
// - the key: a fingerprint of the API token that authorised it (the bearer token itself, or the
//   one whose key verified the watch token). The hub keeps it to check at every subscribe that
//   this API token is still in API_TOKENS: removing it revokes its connections' subscribes.
// - the credential: what a user's object counts its watchers by (one watch token, or one API
//   token), so that no one credential can take all of a user's watchers (docs/WATCH.md).
// Both are SHA-256 digests under a label of their own, cut to 128 bits: enough to tell a few
// configured tokens (or a user's watchers) apart, and they name no secret.
import { sha256, toHex } from "../lib/digest";

const fingerprints = new Map<string, Promise<string>>();

const digest = async (label: string, secret: string) => toHex(await sha256(`${label}\n${secret}`)).slice(0, 32);

/** The fingerprint of an API token; cached per isolate (the map never leaves memory). */
export function keyFingerprint(apiToken: string): Promise<string> {
  let fingerprint = fingerprints.get(apiToken);
  if (fingerprint === undefined) {
    fingerprint = digest("presence-edge api token", apiToken);
    fingerprints.set(apiToken, fingerprint);
  }
  return fingerprint;
}

/** The fingerprints of every configured API token. */
export async function configuredKeys(apiTokens: readonly string[]): Promise<ReadonlySet<string>> {
  return new Set(await Promise.all(apiTokens.map(keyFingerprint)));
}

/** A connection opened with the bearer API token counts as that token. */
export const bearerCredential = (key: string): string => `key:${key}`;

/** A connection opened with a watch token counts as that token (each minted token is one). */
export const watchTokenCredential = async (token: string): Promise<string> =>
  `token:${await digest("presence-edge watch token", token)}`;
