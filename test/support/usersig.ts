// UserSigs as an app's own backend makes them: with Tencent's tls-sig-api-v2 library, at a
// chosen clock. Decoding uses Node's zlib, independent of the code under test.
import { deflateSync, inflateSync } from "node:zlib";
import TLSSigAPIv2 from "tls-sig-api-v2";
import { vi } from "vitest";
import { RECONCILE_SECRET_KEY } from "./bindings";

/** The secret key of the one test app that has one (RECONCILE_APP in bindings.ts); no real app's. */
export const TEST_SECRET_KEY = RECONCILE_SECRET_KEY;
export const OTHER_SECRET_KEY = "0000000000000000000000000000000000000000000000000000000000000001";

/** What tls-sig-api-v2 makes for `identifier` of `app`, signed at `nowSeconds`. */
export function officialUserSig(
  key: string,
  app: string | number,
  identifier: string,
  expireSeconds: number,
  nowSeconds = Math.floor(Date.now() / 1000),
): string {
  const clock = vi.spyOn(Date, "now").mockReturnValue(nowSeconds * 1000);
  try {
    return new TLSSigAPIv2.Api(Number(app), key).genUserSig(identifier, expireSeconds);
  } finally {
    clock.mockRestore();
  }
}

export function unescapeUserSig(userSig: string): string {
  return userSig.replace(/\*/g, "+").replace(/-/g, "/").replace(/_/g, "=");
}

/** The ticket's JSON document. */
export function inflateUserSig(userSig: string): Record<string, unknown> {
  return JSON.parse(inflateSync(Buffer.from(unescapeUserSig(userSig), "base64")).toString("utf8"));
}

/** A ticket with the given document, deflated and escaped as Tencent's libraries do. */
export function deflateUserSig(doc: unknown): string {
  return deflateSync(Buffer.from(JSON.stringify(doc)))
    .toString("base64")
    .replace(/\+/g, "*")
    .replace(/\//g, "-")
    .replace(/=/g, "_");
}
