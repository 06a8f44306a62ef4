// Logs are billed per line: by default every refused callback and every error gets one JSON
// line that says why (never a secret), and an accepted callback none unless LOG_CALLBACKS=true.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { TEST_CALLBACK_TOKEN } from "../support/bindings";
import { callbackUrl, sendStateChange, stateChangeBody } from "../support/callback";
import { uniqueAccount } from "../support/storage";

afterEach(() => vi.restoreAllMocks());

function captureLogs() {
  const lines: string[] = [];
  vi.spyOn(console, "log").mockImplementation((line: unknown) => void lines.push(String(line)));
  return lines;
}

/** Sends a Login through the Worker's fetch handler with some variables changed. */
async function sendWith(
  vars: Record<string, string>,
  body = stateChangeBody({ account: uniqueAccount(), action: "Login" }),
) {
  const request = new Request(await callbackUrl({ optPlatform: "Android" }), {
    method: "POST",
    body: JSON.stringify(body),
  });
  return worker.fetch(request as Parameters<typeof worker.fetch>[0], { ...env, ...vars });
}

describe("callback logs", () => {
  it("an accepted callback writes no line by default", async () => {
    const lines = captureLogs();
    const res = await sendStateChange({ account: uniqueAccount(), action: "Login" });
    expect(res.status).toBe(200);
    expect(lines).toEqual([]);
  });

  it("with LOG_CALLBACKS=true an accepted callback writes one line with app, platform, action, outcome, status and duration", async () => {
    const lines = captureLogs();
    expect((await sendWith({ LOG_CALLBACKS: "true" })).status).toBe(200);
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!);
    expect(entry).toMatchObject({
      msg: "callback",
      app: "1400000001",
      platform: "Android",
      action: "Login",
      outcome: "applied",
      http: 200,
    });
    expect(typeof entry.durationMs).toBe("number");
  });

  it("a refused signature is logged with its reason and field, without the token or the signature", async () => {
    const lines = captureLogs();
    const res = await sendStateChange({ account: uniqueAccount(), action: "Login" }, { token: "wrong-token" });
    expect(res.status).toBe(401);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({
      msg: "callback",
      app: "1400000001",
      rejected: "mismatch",
      field: "Sign",
      reason: "Sign does not match",
      http: 401,
      durationMs: expect.any(Number),
    });
    expect(lines[0]).not.toContain("wrong-token");
    expect(lines[0]).not.toContain(TEST_CALLBACK_TOKEN);
    expect(lines[0]).not.toMatch(/[0-9a-f]{64}/);
  });

  it("a refused body is logged with the field and what is wrong with it, not the body", async () => {
    const lines = captureLogs();
    const secretish = "do-not-log-this-account";
    const res = await sendStateChange({ account: secretish, action: "Fly" });
    expect(res.status).toBe(400);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      rejected: "schema",
      field: "Info.Action",
      reason: expect.stringMatching(/^Info\.Action: must be one of/),
      http: 400,
    });
    expect(lines[0]).not.toContain(secretish);
  });

  it("a configuration error is logged, naming the variable", async () => {
    const lines = captureLogs();
    expect((await sendWith({ IM_SDKAPPIDS: "" })).status).toBe(500);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      msg: "callback",
      http: 500,
      error: expect.stringContaining("IM_SDKAPPIDS"),
    });
  });
});
