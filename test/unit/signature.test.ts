import { describe, expect, it } from "vitest";
import { signCallback, verifySignature } from "../../src/tencent/signature";

// Tencent's documented vector: token xxxxyyyy, RequestTime 1669872112.
const DOC_TOKEN = "xxxxyyyy";
const DOC_TIME = 1669872112;
const DOC_SIGN = "17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061";

describe("callback signature", () => {
  it("computes Tencent's documented vector", async () => {
    expect(await signCallback(DOC_TOKEN, DOC_TIME)).toBe(DOC_SIGN);
  });

  it("verifies the documented vector with the clock at that time", async () => {
    expect(await verifySignature([DOC_TOKEN], String(DOC_TIME), DOC_SIGN, DOC_TIME)).toBe("ok");
    expect(await verifySignature([DOC_TOKEN], String(DOC_TIME), DOC_SIGN.toUpperCase(), DOC_TIME)).toBe("ok");
  });

  it("accepts ±60 s of clock difference and no more", async () => {
    expect(await verifySignature([DOC_TOKEN], String(DOC_TIME), DOC_SIGN, DOC_TIME + 60)).toBe("ok");
    expect(await verifySignature([DOC_TOKEN], String(DOC_TIME), DOC_SIGN, DOC_TIME - 60)).toBe("ok");
    expect(await verifySignature([DOC_TOKEN], String(DOC_TIME), DOC_SIGN, DOC_TIME + 61)).toBe("expired");
    expect(await verifySignature([DOC_TOKEN], String(DOC_TIME), DOC_SIGN, DOC_TIME - 61)).toBe("expired");
  });

  it("rejects a wrong token, a tampered time, and missing or malformed parts", async () => {
    expect(await verifySignature(["other"], String(DOC_TIME), DOC_SIGN, DOC_TIME)).toBe("mismatch");
    expect(await verifySignature([DOC_TOKEN], String(DOC_TIME + 1), DOC_SIGN, DOC_TIME)).toBe("mismatch");
    expect(await verifySignature([DOC_TOKEN], null, DOC_SIGN, DOC_TIME)).toBe("missing");
    expect(await verifySignature([DOC_TOKEN], String(DOC_TIME), null, DOC_TIME)).toBe("missing");
    expect(await verifySignature([DOC_TOKEN], "12x", DOC_SIGN, DOC_TIME)).toBe("malformed");
    expect(await verifySignature([DOC_TOKEN], String(DOC_TIME), DOC_SIGN.slice(1), DOC_TIME)).toBe("malformed");
  });

  it("accepts any token of a rotation list", async () => {
    expect(await verifySignature(["new-token", DOC_TOKEN], String(DOC_TIME), DOC_SIGN, DOC_TIME)).toBe("ok");
    expect(await verifySignature([DOC_TOKEN, "new-token"], String(DOC_TIME), DOC_SIGN, DOC_TIME)).toBe("ok");
  });
});

describe("callback signature cache", () => {
  it("gives the same answers for a second seen before, as the first time", async () => {
    const time = String(DOC_TIME);
    const tokens = [DOC_TOKEN];
    // First call makes the digests, the second uses the ones made: both must agree.
    for (let round = 0; round < 2; round++) {
      expect(await verifySignature(tokens, time, DOC_SIGN, DOC_TIME)).toBe("ok");
      expect(await verifySignature(tokens, time, DOC_SIGN.replace(/^./, "0"), DOC_TIME)).toBe("mismatch");
      expect(await verifySignature(tokens, time, DOC_SIGN.toUpperCase(), DOC_TIME)).toBe("ok");
    }
  });

  it("keeps the answers of different token lists apart for the same second", async () => {
    const time = String(DOC_TIME);
    expect(await verifySignature([DOC_TOKEN], time, DOC_SIGN, DOC_TIME)).toBe("ok");
    expect(await verifySignature(["other"], time, DOC_SIGN, DOC_TIME)).toBe("mismatch");
    expect(await verifySignature([DOC_TOKEN], time, DOC_SIGN, DOC_TIME)).toBe("ok");
  });
});
