import { describe, expect, it } from "vitest";
import { PLATFORMS } from "../../src/presence/types";
import {
  fromTencentPlatform,
  fromTencentStatus,
  PLATFORM_TABLE,
  TENCENT_STATUSES,
  toTencentPlatform,
  toTencentStatus,
} from "../../src/tencent/rest/platforms";

describe("Tencent REST platform names", () => {
  it("reads the names Tencent documents for query_online_status Detail", () => {
    expect(fromTencentPlatform("iPhone")).toBe("iOS");
    expect(fromTencentPlatform("Android")).toBe("Android");
    expect(fromTencentPlatform("Web")).toBe("Web");
    expect(fromTencentPlatform("PC")).toBe("Windows");
    expect(fromTencentPlatform("iPad")).toBe("iPad");
    expect(fromTencentPlatform("Mac")).toBe("Mac");
  });

  it("accepts other spellings case-insensitively; anything else is Unknown", () => {
    expect(fromTencentPlatform("IPhone")).toBe("iOS");
    expect(fromTencentPlatform("IOS")).toBe("iOS");
    expect(fromTencentPlatform("windows")).toBe("Windows");
    expect(fromTencentPlatform("macOS")).toBe("Mac");
    expect(fromTencentPlatform(" Linux ")).toBe("Linux");
    expect(fromTencentPlatform("HarmonyOS")).toBe("Unknown");
    expect(fromTencentPlatform("")).toBe("Unknown");
  });

  it("writes every canonical platform with a name that reads back as itself", () => {
    expect(new Set(PLATFORM_TABLE.map(([ours]) => ours))).toStrictEqual(new Set(PLATFORMS));
    for (const platform of PLATFORMS) expect(fromTencentPlatform(toTencentPlatform(platform))).toBe(platform);
    expect(toTencentPlatform("iOS")).toBe("iPhone");
    expect(toTencentPlatform("Windows")).toBe("PC");
  });
});

describe("Tencent status words", () => {
  it("maps Online / PushOnline / Offline both ways", () => {
    expect(fromTencentStatus("Online")).toBe("online");
    expect(fromTencentStatus("PushOnline")).toBe("disconnected");
    expect(fromTencentStatus("Offline")).toBe("offline");
    for (const word of TENCENT_STATUSES) expect(toTencentStatus(fromTencentStatus(word))).toBe(word);
  });

  it("answers a never-seen user as Offline", () => {
    expect(toTencentStatus("unknown")).toBe("Offline");
  });
});
