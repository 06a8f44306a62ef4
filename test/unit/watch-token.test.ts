// Watch tokens: signed claims, verified against every configured API token.
import { describe, expect, it } from "vitest";
import type { AccountId, AppId } from "../../src/presence/types";
import { keyFingerprint } from "../../src/watch/credential";
import { mintWatchToken, verifyWatchToken } from "../../src/watch/token";

const app = "1400000001" as AppId;
const now = 1_700_000_000_000;

describe("watch tokens", () => {
  it("round-trips claims, with or without accounts, under any configured API token", async () => {
    const scoped = await mintWatchToken("k2", { app, expiresAt: now + 1000, accounts: ["a", "b,c"] as AccountId[] });
    expect(await verifyWatchToken(["k1", "k2"], scoped, now)).toEqual({
      ok: true,
      claims: { app, expiresAt: now + 1000, accounts: ["a", "b,c"], counts: false },
      key: await keyFingerprint("k2"), // which API token verified it, not the token itself
    });
    const open = await mintWatchToken("k1", { app, expiresAt: now + 1000, accounts: null });
    expect(await verifyWatchToken(["k1"], open, now)).toMatchObject({ ok: true, claims: { accounts: null } });
    expect(open).toMatch(/^pw1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
  });

  it("signs the counts permission into the token; a token minted without it has none", async () => {
    const counts = await mintWatchToken("k1", { app, expiresAt: now + 1000, accounts: null, counts: true });
    expect(await verifyWatchToken(["k1"], counts, now)).toMatchObject({ ok: true, claims: { counts: true } });
    const without = await mintWatchToken("k1", { app, expiresAt: now + 1000, accounts: null, counts: false });
    expect(await verifyWatchToken(["k1"], without, now)).toMatchObject({ ok: true, claims: { counts: false } });
    // The permission is in the signed payload: moving it onto another token breaks the signature.
    const spliced = [without.split(".")[0], counts.split(".")[1], without.split(".")[2]].join(".");
    expect(await verifyWatchToken(["k1"], spliced, now)).toMatchObject({ ok: false, reason: "signature" });
  });

  it("refuses a removed key, a changed payload, an expired token and garbage", async () => {
    const token = await mintWatchToken("k1", { app, expiresAt: now + 1000, accounts: null });
    expect(await verifyWatchToken(["k2"], token, now)).toMatchObject({ ok: false, reason: "signature" });
    const other = await mintWatchToken("k1", { app: "1400000002" as AppId, expiresAt: now + 1000, accounts: null });
    const spliced = [token.split(".")[0], other.split(".")[1], token.split(".")[2]].join(".");
    expect(await verifyWatchToken(["k1"], spliced, now)).toMatchObject({ ok: false, reason: "signature" });
    expect(await verifyWatchToken(["k1"], token, now + 1000)).toMatchObject({ ok: false, reason: "expired" });
    for (const bad of ["", "pw1", "pw1..", "pw2.a.b", "pw1.a.b.c", "pw1.@@.b"]) {
      expect(await verifyWatchToken(["k1"], bad, now)).toMatchObject({ ok: false, reason: expect.any(String) });
    }
  });

  it("fingerprints tell API tokens apart and name none of them", async () => {
    const [k1, k2] = [await keyFingerprint("k1"), await keyFingerprint("k2")];
    expect(k1).toMatch(/^[0-9a-f]{32}$/);
    expect(k1).not.toBe(k2);
    expect(await keyFingerprint("k1")).toBe(k1);
  });
});
