// A watch client for tests: opens GET /v1/apps/{app}/watch through the Worker, queues what the
// server sends, and lets a test wait for messages without sleeping.
import { env, exports } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { expect, vi } from "vitest";
import type { UserPresence } from "../../src/durable/user-presence";
import { HUB_OPEN_HEADER, type HubOpen } from "../../src/watch/hub-open";
import { TEST_API_TOKEN, TEST_APP } from "./bindings";
import { stubFor } from "./storage";

export type Message = { type: string; [field: string]: any };

export const watchPath = (app = TEST_APP) => `/v1/apps/${app}/watch`;

/** Opens a WebSocket watch; throws with the server's answer when it is not a 101. */
export async function openWatch(
  o: { app?: string; token?: string | null; query?: string; bearer?: string | null } = {},
): Promise<WatchClient> {
  const res = await upgrade(o);
  if (res.status !== 101 || res.webSocket === null) throw new Error(`watch: ${res.status} ${await res.text()}`);
  return new WatchClient(res.webSocket);
}

/** The raw answer to a WebSocket upgrade request. */
export function upgrade(
  o: { app?: string; token?: string | null; query?: string; bearer?: string | null } = {},
): Promise<Response> {
  const headers = new Headers({ upgrade: "websocket" });
  const bearer = o.bearer === undefined ? (o.token ? null : TEST_API_TOKEN) : o.bearer;
  if (bearer !== null) headers.set("authorization", `Bearer ${bearer}`);
  const params = new URLSearchParams(o.query ?? "");
  if (o.token) params.set("token", o.token);
  const query = params.size > 0 ? `?${params}` : "";
  return exports.default.fetch(`https://presence.test${watchPath(o.app)}${query}`, { headers });
}

export class WatchClient {
  /** Every message received, in order. */
  readonly received: Message[] = [];
  private cursor = 0;
  private wake: (() => void) | null = null;
  closed: { code: number; reason: string } | null = null;

  constructor(readonly socket: WebSocket) {
    socket.accept();
    socket.addEventListener("message", (e) => {
      this.received.push(JSON.parse(e.data as string) as Message);
      this.wake?.();
    });
    socket.addEventListener("close", (e) => {
      this.closed = { code: e.code, reason: e.reason };
      this.wake?.();
    });
  }

  send(message: unknown): void {
    this.socket.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  subscribe(accounts: string[]): void {
    this.send({ type: "subscribe", accounts });
  }

  /** The next message not yet taken, waiting for it if needed. */
  async next(): Promise<Message> {
    while (this.cursor >= this.received.length) {
      if (this.closed) throw new Error(`socket closed (${this.closed.code}) while waiting for a message`);
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    return this.received[this.cursor++]!;
  }

  /** The next `n` messages. */
  async take(n: number): Promise<Message[]> {
    const out: Message[] = [];
    while (out.length < n) out.push(await this.next());
    return out;
  }

  /** Messages received but not taken yet. */
  untaken(): Message[] {
    return this.received.slice(this.cursor);
  }

  /** Subscribes and returns the snapshots, one per account. */
  async subscribed(accounts: string[]): Promise<Message[]> {
    this.subscribe(accounts);
    return this.take(new Set(accounts).size);
  }

  close(): void {
    this.socket.close(1000, "done");
  }
}

/** Hub ids registered in the user's object. */
export function registeredHubs(account: string, app = TEST_APP): Promise<string[]> {
  return runInDurableObject(stubFor(account, app), (_instance, state) => {
    const exists = state.storage.sql
      .exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'watchers'")
      .toArray().length;
    if (exists === 0) return [];
    return state.storage.sql
      .exec<{ hub: string }>("SELECT hub FROM watchers")
      .toArray()
      .map((r) => r.hub);
  });
}

export const hubStub = (hub: string) => env.WATCH_HUB.get(env.WATCH_HUB.idFromString(hub));

/**
 * Opens a WebSocket on a new hub directly, as the Worker does after its checks: for a
 * connection the Worker let in under a configuration that has changed since.
 */
export async function openHub(open: HubOpen): Promise<{ client: WatchClient; hub: string }> {
  const hub = env.WATCH_HUB.newUniqueId().toString();
  const res = await hubStub(hub).fetch("https://watch-hub/open", {
    headers: { upgrade: "websocket", [HUB_OPEN_HEADER]: JSON.stringify(open) },
  });
  if (res.status !== 101 || res.webSocket === null) throw new Error(`hub: ${res.status} ${await res.text()}`);
  return { client: new WatchClient(res.webSocket), hub };
}

/** The attachment of a hub's open WebSocket and its stored row. */
export const hubState = (hub: string) =>
  runInDurableObject(hubStub(hub), (_instance, state) => ({
    attachment: state.getWebSockets()[0]?.deserializeAttachment() as Record<string, unknown> | undefined,
    stored: state.storage.kv.get<Record<string, unknown>>("watch"),
  }));

export const usage = (account: string, app = TEST_APP) =>
  runInDurableObject(stubFor(account, app), (instance: UserPresence) => instance.storageUsage());

/** Waits until the user's object has its answers from every hub it called. */
export const drained = (account: string, app = TEST_APP) =>
  runInDurableObject(stubFor(account, app), (instance: UserPresence) =>
    (instance as unknown as { watchers: { drained(): Promise<void> } }).watchers.drained(),
  );

/** Whether a hub still holds anything: its row or its alarm. */
export const hubHolds = (hub: string) =>
  runInDurableObject(
    hubStub(hub),
    async (_instance, state) =>
      state.storage.kv.get("watch") !== undefined || (await state.storage.getAlarm()) !== null,
  );

/**
 * Waits until a closed connection's hub has released everything (its row goes last). Polls:
 * the close reaches the hub on its own, and then one unregister call per watched user.
 */
export const released = (hub: string) =>
  vi.waitFor(async () => expect(await hubHolds(hub)).toBe(false), { timeout: 30_000, interval: 20 });
