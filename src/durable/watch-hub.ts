// One watching connection (a WebSocket or an SSE stream) lives in its own WatchHub, named by a
// unique id. Users' objects call deliver() on it after their commits; it forwards to the
// client, a snapshot first and then each change once, in seq order (src/watch/sequencer.ts).
//
// WebSockets use the Hibernation API: between messages the hub leaves memory and costs no
// duration while the socket stays open. What it must remember survives that: the socket's
// attachment and one storage row (src/watch/hub-state.ts). SSE streams cannot hibernate: the
// hub stays in memory while one is open.
//
// A watch is a read: once the client is gone, nothing it caused remains. The hub unregisters
// from every user it watched (a user never seen is left with no storage at all), then deletes
// its own row. A connection lost without a close event (a restart) is found by the hub's alarm,
// which looks every CHECK_MS while the connection lasts. See docs/WATCH.md.
import { DurableObject } from "cloudflare:workers";
import { log } from "../lib/log";
import { forEachLimited } from "../lib/pool";
import type { AccountId } from "../presence/types";
import { errorMessage, parseClientMessage, PING, PONG, snapshotMessage, type WatchErrorCode } from "../watch/messages";
import { Sequencer } from "../watch/sequencer";
import { KEEPALIVE_MS, SSE_HEADERS, sseComment, sseFrame } from "../watch/sse";
import { loadConfig } from "../config";
import { configuredKeys } from "../watch/credential";
import { HUB_OPEN_HEADER, type HubOpen } from "../watch/hub-open";
import {
  attachmentOf,
  connectionOf,
  restore,
  STORED_KEY,
  storedOf,
  toRelease,
  type Attachment,
  type Connection,
  type Stored,
} from "../watch/hub-state";
import { gateSubscribe } from "../watch/subscribe-gate";
import { planUnsubscribe, unavailableMessage } from "../watch/subscriptions";
import { presenceStub } from "../user/stub";
import { CONCURRENT_CALLS, unregister } from "../watch/unregister";

/** How often the alarm checks that the connection is still there (a lost one is released then). */
const CHECK_MS = 10 * 60_000;
/** When the alarm tries again to unregister from users whose objects did not answer. */
const RETRY_MS = 60_000;

export class WatchHub extends DurableObject<Env> {
  /** Memory's copy of the connection; rebuilt from attachment and storage after hibernation. */
  private connection: Connection | null = null;
  private readonly sequencer = new Sequencer();
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
    this.write(sseComment(`presence-edge watch: ${open.accounts?.length ?? 0} accounts`));
    this.keepalive = setInterval(() => this.write(sseComment("keepalive")), KEEPALIVE_MS);
    this.enqueue(() => this.subscribe(open.accounts ?? []));
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
      const { type, accounts } = parsed.message;
      return type === "subscribe" ? this.subscribe(accounts) : this.unsubscribe(accounts);
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

  private async subscribe(accounts: readonly AccountId[]): Promise<void> {
    const keys = await configuredKeys(loadConfig(this.env).apiTokens);
    const connection = this.load();
    if (connection === null) return;
    const plan = gateSubscribe(connection, keys, accounts, Date.now());
    if (!plan.ok) return this.error(plan.error, plan.message);
    connection.budget = plan.budget;
    // The budget rides in the attachment: rewritten with it, it survives hibernation, for no row.
    for (const ws of this.ctx.getWebSockets()) {
      if (ws.readyState === WebSocket.OPEN) ws.serializeAttachment(attachmentOf(connection));
    }
    connection.accounts = plan.next;
    if (plan.added.length > 0) this.persist();
    await this.snapshots(connection, plan.snapshots, plan.added);
  }

  /** Registers this hub with each user's object and sends the snapshots, as they come back. */
  private async snapshots(connection: Connection, accounts: readonly AccountId[], added: readonly AccountId[]) {
    for (const account of accounts) this.sequencer.begin(account);
    const hub = this.ctx.id.toString();
    const failed: AccountId[] = [];
    const lost: AccountId[] = [];
    let refused: string | null = null;
    await forEachLimited(accounts, CONCURRENT_CALLS, async (account) => {
      if (this.connection !== connection) return; // the client left meanwhile: register no more
      try {
        const user = presenceStub(this.env, connection.app, account);
        const answer = await user.watch(connection.app, account, hub, connection.credential);
        if (!answer.ok) {
          refused = answer.message;
          failed.push(account);
          this.sequencer.abandon(account);
          return;
        }
        this.send(this.sequencer.snapshot(account, answer.seq, snapshotMessage(answer.snapshot)));
      } catch (error) {
        log({ msg: "watch subscribe failed", error: String(error) });
        failed.push(account);
        lost.push(account);
        this.sequencer.abandon(account);
      }
    });
    if (failed.length === 0) return;
    const dropped = new Set(failed.filter((account) => added.includes(account)));
    if (dropped.size > 0) {
      connection.accounts = new Set([...connection.accounts].filter((account) => !dropped.has(account)));
      // A call that failed may have registered all the same: released with the rest at the end.
      connection.leftovers = new Set([...connection.leftovers, ...lost.filter((account) => dropped.has(account))]);
      this.persist();
    }
    this.error("unavailable", unavailableMessage(failed, refused));
  }

  private async unsubscribe(accounts: readonly AccountId[]): Promise<void> {
    const connection = this.load();
    if (connection === null) return;
    const plan = planUnsubscribe(connection.accounts, accounts);
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
   * The client is gone: unregisters from every user the row lists, then deletes the row and the
   * alarm (deleteAll leaves not even an empty database behind). Users whose objects did not
   * answer stay in the row for the alarm to try again.
   */
  private async release(): Promise<void> {
    const stored = this.ctx.storage.kv.get<Stored>(STORED_KEY);
    const failed =
      stored === undefined ? [] : await unregister(this.env, stored.app, this.ctx.id.toString(), toRelease(stored));
    if (stored !== undefined && failed.length > 0) {
      this.ctx.storage.kv.put<Stored>(STORED_KEY, { ...stored, accounts: failed, leftovers: [] });
      await this.ctx.storage.setAlarm(Date.now() + RETRY_MS);
      return;
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
  private persist(): void {
    if (this.connection === null) return;
    this.ctx.storage.kv.put<Stored>(STORED_KEY, storedOf(this.connection));
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
