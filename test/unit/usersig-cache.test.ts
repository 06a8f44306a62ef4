import { describe, expect, it } from "vitest";
import type { AppId } from "../../src/presence/types";
import { USERSIG_LIFETIME_SECONDS, userSigFor } from "../../src/tencent/rest/usersig-cache";
import { verifyUserSig } from "../../src/tencent/rest/usersig";
import { inflateUserSig, OTHER_SECRET_KEY, TEST_SECRET_KEY } from "../support/usersig";

const APP = "1400000101" as AppId;
const NO_KEY_APP = "1400000102" as AppId;
const T0 = 1_790_000_000_000;
const HOUR = 3_600_000;
const config = (key = TEST_SECRET_KEY) => ({
  adminIdentifier: "administrator",
  secretKeys: new Map([[APP, key]]),
});

describe("cached admin UserSig", () => {
  it("signs a 24 h ticket for the admin that Tencent's check accepts", async () => {
    const userSig = await userSigFor(config(), APP, T0);
    expect(inflateUserSig(userSig!)).toMatchObject({
      "TLS.identifier": "administrator",
      "TLS.sdkappid": Number(APP),
      "TLS.expire": USERSIG_LIFETIME_SECONDS,
    });
    expect(
      await verifyUserSig(TEST_SECRET_KEY, userSig!, { sdkAppId: APP, identifier: "administrator" }, T0 / 1000),
    ).toStrictEqual({ ok: true });
  });

  it("reuses it for 12 h, then signs anew; a new key or admin signs anew at once", async () => {
    const first = await userSigFor(config(), APP, T0 + 100 * HOUR);
    expect(await userSigFor(config(), APP, T0 + 100 * HOUR + 12 * HOUR - 1000)).toBe(first);
    const renewed = await userSigFor(config(), APP, T0 + 100 * HOUR + 12 * HOUR);
    expect(renewed).not.toBe(first);
    const rotated = await userSigFor(config(OTHER_SECRET_KEY), APP, T0 + 100 * HOUR + 12 * HOUR);
    expect(rotated).not.toBe(renewed);
    const otherAdmin = await userSigFor({ ...config(OTHER_SECRET_KEY), adminIdentifier: "ops" }, APP, T0 + 112 * HOUR);
    expect(inflateUserSig(otherAdmin!)["TLS.identifier"]).toBe("ops");
  });

  it("is null for an app without a secret key", () => {
    expect(userSigFor(config(), NO_KEY_APP, T0)).toBeNull();
  });
});
