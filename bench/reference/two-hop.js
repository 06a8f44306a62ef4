// Two-hop ceiling: the least any who-is-online index (SPEC §12) must do for one callback, on
// top of the architecture ceiling (architecture.js). The Worker parses the callback and makes
// one RPC to the user's SQLite Durable Object (`<app>:<account>`), which does the same one
// upsert and answers; when the callback changes the user's status (a transition: Login,
// Logout, Disconnect), it also sends the user's row to the app's index shard
// (`<app>:16:<FNV-1a mod 16>`, shard-of.js) without the callback waiting for it
// (ctx.waitUntil, as presence-edge's feed does), and the shard does one upsert (or one delete
// when the user went offline), guarded by the user's sequence as presence-edge's is. A repeat
// of the user's status sends nothing. No signature, no state machine, no history, no counts.
// Built by the bench, never deployed; the bench judges steady ingest and first touch with
// the index on against it (docs/PERFORMANCE.md).
import { DurableObject } from "cloudflare:workers";
import { shardName, shardOf } from "./shard-of.js";

/** presence-edge's default ONLINE_INDEX_SHARDS. */
const SHARDS = 16;
const STATUS_OF_ACTION = { Login: 1, Disconnect: 2, Logout: 0 };

export class RefUser extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS state (id INTEGER PRIMARY KEY CHECK (id = 0), event_time INTEGER, body TEXT)",
    );
    /** The status the shard was last sent (in memory: after a restart the next change is sent). */
    this.sent = undefined;
    this.shard = null;
  }
  apply(app, account, action, eventTime, body) {
    const cursor = this.ctx.storage.sql.exec(
      "INSERT INTO state (id, event_time, body) VALUES (0, ?, ?) ON CONFLICT (id) DO UPDATE SET event_time = excluded.event_time, body = excluded.body",
      eventTime,
      body,
    );
    cursor.toArray();
    const status = STATUS_OF_ACTION[action];
    if (status !== undefined && status !== this.sent) {
      this.sent = status;
      this.shard ??= this.env.REF_SHARD.getByName(shardName(app, SHARDS, shardOf(account, SHARDS)));
      // The event's time is the row's sequence: each callback of the bench's workload is newer.
      this.ctx.waitUntil(this.shard.update(account, status, eventTime));
    }
    return { rowsRead: cursor.rowsRead, rowsWritten: cursor.rowsWritten };
  }
}

export class RefShard extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS users (account TEXT PRIMARY KEY, status INTEGER NOT NULL, platforms INTEGER NOT NULL, since INTEGER NOT NULL, seq INTEGER NOT NULL) WITHOUT ROWID",
    );
  }
  update(account, status, seq) {
    if (status === 0) {
      this.ctx.storage.sql.exec("DELETE FROM users WHERE account = ? AND seq < ?", account, seq);
      return;
    }
    this.ctx.storage.sql.exec(
      "INSERT INTO users (account, status, platforms, since, seq) VALUES (?, ?, 1, ?, ?) ON CONFLICT (account) DO UPDATE SET status = excluded.status, platforms = excluded.platforms, since = excluded.since, seq = excluded.seq WHERE excluded.seq > users.seq",
      account,
      status,
      seq,
      seq,
    );
  }
}

const OK = '{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}';

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (request.method === "POST" && url.pathname === "/callback") {
      const text = await request.text();
      const body = JSON.parse(text);
      const account = body?.Info?.To_Account;
      if (typeof account !== "string" || account.length === 0) {
        return new Response('{"ActionStatus":"FAIL","ErrorCode":1,"ErrorInfo":"Info.To_Account"}', { status: 400 });
      }
      const app = url.searchParams.get("SdkAppid") ?? "";
      const stub = env.REF_USER.getByName(`${app}:${account}`);
      const eventTime = Number.isSafeInteger(body.EventTime) ? body.EventTime : Date.now();
      const rows = await stub.apply(app, account, body.Info.Action, eventTime, text);
      return new Response(OK, {
        headers: {
          "content-type": "application/json",
          "x-storage-rows-read": String(rows.rowsRead),
          "x-storage-rows-written": String(rows.rowsWritten),
        },
      });
    }
    if (url.pathname === "/healthz") return new Response("ok");
    return new Response("not found", { status: 404 });
  },
};
