// Live counts through the watch (SPEC §12, docs/WATCH.md): `{"type":"subscribe","counts":true}`
// answers the app's counts at once and then each change, at most once a second; allowed with the
// API token or a watch token minted with `"counts":true`; kept across the hub's hibernation;
// given up on unsubscribe and on close (the totals object forgets the hub); `not_configured`
// with ONLINE_INDEX=off. The SSE form (`?counts=1`) is tested in watch-sse.test.ts.
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { OnlineTotals } from "../../src/durable/online-totals";
import type { AppId } from "../../src/presence/types";
import { bearerCredential, keyFingerprint } from "../../src/watch/credential";
import { apiFetch } from "../support/api";
import { TEST_API_TOKEN, TEST_APP } from "../support/bindings";
import { sendStateChange } from "../support/callback";
import { onlineCounts, settle, totalsFor, type OnlineCountsBody } from "../support/online";
import { uniqueAccount } from "../support/storage";
import { LIVE_COUNTS_MS } from "../support/timeouts";
import {
  hubStub,
  openHub,
  openWatch,
  registeredHubs,
  released,
  type Message,
  type WatchClient,
} from "../support/watch";

/** Hubs the app's totals object pushes the counts to. */
const countWatchers = () =>
  runInDurableObject(totalsFor(), (_instance: OnlineTotals, state) => {
    const sql = state.storage.sql;
    const exists = sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'count_watchers'").toArray();
    return exists.length === 0
      ? []
      : sql
          .exec<{ hub: string }>("SELECT hub FROM count_watchers")
          .toArray()
          .map((r) => r.hub);
  });

/** Subscribes the client to the counts; the first counts message and the hub that registered for them. */
async function subscribeCounts(client: WatchClient): Promise<{ first: Message; hub: string }> {
  const before = new Set(await countWatchers());
  client.send({ type: "subscribe", counts: true });
  const first = await client.next();
  expect(first.type).toBe("counts");
  const added = (await countWatchers()).filter((hub) => !before.has(hub));
  expect(added).toHaveLength(1);
  return { first, hub: added[0]! };
}

/** The counts as a test compares them: without `asOf`, the time they were gathered. */
const figures = ({ asOf: _asOf, ...rest }: OnlineCountsBody) => rest;

/**
 * Takes the client's messages until a counts message says what GET /online says now (the pushes
 * in between, and any other message, are passed over). Waits on messages, never on time.
 */
async function countsAsApi(client: WatchClient): Promise<Message> {
  const expected = figures(await onlineCounts());
  for (;;) {
    const message = await client.next();
    if (message.type === "counts" && JSON.stringify(figures(message.counts)) === JSON.stringify(expected)) {
      return message;
    }
  }
}

/** Brings a new user online (on Web) and waits until its shard has it. */
async function login(prefix: string): Promise<string> {
  const account = uniqueAccount(prefix);
  expect((await sendStateChange({ account, action: "Login", eventTime: Date.now() })).status).toBe(200);
  await settle(account);
  return account;
}

async function mintToken(body: Record<string, unknown>): Promise<string> {
  const res = await apiFetch(`/v1/apps/${TEST_APP}/watch-tokens`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

describe("live counts over the watch WebSocket", () => {
  it("answers the counts at once, as GET /online, then each change", { timeout: LIVE_COUNTS_MS }, async () => {
    await login("counts-before");
    const client = await openWatch();
    client.send({ type: "subscribe", counts: true });
    const first = await client.next();
    expect(first).toMatchObject({ type: "counts", counts: { app: TEST_APP, asOf: expect.any(Number) } });
    expect(Object.keys(first.counts)).toEqual(["app", "online", "disconnected", "platforms", "asOf"]);
    expect(first.counts.online).toBeGreaterThanOrEqual(1);

    const before = (await onlineCounts()).online;
    await login("counts-after");
    const pushed = await countsAsApi(client);
    expect(pushed.counts.online).toBe(before + 1);
    expect(pushed.counts.platforms.iOS).toBeGreaterThanOrEqual(2);
    client.close();
  });

  it("takes accounts and the counts in one message: the counts, then the snapshots", async () => {
    const account = uniqueAccount("counts-both");
    const client = await openWatch();
    client.send({ type: "subscribe", accounts: [account], counts: true });
    const [counts, snapshot] = await client.take(2);
    expect([counts!.type, snapshot!.type]).toEqual(["counts", "snapshot"]);
    expect(snapshot!.snapshot.account).toBe(account);
    client.close();
  });

  it("keeps the subscription while the hub hibernates between pushes", { timeout: LIVE_COUNTS_MS }, async () => {
    const client = await openWatch();
    const { hub } = await subscribeCounts(client);
    const before = await runInDurableObject(hubStub(hub), (instance) => instance);
    await evictDurableObject(hubStub(hub));

    await login("counts-hibernated");
    await countsAsApi(client);
    expect(await runInDurableObject(hubStub(hub), (instance) => instance === before)).toBe(false);
    // Woken from its row again, the hub still takes the counts and says so.
    await evictDurableObject(hubStub(hub));
    expect(await hubStub(hub).deliverCounts('{"type":"counts","counts":{}}')).toBe(true);
    expect((await client.next()).counts).toEqual({});
    client.close();
  });

  it("unsubscribe takes the hub off the app's counts; its accounts stay watched", async () => {
    const account = uniqueAccount("counts-unsub");
    const client = await openWatch();
    const { hub } = await subscribeCounts(client);
    await client.subscribed([account]);
    client.send({ type: "unsubscribe", counts: true });
    await client.subscribed([account]); // messages are handled in order: the unsubscribe is done
    expect(await countWatchers()).not.toContain(hub);
    expect(await hubStub(hub).deliverCounts('{"type":"counts","counts":{}}')).toBe(false);
    expect(await registeredHubs(account)).toEqual([hub]);
    // Subscribing again works, and an unsubscribe of counts not watched is ignored.
    client.send({ type: "unsubscribe", counts: true });
    expect((await subscribeCounts(client)).hub).toBe(hub);
    client.close();
  });

  it("a closed connection leaves nothing: the totals object forgets the hub, the hub its storage", async () => {
    const account = uniqueAccount("counts-close");
    const client = await openWatch();
    const { hub } = await subscribeCounts(client);
    await client.subscribed([account]);
    client.close();
    await released(hub);
    expect(await countWatchers()).not.toContain(hub);
    expect(await registeredHubs(account)).toEqual([]);
  });
});

describe("who may watch the counts", () => {
  it("a watch token needs the counts permission; without it the message is refused whole", async () => {
    const account = uniqueAccount("counts-token");
    const plain = await openWatch({ token: await mintToken({ accounts: [account] }) });
    plain.send({ type: "subscribe", accounts: [account], counts: true });
    expect(await plain.next()).toEqual({
      type: "error",
      error: "forbidden",
      message: expect.stringContaining('mint one with {"counts":true} (POST /v1/apps/{app}/watch-tokens)'),
    });
    expect(await registeredHubs(account)).toEqual([]); // nothing of it was applied
    plain.close();

    const allowed = await openWatch({ token: await mintToken({ accounts: [account], counts: true }) });
    allowed.send({ type: "subscribe", accounts: [account], counts: true });
    expect((await allowed.take(2)).map((m) => m.type)).toEqual(["counts", "snapshot"]);
    allowed.close();
  });

  it("POST /watch-tokens refuses a counts that is not a boolean", async () => {
    const res = await apiFetch(`/v1/apps/${TEST_APP}/watch-tokens`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ counts: "yes" }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toBe(
      "counts: must be true or false (true: the token may watch the app's counts)",
    );
  });

  it("with ONLINE_INDEX=off a counts subscription is not_configured (and its accounts are not watched)", async () => {
    const account = uniqueAccount("counts-off");
    const { key, credential } = await apiCredential();
    const { client, hub } = await openHub({
      mode: "websocket",
      app: TEST_APP as AppId,
      expiresAt: null,
      scope: null,
      key,
      credential,
      countsAllowed: true,
    });
    await runInDurableObject(hubStub(hub), (instance) => {
      (instance as unknown as { env: Env }).env = { ...env, ONLINE_INDEX: "off" };
    });
    client.send({ type: "subscribe", accounts: [account], counts: true });
    expect(await client.next()).toEqual({
      type: "error",
      error: "not_configured",
      message:
        "the who-is-online index is off (ONLINE_INDEX=off), so there are no counts to watch: set ONLINE_INDEX=on",
    });
    expect(await registeredHubs(account)).toEqual([]);
    expect(await countWatchers()).not.toContain(hub);
    await client.subscribed([account]); // accounts alone still work
    client.close();
  });
});

async function apiCredential(): Promise<{ key: string; credential: string }> {
  const key = await keyFingerprint(TEST_API_TOKEN);
  return { key, credential: bearerCredential(key) };
}
