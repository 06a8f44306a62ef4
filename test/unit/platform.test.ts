import { describe, expect, it } from "vitest";
import { PLATFORMS } from "../../src/presence/types";
import { normalisePlatform } from "../../src/tencent/platform";

describe("platform normalisation", () => {
  it("maps Tencent's spellings to one canonical set", () => {
    expect(normalisePlatform("IOS")).toBe("iOS");
    expect(normalisePlatform("iOS")).toBe("iOS");
    expect(normalisePlatform("ios")).toBe("iOS");
    expect(normalisePlatform("macOS")).toBe("Mac");
    expect(normalisePlatform("Mac")).toBe("Mac");
    expect(normalisePlatform("ANDROID")).toBe("Android");
    expect(normalisePlatform("iPad")).toBe("iPad");
    expect(normalisePlatform("RESTAPI")).toBe("RESTAPI");
    expect(normalisePlatform("Linux")).toBe("Linux");
  });

  it("keeps every canonical name as it is", () => {
    for (const p of PLATFORMS) expect(normalisePlatform(p)).toBe(p);
  });

  it("sends anything else to Unknown", () => {
    for (const raw of ["", "Symbian", "iOS2", "__proto__", "constructor", null, undefined]) {
      expect(normalisePlatform(raw)).toBe("Unknown");
    }
  });
});
