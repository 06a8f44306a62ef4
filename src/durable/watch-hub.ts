// One watching connection (a WebSocket or an SSE stream) lives in its own WatchHub, named by a
// unique id. Users' objects call deliver() on it after their commits; it forwards to the
// client, a snapshot first and then each change once, in seq order (src/watch/sequencer.ts).
//
// WebSockets use the Hibernation API: between messages the hub leaves memory and costs no
// duration while the socket stays open. What it must remember survives that: the socket's
// attachment holds the app and the token's expiry (a few bytes); the watched accounts and the
// token's scope (up to 1 000 ids of 128 bytes, too big for an attachment) are one storage row,
// written on subscribe and unsubscribe only. SSE streams cannot hibernate: the hub stays in
// memory while one is open. See docs/WATCH.md.
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
  type Attachment,
  type Connection,
  type Stored,
} from "../watch/hub-state";
import { planSubscribe, planUnsubscribe } from "../watch/subscriptions";
import { presenceStub } from "../user/stub";

/** User objects called at once while subscribing. */
const CONCURRENT_CALLS = 50;

export class WatchHub extends DurableObject<Env> {
  /** Memory's copy of the connection; rebuilt from attachment and storage after hibernation. */
  private connection: Connection | null = null;
  private readonly sequencer = new Sequencer();
  /** Client messages are handled one at a time, in order. */
  private work: Promise<void> = Promise.resolve();
  private sse: WritableStreamDefaultWriter<Uint8Array> | null = null;
  private keepalive: ReturnType<typeof setInterval> | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Pings are answered by the runtime itself: a client may keep its connection warm for free.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
  }

  override async fetch(request: Request): Promise<Response> {
    const open = JSON.parse(request.headers.get(HUB_OPEN_HEADER) ?? "null") as HubOpen | null;
    if (open === null) return new Response("not a watch connection", { status: 400 });
    const connection = connectionOf(open);
    this.connection = connection;
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

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.work.then(task).catch((error: unknown) => {
      log({ msg: "watch hub error", error: String(error) });
      this.error("unavailable", "the server failed to handle that message: send it again");
    });
    this.work = run;
    return run;
  }

  private async subscribe(accounts: readonly AccountId[]): Promise<void> {
    const connection = this.load();
    if (connection === null) return;
    if (connection.expiresAt !== null && Date.now() >= connection.expiresAt) {
      return this.error(
        "token_expired",
        `this connection's watch token expired at ${new Date(connection.expiresAt).toISOString()}: reconnect with a new token`,
      );
    }
    // Rotation revokes: the API token that let this connection in must still be configured.
    if (!(await configuredKeys(loadConfig(this.env).apiTokens)).has(connection.key)) {
      return this.error(
        "token_revoked",
        "the API token that authorised this connection was removed from API_TOKENS: reconnect with a current credential",
      );
    }
    const plan = planSubscribe(connection.accounts, connection.scope, accounts);
    if (!plan.ok) return this.error(plan.error, plan.message);
    connection.accounts = plan.next;
    if (plan.added.length > 0) this.persist();
    await this.snapshots(connection, plan.snapshots, plan.added);
  }

  /** Registers this hub with each user's object and sends the snapshots, as they come back. */
  private async snapshots(connection: Connection, accounts: readonly AccountId[], added: readonly AccountId[]) {
    for (const account of accounts) this.sequencer.begin(account);
    const hub = this.ctx.id.toString();
    const failed: AccountId[] = [];
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
        this.sequencer.abandon(account);
      }
    });
    if (failed.length === 0) return;
    const dropped = new Set(failed.filter((account) => added.includes(account)));
    if (dropped.size > 0) {
      connection.accounts = new Set([...connection.accounts].filter((account) => !dropped.has(account)));
      this.persist();
    }
    const names = failed
      .slice(0, 5)
      .map((account) => JSON.stringify(account))
      .join(", ");
    const more = failed.length > 5 ? ` and ${failed.length - 5} more` : "";
    this.error(
      "unavailable",
      `could not watch ${names}${more}: ${refused ?? "the user's object did not answer"}; subscribe to them again later`,
    );
  }

  private async unsubscribe(accounts: readonly AccountId[]): Promise<void> {
    const connection = this.load();
    if (connection === null) return;
    const plan = planUnsubscribe(connection.accounts, accounts);
    if (plan.removed.length === 0) return;
    connection.accounts = plan.next;
    this.persist();
    for (const account of plan.removed) this.sequencer.forget(account);
    const hub = this.ctx.id.toString();
    // A failed call leaves a registration behind; the user's next change drops it (deliver → false).
    await forEachLimited(plan.removed, CONCURRENT_CALLS, (account) =>
      presenceStub(this.env, connection.app, account)
        .unwatch(hub)
        .catch((error: unknown) => log({ msg: "watch unsubscribe failed", error: String(error) })),
    );
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

  /** One row: written on subscribe and unsubscribe (and at open for a scoped token), never per change. */
  private persist(): void {
    // A stream cannot outlive the hub's memory: nothing to keep for it.
    if (this.connection === null || this.connection.mode === "sse") return;
    this.ctx.storage.kv.put<Stored>(STORED_KEY, storedOf(this.connection));
  }

  /** The client is gone. Registrations at users' objects are dropped at their next change. */
  private close(): void {
    // deleteAll leaves not even the empty database behind (a few KB of billed storage).
    if (this.connection?.mode !== "sse") void this.ctx.storage.deleteAll();
    this.connection = null;
    if (this.keepalive !== null) clearInterval(this.keepalive);
    this.keepalive = null;
    this.sse = null;
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
