import { describe, expect, it } from "vitest";
import { decodeUserSig, signUserSig, USERSIG_ERROR, verifyUserSig } from "../../src/tencent/rest/usersig";
import { deflateUserSig, inflateUserSig, officialUserSig, OTHER_SECRET_KEY, TEST_SECRET_KEY } from "../support/usersig";

// The vector of FACTS/TENCENT docs: the HMAC step computed two ways.
const VECTOR = {
  key: "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e",
  identifier: "xiaojun",
  app: "1400000000",
  time: 1700000000,
  expire: 86400,
  sig: "SNF4FmVCPucoXsBOpbVF3fFCf57JPm0ezZ1jeVILlVc=",
};
const APP = "1400000001";
const ADMIN = "administrator";
const NOW = 1_790_000_000;

describe("UserSig signing", () => {
  it("computes the documented HMAC vector", async () => {
    const ticket = await signUserSig(VECTOR.key, VECTOR.app, VECTOR.identifier, VECTOR.time, VECTOR.expire);
    expect(inflateUserSig(ticket)["TLS.sig"]).toBe(VECTOR.sig);
  });

  it("makes the same document as tls-sig-api-v2 for the same inputs (deflate bytes may differ)", async () => {
    for (const [identifier, expire] of [
      [VECTOR.identifier, VECTOR.expire],
      [ADMIN, 180 * 86400],
      ["user_with-32-bytes_0123456789abc", 1],
    ] as const) {
      const ours = await signUserSig(VECTOR.key, VECTOR.app, identifier, VECTOR.time, expire);
      const theirs = officialUserSig(VECTOR.key, VECTOR.app, identifier, expire, VECTOR.time);
      expect(inflateUserSig(ours)).toStrictEqual(inflateUserSig(theirs));
      expect(Object.keys(inflateUserSig(ours))).toStrictEqual(Object.keys(inflateUserSig(theirs)));
    }
    expect(
      inflateUserSig(officialUserSig(VECTOR.key, VECTOR.app, VECTOR.identifier, VECTOR.expire, VECTOR.time)),
    ).toMatchObject({
      "TLS.sig": VECTOR.sig,
    });
  });

  it("writes only the escaped base64 alphabet", async () => {
    const ticket = await signUserSig(TEST_SECRET_KEY, APP, ADMIN, NOW, 86400);
    expect(ticket).toMatch(/^[A-Za-z0-9*_-]+$/);
    expect(await decodeUserSig(ticket)).toMatchObject({ "TLS.identifier": ADMIN, "TLS.sdkappid": Number(APP) });
  });
});

describe("UserSig verification", () => {
  const expected = { sdkAppId: APP, identifier: ADMIN };

  it("accepts tickets minted by tls-sig-api-v2 and by our signer", async () => {
    const official = officialUserSig(TEST_SECRET_KEY, APP, ADMIN, 86400, NOW);
    expect(await verifyUserSig(TEST_SECRET_KEY, official, expected, NOW)).toStrictEqual({ ok: true });
    const ours = await signUserSig(TEST_SECRET_KEY, APP, ADMIN, NOW, 86400);
    expect(await verifyUserSig(TEST_SECRET_KEY, ours, expected, NOW + 100)).toStrictEqual({ ok: true });
  });

  it("accepts a ticket carrying a userbuf (TRTC PrivateMapKey), whose HMAC covers it", async () => {
    const TLSSigAPIv2 = (await import("tls-sig-api-v2")).default;
    const withBuf = new TLSSigAPIv2.Api(Number(APP), TEST_SECRET_KEY).genPrivateMapKey(ADMIN, 86400, 1234, 255);
    expect(inflateUserSig(withBuf)).toHaveProperty("TLS.userbuf");
    expect(await verifyUserSig(TEST_SECRET_KEY, withBuf, expected, Math.floor(Date.now() / 1000))).toStrictEqual({
      ok: true,
    });
  });

  it("is expired only when now > time + expire (70001)", async () => {
    const ticket = officialUserSig(TEST_SECRET_KEY, APP, ADMIN, 3600, NOW);
    expect(await verifyUserSig(TEST_SECRET_KEY, ticket, expected, NOW + 3600)).toStrictEqual({ ok: true });
    const late = await verifyUserSig(TEST_SECRET_KEY, ticket, expected, NOW + 3601);
    expect(late).toMatchObject({ ok: false, errorCode: USERSIG_ERROR.expired });
  });

  it("rejects another key (70009), another app (70014), another identifier (70013)", async () => {
    const ticket = officialUserSig(TEST_SECRET_KEY, APP, ADMIN, 86400, NOW);
    expect(await verifyUserSig(OTHER_SECRET_KEY, ticket, expected, NOW)).toMatchObject({
      ok: false,
      errorCode: USERSIG_ERROR.verificationFailed,
    });
    expect(await verifyUserSig(TEST_SECRET_KEY, ticket, { ...expected, sdkAppId: "1400000002" }, NOW)).toMatchObject({
      ok: false,
      errorCode: USERSIG_ERROR.sdkAppIdMismatch,
    });
    expect(await verifyUserSig(TEST_SECRET_KEY, ticket, { ...expected, identifier: "alice" }, NOW)).toMatchObject({
      ok: false,
      errorCode: USERSIG_ERROR.identifierMismatch,
    });
  });

  it("rejects a ticket whose fields were changed after signing (70009), even to extend it", async () => {
    const doc = inflateUserSig(officialUserSig(TEST_SECRET_KEY, APP, ADMIN, 60, NOW - 3600));
    for (const change of [{ "TLS.expire": 86400 }, { "TLS.time": NOW }, { "TLS.sig": doc["TLS.sig"] + "x" }]) {
      const tampered = deflateUserSig({ ...doc, ...change });
      expect(await verifyUserSig(TEST_SECRET_KEY, tampered, expected, NOW)).toMatchObject({
        ok: false,
        errorCode: USERSIG_ERROR.verificationFailed,
      });
    }
  });

  it("rejects what cannot be parsed (70003): garbage, truncation, bad JSON, wrong fields, a zip bomb", async () => {
    const good = officialUserSig(TEST_SECRET_KEY, APP, ADMIN, 86400, NOW);
    const doc = inflateUserSig(good);
    const bad = [
      "",
      "not a ticket!",
      good.slice(0, good.length - 10),
      "x".repeat(5000),
      deflateUserSig("just a string"),
      deflateUserSig({ ...doc, "TLS.ver": "1.0" }),
      deflateUserSig({ ...doc, "TLS.sdkappid": String(doc["TLS.sdkappid"]) }),
      deflateUserSig({ ...doc, "TLS.time": -1 }),
      deflateUserSig({ ...doc, "TLS.pad": " ".repeat(100_000) }),
    ];
    for (const ticket of bad) {
      const check = await verifyUserSig(TEST_SECRET_KEY, ticket, expected, NOW);
      expect(check, ticket.slice(0, 40)).toMatchObject({ ok: false, errorCode: USERSIG_ERROR.unparsable });
    }
  });

  it("refuses fields that could move text between signed lines (70003): control characters, a non-base64 userbuf", async () => {
    // Each ticket is signed correctly over the text its fields spell: only the format refuses it.
    const signed = async (identifier: string, userBuf?: string) => {
      const lines =
        `TLS.identifier:${identifier}\nTLS.sdkappid:${APP}\nTLS.time:${NOW}\nTLS.expire:86400\n` +
        (userBuf === undefined ? "" : `TLS.userbuf:${userBuf}\n`);
      const key = await crypto.subtle.importKey(
        "raw",
        new TextEncoder().encode(TEST_SECRET_KEY),
        { name: "HMAC", hash: "SHA-256" },
        false,
        ["sign"],
      );
      const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(lines)));
      return deflateUserSig({
        "TLS.ver": "2.0",
        "TLS.identifier": identifier,
        "TLS.sdkappid": Number(APP),
        "TLS.time": NOW,
        "TLS.expire": 86400,
        "TLS.sig": Buffer.from(mac).toString("base64"),
        ...(userBuf === undefined ? {} : { "TLS.userbuf": userBuf }),
      });
    };
    const at = (identifier: string) => ({ sdkAppId: APP, identifier });
    // The construction itself is sound: the same helper makes tickets that pass.
    expect(await verifyUserSig(TEST_SECRET_KEY, await signed(ADMIN), expected, NOW)).toStrictEqual({ ok: true });
    expect(await verifyUserSig(TEST_SECRET_KEY, await signed(ADMIN, "AAEC"), expected, NOW)).toStrictEqual({
      ok: true,
    });
    for (const identifier of [
      `${ADMIN}\nTLS.sdkappid:${APP}`,
      `${ADMIN}\r`,
      `${ADMIN}\u0000`,
      `a\u007fb`,
      `a\u0085b`,
    ]) {
      expect(await verifyUserSig(TEST_SECRET_KEY, await signed(identifier), at(identifier), NOW)).toMatchObject({
        ok: false,
        errorCode: USERSIG_ERROR.unparsable,
      });
    }
    for (const userBuf of ["x", "x\nTLS.expire:315360000", "AAE", "AA==\n", "AA-_", "AAEC\n"]) {
      expect(await verifyUserSig(TEST_SECRET_KEY, await signed(ADMIN, userBuf), expected, NOW)).toMatchObject({
        ok: false,
        errorCode: USERSIG_ERROR.unparsable,
      });
    }
  });

  it("never mentions the secret key in an error", async () => {
    const ticket = officialUserSig(TEST_SECRET_KEY, APP, ADMIN, 1, NOW);
    const checks = [
      await verifyUserSig(TEST_SECRET_KEY, ticket, expected, NOW + 10),
      await verifyUserSig(OTHER_SECRET_KEY, ticket, expected, NOW),
      await verifyUserSig(TEST_SECRET_KEY, "bad", expected, NOW),
    ];
    for (const check of checks) {
      expect(check.ok).toBe(false);
      expect(JSON.stringify(check)).not.toContain(TEST_SECRET_KEY);
      expect(JSON.stringify(check)).not.toContain(OTHER_SECRET_KEY);
    }
  });
});
