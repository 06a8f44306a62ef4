// One watching connection (a WebSocket or an SSE stream) lives in its own WatchHub, named by a
// unique id. Users' objects call deliver() on it after their commits; it forwards to the
// client, a snapshot first and then each change once, in seq order (src/watch/sequencer.ts).
// A connection may also watch the app's counts: the app's totals object calls deliverCounts
// (src/watch/hub-counts.ts).
//
// WebSockets use the Hibernation API: between messages the hub leaves memory and costs no
// duration while the socket stays open. What it must remember survives that: the socket's
// attachment and one storage row (src/watch/hub-state.ts). SSE streams cannot hibernate: the
// hub stays in memory while one is open.
//
// A watch is a read: once the client is gone, nothing it caused remains. The hub unregisters
// from every user it watched (a user never seen is left with no storage at all) and from the
// app's counts, then deletes its own row. A connection lost without a close event (a restart)
// is found by the hub's alarm, which looks every CHECK_MS while the connection lasts. See
// docs/WATCH.md.
import { DurableObject } from "cloudflare:workers";
import { log } from "../lib/log";
import type { AccountId } from "../presence/types";
import {
  errorMessage,
  parseClientMessage,
  PING,
  PONG,
  type ClientMessage,
  type WatchErrorCode,
} from "../watch/messages";
import { Sequencer } from "../watch/sequencer";
import { KEEPALIVE_MS, SSE_HEADERS, sseComment, sseFrame } from "../watch/sse";
import { loadConfig } from "../config";
import { configuredKeys } from "../watch/credential";
import { HUB_OPEN_HEADER, type HubOpen } from "../watch/hub-open";
import { HubCounts, totalsLink } from "../watch/hub-counts";
import {
  attachmentOf,
  connectionOf,
  restore,
  STORED_KEY,
  storedOf,
  type Attachment,
  type Connection,
  type Stored,
} from "../watch/hub-state";
import { gateSubscribe } from "../watch/subscribe-gate";
import { planUnsubscribe, unavailableMessage } from "../watch/subscriptions";
import { releaseStored, unregister } from "../watch/unregister";
import { dropUnwatched, watchUsers } from "../watch/user-snapshots";

/** How often the alarm checks that the connection is still there (a lost one is released then). */
const CHECK_MS = 10 * 60_000;
/** When the alarm tries again to unregister from users whose objects did not answer. */
const RETRY_MS = 60_000;

export class WatchHub extends DurableObject<Env> {
  /** Memory's copy of the connection; rebuilt from attachment and storage after hibernation. */
  private connection: Connection | null = null;
  private readonly sequencer = new Sequencer();
  private readonly counts = new HubCounts();
  /** Client messages are handled one at a time, in order. */
  private work: Promise<void> = Promise.resolve();
  private sse: WritableStreamDefaultWriter<Uint8Array> | null = null;
  private keepalive: ReturnType<typeof setInterval> | null = null;
  /** The client is gone and the release is under way (or done). */
  private releasing = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Pings are answered by the runtime itself: a client may keep its connection warm for free.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
  }

  override async fetch(request: Request): Promise<Response> {
    const open = JSON.parse(request.headers.get(HUB_OPEN_HEADER) ?? "null") as HubOpen | null;
    if (open === null) return new Response("not a watch connection", { status: 400 });
    const connection = connectionOf(open, Date.now());
    this.connection = connection;
    await this.ctx.storage.setAlarm(Date.now() + CHECK_MS);
    if (open.mode === "websocket") {
      const pair = new WebSocketPair();
      this.ctx.acceptWebSocket(pair[1]);
      pair[1].serializeAttachment(attachmentOf(connection));
      if (open.scope !== null) this.persist();
      return new Response(null, { status: 101, webSocket: pair[0] });
    }
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    this.sse = writer;
    // The client went away: the stream errors, and the hub stops watching.
    writer.closed.catch(() => this.close());
    const counts = open.counts ? " and the app's counts" : "";
    this.write(sseComment(`presence-edge watch: ${open.accounts?.length ?? 0} accounts${counts}`));
    this.keepalive = setInterval(() => this.write(sseComment("keepalive")), KEEPALIVE_MS);
    this.enqueue(() => this.subscribe({ accounts: [...(open.accounts ?? [])], counts: open.counts ?? false }));
    return new Response(readable, { headers: SSE_HEADERS });
  }

  /**
   * Called by a watched user's object after it committed a change. Returns false when this
   * connection no longer watches the account (or is closed): the caller drops its registration.
   */
  deliver(account: AccountId, seq: number, messages: string[]): boolean {
    const connection = this.load();
    if (connection === null || !connection.accounts.has(account)) return false;
    this.send(this.sequencer.offer(account, { seq, messages }));
    return true;
  }

  /** The app's counts, from its totals object; false when this connection no longer watches them. */
  deliverCounts(json: string): boolean {
    const messages = this.counts.deliver(this.load(), json);
    if (messages !== null) this.send(messages);
    return messages !== null;
  }

  /**
   * The user was erased (DELETE or retention), and its registry with it. The hub watches it
   * again once the erasure is done (calls to the user's object wait for it): the client gets
   * a fresh snapshot (`unknown`, version 0) and keeps getting the user's changes.
   */
  erased(account: AccountId): void {
    const connection = this.load();
    if (connection === null || !connection.accounts.has(account)) return;
    this.sequencer.begin(account);
    void this.enqueue(() => this.snapshots(connection, [account], []));
  }

  override webSocketMessage(_ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    return this.enqueue(async () => {
      const parsed = parseClientMessage(data);
      if (!parsed.ok) return this.error("bad_message", parsed.error);
      return parsed.message.type === "subscribe" ? this.subscribe(parsed.message) : this.unsubscribe(parsed.message);
    });
  }

  override webSocketClose(ws: WebSocket, code: number, reason: string): void {
    try {
      ws.close(code, reason);
    } catch {
      // already closed
    }
    this.close();
  }

  override webSocketError(_ws: WebSocket, error: unknown): void {
    log({ msg: "watch socket error", error: String(error) });
    this.close();
  }

  /** While the connection lasts, looks again later; once it is gone (however), releases it. */
  override async alarm(): Promise<void> {
    if (this.load() !== null) return this.ctx.storage.setAlarm(Date.now() + CHECK_MS);
    this.close();
    await this.work;
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.work.then(task).catch((error: unknown) => {
      log({ msg: "watch hub error", error: String(error) });
      this.error("unavailable", "the server failed to handle that message: send it again");
    });
    this.work = run;
    return run;
  }

  private async subscribe(request: Omit<ClientMessage, "type">): Promise<void> {
    const config = loadConfig(this.env);
    const keys = await configuredKeys(config.apiTokens);
    const connection = this.load();
    if (connection === null) return;
    const plan = gateSubscribe(connection, keys, request, Date.now(), config.onlineIndex);
    if (!plan.ok) return this.error(plan.error, plan.message);
    connection.budget = plan.budget;
    // The budget rides in the attachment: rewritten with it, it survives hibernation, for no row.
    for (const ws of this.ctx.getWebSockets()) {
      if (ws.readyState === WebSocket.OPEN) ws.serializeAttachment(attachmentOf(connection));
    }
    connection.accounts = plan.next;
    if (plan.added.length > 0) this.persist();
    if (plan.counts) {
      const link = totalsLink(this.env, config.onlineIndexShards);
      const outcome = await this.counts.subscribe(link, connection, this.ctx.id.toString());
      if (outcome.persist) this.persist(connection);
      this.send(outcome.messages);
      if (outcome.error !== null) this.error("unavailable", outcome.error);
    }
    await this.snapshots(connection, plan.snapshots, plan.added);
  }

  /** Registers this hub with each user's object and sends the snapshots, as they come back. */
  private async snapshots(connection: Connection, accounts: readonly AccountId[], added: readonly AccountId[]) {
    const out = { current: () => this.connection === connection, send: (m: readonly string[]) => this.send(m) };
    const outcome = await watchUsers(this.env, this.ctx.id.toString(), connection, accounts, this.sequencer, out);
    if (outcome.failed.length === 0) return;
    if (dropUnwatched(connection, outcome, added)) this.persist();
    this.error("unavailable", unavailableMessage(outcome.failed, outcome.refused));
  }

  private async unsubscribe(request: Omit<ClientMessage, "type">): Promise<void> {
    const connection = this.load();
    if (connection === null) return;
    if (request.counts) {
      const link = totalsLink(this.env, loadConfig(this.env).onlineIndexShards);
      if (await this.counts.unsubscribe(link, connection, this.ctx.id.toString())) this.persist(connection);
    }
    const plan = planUnsubscribe(connection.accounts, request.accounts);
    if (plan.removed.length === 0) return;
    connection.accounts = plan.next;
    this.persist();
    for (const account of plan.removed) this.sequencer.forget(account);
    const failed = await unregister(this.env, connection.app, this.ctx.id.toString(), plan.removed);
    // A registration left behind is dropped at the user's next change (deliver → false), and
    // by the release at the end, for a user that never changes.
    if (failed.length > 0 && this.connection === connection) {
      connection.leftovers = new Set([...connection.leftovers, ...failed]);
      this.persist();
    }
  }

  /**
   * The client is gone: unregisters from every user the row lists and from the app's counts,
   * then deletes the row and the alarm (deleteAll leaves not even an empty database behind).
   * What did not answer stays in the row for the alarm to try again.
   */
  private async release(): Promise<void> {
    const stored = this.ctx.storage.kv.get<Stored>(STORED_KEY);
    const link = totalsLink(this.env, loadConfig(this.env).onlineIndexShards);
    const left = stored && (await releaseStored(this.env, link, this.ctx.id.toString(), stored));
    if (left) {
      this.ctx.storage.kv.put<Stored>(STORED_KEY, left);
      return this.ctx.storage.setAlarm(Date.now() + RETRY_MS);
    }
    await this.ctx.storage.deleteAll(); // the alarm too (compatibility date 2026-02-24 on)
  }

  /**
   * The connection, from memory or (after hibernation) from the socket and storage; null
   * once the client is gone, even before webSocketClose has run.
   */
  private load(): Connection | null {
    if (this.connection?.mode === "sse") return this.connection;
    const socket = this.ctx.getWebSockets().find((ws) => ws.readyState === WebSocket.OPEN);
    if (socket === undefined) {
      if (this.connection !== null) this.close();
      return null;
    }
    if (this.connection === null) {
      this.connection = restore(socket.deserializeAttachment() as Attachment, this.ctx.storage.kv.get(STORED_KEY));
      if (this.connection === null) {
        // Fail closed: a scoped connection whose scope is lost watches nothing; the client reconnects.
        log({ msg: "watch hub lost its stored scope: closing the connection" });
        socket.close(1011, "this connection lost its state: reconnect");
        this.close();
      }
    }
    return this.connection;
  }

  /**
   * One row: written on subscribe and unsubscribe (and at open for a scoped token), never per
   * change. A stream's too: its hub may be restarted, and the row is what it must release.
   */
  private persist(connection = this.connection): void {
    // A connection closed meanwhile is written too: its release, queued after, reads the row.
    if (connection === null) return;
    this.ctx.storage.kv.put<Stored>(STORED_KEY, storedOf(connection));
  }

  /** The client is gone: the release runs once, after the message being handled. */
  private close(): void {
    this.connection = null;
    if (this.keepalive !== null) clearInterval(this.keepalive);
    this.keepalive = null;
    this.sse = null;
    if (this.releasing) return;
    this.releasing = true;
    void this.enqueue(() => this.release());
  }

  private error(error: WatchErrorCode, message: string): void {
    this.send([errorMessage(error, message)]);
  }

  private send(messages: readonly string[]): void {
    for (const message of messages) {
      if (this.sse !== null) this.write(sseFrame(message));
      else for (const ws of this.ctx.getWebSockets()) if (ws.readyState === WebSocket.OPEN) ws.send(message);
    }
  }

  private write(bytes: Uint8Array): void {
    // Not awaited: a slow reader must not hold up the hub (delivery is at most once).
    this.sse?.write(bytes).catch(() => this.close());
  }
}
