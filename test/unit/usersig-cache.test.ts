import { describe, expect, it } from "vitest";
import type { AppId } from "../../src/presence/types";
import { USERSIG_LIFETIME_SECONDS, userSigFor } from "../../src/tencent/rest/usersig-cache";
import { verifyUserSig } from "../../src/tencent/rest/usersig";
import { inflateUserSig, OTHER_SECRET_KEY, TEST_SECRET_KEY } from "../support/usersig";

const APP = "1400000101" as AppId;
const ADMIN = "administrator";
const T0 = 1_790_000_000_000;
const HOUR = 3_600_000;

describe("cached admin UserSig", () => {
  it("signs a 24 h ticket for the admin that Tencent's check accepts", async () => {
    const userSig = await userSigFor(TEST_SECRET_KEY, APP, ADMIN, T0);
    expect(inflateUserSig(userSig)).toMatchObject({
      "TLS.identifier": "administrator",
      "TLS.sdkappid": Number(APP),
      "TLS.expire": USERSIG_LIFETIME_SECONDS,
    });
    expect(
      await verifyUserSig(TEST_SECRET_KEY, userSig, { sdkAppId: APP, identifier: ADMIN }, T0 / 1000),
    ).toStrictEqual({ ok: true });
  });

  it("reuses it for 12 h, then signs anew; a new key or admin signs anew at once", async () => {
    const first = await userSigFor(TEST_SECRET_KEY, APP, ADMIN, T0 + 100 * HOUR);
    expect(await userSigFor(TEST_SECRET_KEY, APP, ADMIN, T0 + 100 * HOUR + 12 * HOUR - 1000)).toBe(first);
    const renewed = await userSigFor(TEST_SECRET_KEY, APP, ADMIN, T0 + 100 * HOUR + 12 * HOUR);
    expect(renewed).not.toBe(first);
    const rotated = await userSigFor(OTHER_SECRET_KEY, APP, ADMIN, T0 + 100 * HOUR + 12 * HOUR);
    expect(rotated).not.toBe(renewed);
    const otherAdmin = await userSigFor(OTHER_SECRET_KEY, APP, "ops", T0 + 112 * HOUR);
    expect(inflateUserSig(otherAdmin)["TLS.identifier"]).toBe("ops");
  });
});
