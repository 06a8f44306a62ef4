import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../src/config";

const base = { IM_SDKAPPIDS: "1400000000", IM_CALLBACK_TOKEN: "t" } as unknown as Env;
const withVars = (vars: Record<string, string>) => ({ ...base, ...vars }) as unknown as Env;

function errorOf(env: Env): ConfigError {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("configuration", () => {
  it("applies the defaults", () => {
    const c = parseConfig(base);
    expect([...c.appIds]).toEqual(["1400000000"]);
    expect(c.callbackTokens.get("1400000000" as never)).toEqual(["t"]);
    expect(c.allowUnsigned).toBe(false);
    expect(c.apiTokens).toEqual([]);
    expect(c.subscribers).toEqual([]);
    expect(c.offlineGraceMs).toBe(0);
    expect(c.historyLimit).toBe(100);
    expect(c.retentionMs).toBeNull();
    expect(c.onlineIndex).toBe(true);
    expect(c.onlineIndexShards).toBe(16);
    expect(c.onlineHistoryDays).toBe(7);
  });

  it("parses the who-is-online index settings", () => {
    expect(parseConfig(withVars({ ONLINE_INDEX: " OFF " })).onlineIndex).toBe(false);
    expect(parseConfig(withVars({ ONLINE_INDEX: "on" })).onlineIndex).toBe(true);
    expect(parseConfig(withVars({ ONLINE_INDEX_SHARDS: "1" })).onlineIndexShards).toBe(1);
    expect(parseConfig(withVars({ ONLINE_INDEX_SHARDS: "256" })).onlineIndexShards).toBe(256);
    expect(parseConfig(withVars({ ONLINE_HISTORY_DAYS: "365" })).onlineHistoryDays).toBe(365);
    expect(errorOf(withVars({ ONLINE_INDEX: "yes" })).message).toContain('ONLINE_INDEX: must be "on" or "off"');
    expect(errorOf(withVars({ ONLINE_INDEX_SHARDS: "0" })).message).toContain("from 1 to 256");
    expect(errorOf(withVars({ ONLINE_HISTORY_DAYS: "0" })).message).toContain("from 1 to 365");
  });

  it("parses lists, per-app token overrides and numbers", () => {
    const c = parseConfig(
      withVars({
        IM_SDKAPPIDS: " 1, 2 ,3",
        IM_CALLBACK_TOKEN: "old, new",
        IM_CALLBACK_TOKEN_2: "two",
        IM_CALLBACK_TOKEN_3: "",
        API_TOKENS: "a,b",
        IM_ALLOW_UNSIGNED: "TRUE",
        OFFLINE_GRACE_SECONDS: "30",
        HISTORY_LIMIT: "5",
        RETENTION_DAYS: "90",
      }),
    );
    expect(c.callbackTokens.get("1" as never)).toEqual(["old", "new"]);
    expect(c.callbackTokens.get("2" as never)).toEqual(["two"]);
    expect(c.callbackTokens.get("3" as never)).toEqual([]);
    expect(c.apiTokens).toEqual(["a", "b"]);
    expect(c.allowUnsigned).toBe(true);
    expect(c.offlineGraceMs).toBe(30_000);
    expect(c.historyLimit).toBe(5);
    expect(c.retentionMs).toBe(90 * 86_400_000);
  });

  it("parses webhook subscribers", () => {
    const c = parseConfig(
      withVars({
        WEBHOOK_SUBSCRIBERS: JSON.stringify([
          {
            id: "crm",
            url: "https://example.com/hook",
            secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            events: ["device.kicked"],
          },
        ]),
      }),
    );
    expect(c.subscribers).toEqual([
      {
        id: "crm",
        url: "https://example.com/hook",
        secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        events: ["device.kicked"],
      },
    ]);
  });

  it.each([
    [{ IM_SDKAPPIDS: "" }, "IM_SDKAPPIDS"],
    [{ IM_SDKAPPIDS: "14000,abc" }, "IM_SDKAPPIDS"],
    [{ IM_ALLOW_UNSIGNED: "yes" }, "IM_ALLOW_UNSIGNED"],
    [{ HISTORY_LIMIT: "0" }, "HISTORY_LIMIT"],
    [{ HISTORY_LIMIT: "ten" }, "HISTORY_LIMIT"],
    [{ OFFLINE_GRACE_SECONDS: "-5" }, "OFFLINE_GRACE_SECONDS"],
    [{ RETENTION_DAYS: "1.5" }, "RETENTION_DAYS"],
    [{ ONLINE_INDEX: "true" }, "ONLINE_INDEX"],
    [{ ONLINE_INDEX: "yes" }, "ONLINE_INDEX"],
    [{ ONLINE_INDEX_SHARDS: "0" }, "ONLINE_INDEX_SHARDS"],
    [{ ONLINE_INDEX_SHARDS: "257" }, "ONLINE_INDEX_SHARDS"],
    [{ ONLINE_INDEX_SHARDS: "16.5" }, "ONLINE_INDEX_SHARDS"],
    [{ ONLINE_HISTORY_DAYS: "0" }, "ONLINE_HISTORY_DAYS"],
    [{ ONLINE_HISTORY_DAYS: "366" }, "ONLINE_HISTORY_DAYS"],
    [{ WEBHOOK_SUBSCRIBERS: "{not json" }, "WEBHOOK_SUBSCRIBERS"],
    [
      { WEBHOOK_SUBSCRIBERS: '[{"id":"a","url":"ftp://x","secret":"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}]' },
      "WEBHOOK_SUBSCRIBERS",
    ],
    [{ WEBHOOK_SUBSCRIBERS: '[{"id":"a","url":"https://x","secret":"plain"}]' }, "WEBHOOK_SUBSCRIBERS"],
    [
      {
        WEBHOOK_SUBSCRIBERS:
          '[{"id":"a","url":"https://x","secret":"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw","events":["nope"]}]',
      },
      "WEBHOOK_SUBSCRIBERS",
    ],
  ])("rejects %j with a message naming %s", (vars, variable) => {
    const error = errorOf(withVars(vars as Record<string, string>));
    expect(error.variable).toBe(variable);
    expect(error.message.startsWith(`${variable}: `)).toBe(true);
  });

  it.each([
    [{ IM_SDKAPPIDS: "" }, "wrangler.toml [vars]"],
    [{ HISTORY_LIMIT: "0" }, "wrangler.toml [vars]"],
    [{ ONLINE_INDEX: "yes" }, "wrangler.toml [vars]"],
    [{ WEBHOOK_SUBSCRIBERS: "{not json" }, "npx wrangler secret put WEBHOOK_SUBSCRIBERS"],
  ])("the error for %j says where to set the variable and that npm start uses demo.env", (vars, where) => {
    const error = errorOf(withVars(vars as Record<string, string>));
    expect(error.message).toContain(where);
    expect(error.message).toContain("`npm start`");
    expect(error.message).toContain("demo.env");
    expect(error.message).toContain(".dev.vars");
  });

  it("never echoes a secret value in its error", () => {
    const error = errorOf(withVars({ WEBHOOK_SUBSCRIBERS: '[{"id":"a","url":"https://x","secret":"s3cr3t-value"}]' }));
    expect(error.message).not.toContain("s3cr3t-value");
  });
});
