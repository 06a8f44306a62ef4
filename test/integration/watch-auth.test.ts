// Who may watch: the bearer API token, or a watch token minted by POST …/watch-tokens:
// signed, scoped to its app and (optionally) accounts, at most 24 hours, refused when
// expired, altered, minted with a removed API token, or used for another app or account.
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import type { AccountId, AppId } from "../../src/presence/types";
import { mintWatchToken } from "../../src/watch/token";
import { apiFetch } from "../support/api";
import { OTHER_APP, ROTATED_API_TOKEN, TEST_API_TOKEN, TEST_APP } from "../support/bindings";
import { sendStateChange } from "../support/callback";
import { uniqueAccount } from "../support/storage";
import { hubState, hubStub, openHub, openWatch, registeredHubs, upgrade } from "../support/watch";
import { keyFingerprint } from "../../src/watch/credential";

const tokensPath = (app = TEST_APP) => `/v1/apps/${app}/watch-tokens`;

async function mint(body: unknown, app = TEST_APP, bearer = TEST_API_TOKEN) {
  const res = await apiFetch(tokensPath(app), { method: "POST", body: JSON.stringify(body) }, bearer);
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

async function refusal(res: Response): Promise<[number, string, string]> {
  const body = (await res.json()) as { error: string; message: string };
  return [res.status, body.error, body.message];
}

describe("watch authentication", () => {
  it("accepts the bearer API token, refuses a wrong one or none", async () => {
    const client = await openWatch();
    client.close();
    expect(await refusal(await upgrade({ bearer: "nope" }))).toEqual([401, "unauthorized", "invalid bearer token"]);
    const [status, , message] = await refusal(await upgrade({ bearer: null }));
    expect(status).toBe(401);
    expect(message).toMatch(/Authorization: Bearer .* or \?token=/);
  });

  it("a watch token opens a WebSocket without an Authorization header", async () => {
    const account = uniqueAccount("token");
    const { status, body } = await mint({});
    expect(status).toBe(200);
    expect(body.token).toMatch(/^pw1\./);
    expect(body.expiresAt).toBeGreaterThan(Date.now() + 3_500_000);
    expect(body.expiresAt).toBeLessThanOrEqual(Date.now() + 3_600_000);
    const client = await openWatch({ token: body.token });
    const [snapshot] = await client.subscribed([account]);
    expect(snapshot!.snapshot.account).toBe(account);
    client.close();
  });

  it("a token minted with the rotated API token works; one from a token no longer configured does not", async () => {
    const rotated = await mint({ ttlSeconds: 60 }, TEST_APP, ROTATED_API_TOKEN);
    (await openWatch({ token: rotated.body.token })).close();
    const orphan = await mintWatchToken("removed-api-token", {
      app: TEST_APP as AppId,
      expiresAt: Date.now() + 60_000,
      accounts: null,
    });
    const [status, , message] = await refusal(await upgrade({ token: orphan }));
    expect(status).toBe(401);
    expect(message).toMatch(/signature is invalid/);
  });

  it("refuses an expired, altered, malformed or other-app token", async () => {
    const expired = await mintWatchToken(TEST_API_TOKEN, {
      app: TEST_APP as AppId,
      expiresAt: Date.now() - 1,
      accounts: null,
    });
    expect(await refusal(await upgrade({ token: expired }))).toEqual([
      401,
      "unauthorized",
      expect.stringMatching(/^watch token expired at .*: mint a new one/),
    ]);

    const { body } = await mint({});
    const [prefix, payload, signature] = body.token.split(".");
    const flipped = signature.startsWith("A") ? `B${signature.slice(1)}` : `A${signature.slice(1)}`;
    expect((await refusal(await upgrade({ token: `${prefix}.${payload}.${flipped}` })))[2]).toMatch(/signature/);
    const other = await mint({}, OTHER_APP);
    expect(
      (await refusal(await upgrade({ token: `${prefix}.${other.body.token.split(".")[1]}.${signature}` })))[2],
    ).toMatch(/signature/);
    expect((await refusal(await upgrade({ token: "pw1.abc" })))[2]).toMatch(/malformed/);
    expect((await refusal(await upgrade({ token: "x".repeat(9000) })))[2]).toMatch(/malformed/);

    expect(await refusal(await upgrade({ token: other.body.token }))).toEqual([
      403,
      "forbidden",
      expect.stringMatching(/another app/),
    ]);
  });

  it("a scoped token watches its accounts only; the error names the account and the connection stays", async () => {
    const [alice, bob] = [uniqueAccount("alice"), uniqueAccount("bob")];
    const { body } = await mint({ accounts: [alice] });
    const client = await openWatch({ token: body.token });
    client.subscribe([alice, bob]);
    expect(await client.next()).toEqual({
      type: "error",
      error: "forbidden",
      message: expect.stringMatching(/^accounts\.1: not in this watch token's scope/),
    });
    const [snapshot] = await client.subscribed([alice]);
    expect(snapshot!.snapshot.account).toBe(alice);
    client.close();
  });

  it("after its token expires, a connection keeps its subscriptions but cannot add any", async () => {
    const [alice, bob] = [uniqueAccount("alice"), uniqueAccount("bob")];
    const { body } = await mint({ ttlSeconds: 60 });
    const client = await openWatch({ token: body.token });
    await client.subscribed([alice]);
    // Only Date is faked; the Worker, the hub and the user's object share this isolate's clock.
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(body.expiresAt + 1);
      client.subscribe([bob]);
      expect(await client.next()).toMatchObject({
        type: "error",
        error: "token_expired",
        message: expect.stringMatching(/expired at .*: reconnect with a new token/),
      });
      expect((await sendStateChange({ account: alice, action: "Login", eventTime: Date.now() })).status).toBe(200);
      expect((await client.take(2)).map((m) => m.event.data.account)).toEqual([alice, alice]);
    } finally {
      vi.useRealTimers();
    }
    client.close();
  });

  it("a scoped token keeps its scope across hibernation", async () => {
    const [alice, bob] = [uniqueAccount("alice"), uniqueAccount("bob")];
    const { body } = await mint({ accounts: [alice] });
    const client = await openWatch({ token: body.token });
    await client.subscribed([alice]);
    const [hub] = await registeredHubs(alice);
    await evictDurableObject(hubStub(hub!));
    client.subscribe([bob]);
    expect((await client.next()).error).toBe("forbidden");
    client.close();
  });

  it("validates the token request: ttlSeconds 1 to 86400, accounts by the account rule, bearer only", async () => {
    expect(await mint({ ttlSeconds: 86_401 })).toMatchObject({
      status: 400,
      body: { message: "ttlSeconds: must be at most 86400 (24 hours)" },
    });
    expect(await mint({ ttlSeconds: 0 })).toMatchObject({
      status: 400,
      body: { message: "ttlSeconds: must be at least 1" },
    });
    expect((await mint({ ttlSeconds: 1.5 })).status).toBe(400);
    expect(await mint({ accounts: [] })).toMatchObject({
      status: 400,
      body: { message: expect.stringMatching(/^accounts:/) },
    });
    expect(await mint({ accounts: ["ok", "x".repeat(129)] })).toMatchObject({
      status: 400,
      body: { message: "accounts.1: must be 1 to 128 bytes of UTF-8" },
    });
    const day = await mint({ ttlSeconds: 86_400 });
    expect(day.body.expiresAt - Date.now()).toBeGreaterThan(86_390_000);
    const res = await apiFetch(tokensPath(), { method: "POST", body: "{" });
    expect(await refusal(res)).toEqual([400, "bad_request", "body: malformed JSON"]);
    expect((await apiFetch(tokensPath(), { method: "POST", body: "{}" }, null)).status).toBe(401);
    expect((await apiFetch(tokensPath(), { method: "GET" })).status).toBe(405);
    const { body } = await mint({});
    const viaToken = await apiFetch(`${tokensPath()}?token=${body.token}`, { method: "POST", body: "{}" }, null);
    expect(viaToken.status).toBe(401); // a watch token cannot mint watch tokens
  });

  it("a scope too large for a URL is refused with the fix", async () => {
    const accounts = Array.from({ length: 1000 }, () => crypto.randomUUID() + crypto.randomUUID());
    const { status, body } = await mint({ accounts });
    expect(status).toBe(400);
    expect(body.message).toMatch(/^accounts: too many for one token .* split them/);
    // 1 000 ids of the usual shape fit.
    const usual = Array.from({ length: 1000 }, (_, i) => `user${100000 + i}`) as AccountId[];
    expect((await mint({ accounts: usual })).status).toBe(200);
  });
});

describe("what a connection keeps of its credential", () => {
  it("a scoped connection whose stored scope is lost closes instead of watching anyone", async () => {
    const [alice, bob] = [uniqueAccount("alice"), uniqueAccount("bob")];
    const { body } = await mint({ accounts: [alice] });
    const client = await openWatch({ token: body.token });
    await client.subscribed([alice]);
    const [hub] = await registeredHubs(alice);
    await runInDurableObject(hubStub(hub!), (_instance, state) => state.storage.kv.delete("watch"));
    await evictDurableObject(hubStub(hub!)); // it wakes from the socket's attachment and finds no row
    client.subscribe([bob]);
    await expect(client.next()).rejects.toThrow(/^socket closed \(1011\)/); // and no snapshot of bob came first
    expect(client.closed).toEqual({ code: 1011, reason: "this connection lost its state: reconnect" });
  });

  it("keeps which API token let it in, never the token; a removed one revokes subscribing", async () => {
    const { body } = await mint({ ttlSeconds: 60 }, TEST_APP, ROTATED_API_TOKEN);
    const viaToken = await openWatch({ token: body.token });
    const account = uniqueAccount("key");
    await viaToken.subscribed([account]);
    const [hub] = await registeredHubs(account);
    const { attachment } = await hubState(hub!);
    expect(attachment).toMatchObject({ key: await keyFingerprint(ROTATED_API_TOKEN) });
    for (const secret of [TEST_API_TOKEN, ROTATED_API_TOKEN, body.token]) {
      expect(JSON.stringify(attachment)).not.toContain(secret);
    }
    viaToken.close();

    // A connection let in by an API token that was configured then and is not any more.
    const removed = await keyFingerprint("removed-api-token");
    const { client } = await openHub({
      mode: "websocket",
      app: TEST_APP as AppId,
      expiresAt: Date.now() + 60_000,
      scope: null,
      key: removed,
      credential: `key:${removed}`,
      countsAllowed: true,
    });
    client.subscribe([uniqueAccount("revoked")]);
    expect(await client.next()).toEqual({
      type: "error",
      error: "token_revoked",
      message: expect.stringMatching(/^the API token that authorised this connection was removed from API_TOKENS/),
    });
    client.close();
  });
});
