// The Server-Sent Events form of watch: the same messages, one SSE event each, named by the
// message type; the accounts come from ?accounts= (comma-separated, each URL-encoded), the
// app's counts from ?counts=1.
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { routed } from "../../src/api/router";
import { COUNTS_FORBIDDEN } from "../../src/watch/subscribe-gate";
import { mintWatchToken } from "../../src/watch/token";
import type { AppId } from "../../src/presence/types";
import { sendStateChange } from "../support/callback";
import { TEST_API_TOKEN, TEST_APP } from "../support/bindings";
import { uniqueAccount } from "../support/storage";
import { LIVE_COUNTS_MS } from "../support/timeouts";
import { drained, registeredHubs, watchPath } from "../support/watch";

/**
 * Sends changes until the hub has noticed the closed stream and the user's object dropped it.
 * The cancel travels to the hub on its own; each round trip is a callback and its answer.
 */
async function stopped(account: string): Promise<void> {
  for (let i = 0; (await registeredHubs(account)).length > 0; i++) {
    expect(i).toBeLessThan(100);
    await sendStateChange({ account, action: i % 2 ? "Logout" : "Login", eventTime: Date.now() + i });
    await drained(account);
  }
}

function sse(query: string, headers: Record<string, string> = { authorization: `Bearer ${TEST_API_TOKEN}` }) {
  return exports.default.fetch(`https://presence.test${watchPath()}?${query}`, {
    headers: { accept: "text/event-stream", ...headers },
  });
}

/** Reads SSE blocks ("…\n\n") from a response body as they arrive. */
class EventStream {
  private buffer = "";
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  constructor(res: Response) {
    this.reader = res.body!.getReader();
  }
  async block(): Promise<string> {
    for (;;) {
      const end = this.buffer.indexOf("\n\n");
      if (end >= 0) {
        const block = this.buffer.slice(0, end + 2);
        this.buffer = this.buffer.slice(end + 2);
        return block;
      }
      const { done, value } = await this.reader.read();
      if (done) throw new Error("stream ended");
      this.buffer += this.decoder.decode(value, { stream: true });
    }
  }
  /** The next event (comments skipped) as its name and parsed data. */
  async event(): Promise<{ name: string; data: any; raw: string }> {
    for (;;) {
      const raw = await this.block();
      if (raw.startsWith(":")) continue;
      const [nameLine, dataLine, ...rest] = raw.slice(0, -2).split("\n");
      expect(rest).toEqual([]);
      expect(nameLine).toMatch(/^event: [a-z]+$/);
      expect(dataLine).toMatch(/^data: \{/);
      return { name: nameLine!.slice(7), data: JSON.parse(dataLine!.slice(6)), raw };
    }
  }
  cancel() {
    return this.reader.cancel();
  }
}

const NOTHING_TO_WATCH =
  "accounts: list at least one account (?accounts=alice,bob), or ask for the app's counts (?counts=1)";

describe("watch over Server-Sent Events", () => {
  it("frames a snapshot per account, then each event, as named SSE events", async () => {
    const [alice, comma] = [uniqueAccount("sse"), `${uniqueAccount("sse")},x y`];
    const res = await sse(`accounts=${encodeURIComponent(alice)},${encodeURIComponent(comma)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const stream = new EventStream(res);
    expect(await stream.block()).toBe(": presence-edge watch: 2 accounts\n\n");
    const snapshots = [await stream.event(), await stream.event()];
    expect(snapshots.map((e) => e.name)).toEqual(["snapshot", "snapshot"]);
    expect(new Set(snapshots.map((e) => e.data.snapshot.account))).toEqual(new Set([alice, comma]));

    expect((await sendStateChange({ account: comma, action: "Login", eventTime: Date.now() })).status).toBe(200);
    const login = await stream.event();
    expect(login.name).toBe("event");
    expect(login.data).toMatchObject({
      type: "event",
      event: { type: "device.status_changed", data: { account: comma } },
    });
    expect(login.raw).toBe(`event: event\ndata: ${JSON.stringify(login.data)}\n\n`);
    expect((await stream.event()).data.event.type).toBe("user.status_changed");
    await stream.cancel();
  });

  it("a closed stream stops watching: the user's object drops the hub at its next change", async () => {
    const account = uniqueAccount("sse-gone");
    const stream = new EventStream(await sse(`accounts=${account}`));
    await stream.event();
    expect(await registeredHubs(account)).toHaveLength(1);
    await stream.cancel();
    await stopped(account);
    expect(await registeredHubs(account)).toEqual([]);
  });

  it("accepts a watch token in the URL and keeps to its scope", async () => {
    const [alice, bob] = [uniqueAccount("sse-a"), uniqueAccount("sse-b")];
    const token = await mintWatchToken(TEST_API_TOKEN, {
      app: TEST_APP as AppId,
      expiresAt: Date.now() + 60_000,
      accounts: [alice as never],
    });
    const refused = await sse(`accounts=${alice},${bob}&token=${token}`, {});
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({
      error: "forbidden",
      message: "accounts.1: not in this watch token's scope",
    });
    const res = await sse(`accounts=${alice}&token=${token}`, {});
    expect(res.status).toBe(200);
    const stream = new EventStream(res);
    expect((await stream.event()).data.snapshot.account).toBe(alice);
    await stream.cancel();
  });

  it("refuses bad account lists before opening the stream", async () => {
    const cases: [string, number, string][] = [
      ["", 400, NOTHING_TO_WATCH],
      ["accounts=", 400, NOTHING_TO_WATCH],
      ["counts=0", 400, NOTHING_TO_WATCH],
      ["counts=yes", 400, "counts: must be 1 (watch the app's counts) or 0 (do not)"],
      ["accounts=a,,b", 400, "accounts.1: must be 1 to 128 bytes of UTF-8"],
      ["accounts=%E0%A4%A", 400, "accounts.0: not valid URL encoding"],
      [
        `accounts=${Array.from({ length: 1001 }, (_, i) => `u${i}`).join(",")}`,
        400,
        "accounts: must hold at most 1000 accounts",
      ],
    ];
    for (const [query, status, message] of cases) {
      const res = await sse(query);
      expect([res.status, ((await res.json()) as { message: string }).message]).toEqual([status, message]);
    }
  });

  it(
    "?counts=1 streams the app's counts, at once and after a change, with or without accounts",
    async () => {
      const stream = new EventStream(await sse("counts=1"));
      expect(await stream.block()).toBe(": presence-edge watch: 0 accounts and the app's counts\n\n");
      const first = await stream.event();
      expect(first.name).toBe("counts");
      expect(first.data).toMatchObject({ type: "counts", counts: { app: TEST_APP, online: expect.any(Number) } });
      const account = uniqueAccount("sse-counts");
      expect((await sendStateChange({ account, action: "Login", eventTime: Date.now() })).status).toBe(200);
      for (let i = 0; ; i++) {
        expect(i).toBeLessThan(100);
        const next = await stream.event();
        if (next.name === "counts" && next.data.counts.online === first.data.counts.online + 1) break;
      }
      await stream.cancel();

      const both = new EventStream(await sse(`accounts=${account}&counts=true`));
      expect([(await both.event()).name, (await both.event()).name]).toEqual(["counts", "snapshot"]);
      await both.cancel();
    },
    LIVE_COUNTS_MS,
  );

  it("?counts=1 needs the API token or a watch token minted with counts", async () => {
    const claims = { app: TEST_APP as AppId, expiresAt: Date.now() + 60_000, accounts: null };
    const plain = await mintWatchToken(TEST_API_TOKEN, claims);
    const refused = await sse(`counts=1&token=${plain}`, {});
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: "forbidden", message: COUNTS_FORBIDDEN });
    const allowed = await mintWatchToken(TEST_API_TOKEN, { ...claims, counts: true });
    const res = await sse(`counts=1&token=${allowed}`, {});
    expect(res.status).toBe(200);
    const stream = new EventStream(res);
    expect((await stream.event()).name).toBe("counts");
    await stream.cancel();
  });

  it("?counts=1 with ONLINE_INDEX=off answers 409 not_configured", async () => {
    const off = { ...env, ONLINE_INDEX: "off" } as Env;
    const request = new Request(`https://presence.test${watchPath()}?counts=1`, {
      headers: { accept: "text/event-stream", authorization: `Bearer ${TEST_API_TOKEN}` },
    });
    const res = await routed(request, off);
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: string }).error).toBe("not_configured");
  });

  it("without an upgrade or an event-stream Accept, answers 426 with what to send", async () => {
    const res = await exports.default.fetch(`https://presence.test${watchPath()}`, {
      headers: { authorization: `Bearer ${TEST_API_TOKEN}` },
    });
    expect(res.status).toBe(426);
    expect(((await res.json()) as { message: string }).message).toMatch(/Upgrade: websocket.*text\/event-stream/);
    const post = await exports.default.fetch(`https://presence.test${watchPath()}`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_API_TOKEN}` },
    });
    expect([post.status, post.headers.get("allow")]).toEqual([405, "GET, HEAD"]);
  });
});
