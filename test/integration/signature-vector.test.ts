// Tencent's documented example, end to end: the URL Tencent would send at RequestTime
// 1669872112 with token xxxxyyyy, received while the Worker's clock reads that second.
import { exports } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { getSnapshot } from "../support/api";
import { DOC_VECTOR_APP } from "../support/bindings";

const DOC_TIME = 1669872112;
const DOC_SIGN = "17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061";
const url = (requestTime: number) =>
  `https://presence.test/callback?SdkAppid=${DOC_VECTOR_APP}&CallbackCommand=State.StateChange&contenttype=json` +
  `&ClientIP=127.0.0.1&OptPlatform=IOS&RequestTime=${requestTime}&Sign=${DOC_SIGN}`;
const body = JSON.stringify({
  CallbackCommand: "State.StateChange",
  EventTime: 1629883332497,
  Info: { Action: "Login", To_Account: "testuser316", Reason: "Register" },
  KickedDevice: [{ Platform: "Windows" }, { Platform: "Android" }],
});

afterEach(() => vi.useRealTimers());

describe("Tencent's documented signature example", () => {
  it("is accepted with the clock at RequestTime, and the example body is stored", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: DOC_TIME * 1000 });
    const res = await exports.default.fetch(url(DOC_TIME), { method: "POST", body });
    expect(res.status).toBe(200);
    vi.useRealTimers();
    const snap = await getSnapshot("testuser316", DOC_VECTOR_APP);
    expect(snap.platforms.iOS).toMatchObject({ status: "online", since: 1629883332497 });
    expect(snap.platforms.Windows.reason).toBe("Kicked");
    expect(snap.platforms.Android.reason).toBe("Kicked");
  });

  it("is refused 61 s later, and with any other RequestTime", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: (DOC_TIME + 61) * 1000 });
    expect((await exports.default.fetch(url(DOC_TIME), { method: "POST", body })).status).toBe(401);
    vi.setSystemTime(DOC_TIME * 1000);
    expect((await exports.default.fetch(url(DOC_TIME + 1), { method: "POST", body })).status).toBe(401);
  });
});
