// The configuration reconciliation reads: the secret key per app, the admin, Tencent's REST
// domain, the staleness interval and the call rate.
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../src/config";
import type { AppId } from "../../src/presence/types";

const env = (vars: Record<string, string> = {}) =>
  ({ IM_SDKAPPIDS: "1400000000,1400000001", IM_CALLBACK_TOKEN: "t", ...vars }) as unknown as Env;
const app = (id: string) => id as AppId;

function variableOf(vars: Record<string, string>): string {
  try {
    parseConfig(env(vars));
  } catch (error) {
    if (error instanceof ConfigError) return error.variable;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("reconcile configuration", () => {
  it("without a secret key there is no reconciliation; defaults otherwise", () => {
    const off = parseConfig(env());
    expect(off.secretKeys.size).toBe(0);
    expect(off.reconcileAfterMs).toBeNull();
    expect(off.restBaseUrl).toBe("https://console.tim.qq.com");
    expect(off.adminIdentifier).toBe("administrator");
    expect(off.reconcileMaxRps).toBe(20);
    const on = parseConfig(env({ IM_SECRET_KEY: "k" }));
    expect(on.reconcileAfterMs).toBe(3_600_000);
    expect([...on.secretKeys.keys()]).toEqual(["1400000000", "1400000001"]);
  });

  it("a per-app key overrides the default one, and an empty one turns the app off", () => {
    const c = parseConfig(env({ IM_SECRET_KEY: "k", IM_SECRET_KEY_1400000001: "" }));
    expect(c.secretKeys.get(app("1400000000"))).toBe("k");
    expect(c.secretKeys.has(app("1400000001"))).toBe(false);
    const only = parseConfig(env({ IM_SECRET_KEY_1400000001: "own" }));
    expect([...only.secretKeys]).toEqual([["1400000001", "own"]]);
  });

  it("RECONCILE_AFTER_SECONDS=0 turns staleness checks off; RECONCILE_MAX_RPS is 1 to 200", () => {
    expect(parseConfig(env({ IM_SECRET_KEY: "k", RECONCILE_AFTER_SECONDS: "0" })).reconcileAfterMs).toBeNull();
    expect(parseConfig(env({ IM_SECRET_KEY: "k", RECONCILE_AFTER_SECONDS: "20" })).reconcileAfterMs).toBe(20_000);
    expect(parseConfig(env({ RECONCILE_MAX_RPS: "200" })).reconcileMaxRps).toBe(200);
    expect(variableOf({ RECONCILE_MAX_RPS: "0" })).toBe("RECONCILE_MAX_RPS");
    expect(variableOf({ RECONCILE_MAX_RPS: "201" })).toBe("RECONCILE_MAX_RPS");
    expect(variableOf({ RECONCILE_AFTER_SECONDS: "-5" })).toBe("RECONCILE_AFTER_SECONDS");
    expect(variableOf({ RECONCILE_AFTER_SECONDS: "hourly" })).toBe("RECONCILE_AFTER_SECONDS");
  });

  it("IM_REST_BASE_URL: https anywhere, plain http only to this machine, no credentials or query", () => {
    const url = (v: string) => parseConfig(env({ IM_REST_BASE_URL: v })).restBaseUrl;
    expect(url("https://adminapisgp.im.qcloud.com/")).toBe("https://adminapisgp.im.qcloud.com");
    expect(url("http://127.0.0.1:8790")).toBe("http://127.0.0.1:8790");
    expect(url("http://localhost:8790")).toBe("http://localhost:8790");
    for (const bad of [
      "http://adminapisgp.im.qcloud.com",
      "https://u:p@example.com",
      "https://x.test/?a=1",
      "ftp://x",
      "x",
    ]) {
      expect(variableOf({ IM_REST_BASE_URL: bad })).toBe("IM_REST_BASE_URL");
    }
  });

  it("IM_ADMIN_IDENTIFIER must be a UserID", () => {
    expect(parseConfig(env({ IM_ADMIN_IDENTIFIER: "ops-admin" })).adminIdentifier).toBe("ops-admin");
    expect(variableOf({ IM_ADMIN_IDENTIFIER: "x".repeat(129) })).toBe("IM_ADMIN_IDENTIFIER");
  });
});
