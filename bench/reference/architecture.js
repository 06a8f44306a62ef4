// Architecture ceiling: the minimum any "Durable Object per user, SQLite storage" design
// must do for one callback. The Worker parses the same callback body, takes the account
// from it and forwards the event over RPC to the user's Durable Object, which does one
// SQLite upsert and nothing else (no signature check, no state machine, no history).
// It writes exactly one row per callback of any kind (applied, duplicate, stale or first
// touch: it cannot tell them apart), which is also presence-edge's bound (at most one row per
// callback, docs/PERFORMANCE.md), so the two pay the same storage work per callback and the
// ratio measures the rest. Built by the bench, never deployed. It also carries the storage-row counters the bench
// asks the real Worker to expose (x-storage-rows-read / x-storage-rows-written headers),
// and a plain 500-way fan-out for POST /query (the reference for the batch read).
import { DurableObject } from "cloudflare:workers";

export class RefUser extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS state (id INTEGER PRIMARY KEY CHECK (id = 0), event_time INTEGER, body TEXT)",
    );
  }
  apply(eventTime, body) {
    const cursor = this.ctx.storage.sql.exec(
      "INSERT INTO state (id, event_time, body) VALUES (0, ?, ?) ON CONFLICT (id) DO UPDATE SET event_time = excluded.event_time, body = excluded.body",
      eventTime,
      body,
    );
    cursor.toArray();
    return { rowsRead: cursor.rowsRead, rowsWritten: cursor.rowsWritten };
  }
  get() {
    const row = this.ctx.storage.sql.exec("SELECT event_time, body FROM state WHERE id = 0").toArray()[0];
    return row ? { eventTime: row.event_time, body: row.body } : null;
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
      const rows = await stub.apply(eventTime, text);
      return new Response(OK, {
        headers: {
          "content-type": "application/json",
          "x-storage-rows-read": String(rows.rowsRead),
          "x-storage-rows-written": String(rows.rowsWritten),
        },
      });
    }
    const query = url.pathname.match(/^\/v1\/apps\/([^/]+)\/presence\/query$/);
    if (request.method === "POST" && query) {
      const { accounts } = await request.json();
      const app = decodeURIComponent(query[1]);
      const results = await Promise.all(
        accounts.map(async (account) => ({ account, state: await env.REF_USER.getByName(`${app}:${account}`).get() })),
      );
      return Response.json({ results });
    }
    if (url.pathname === "/healthz") return new Response("ok");
    return new Response("not found", { status: 404 });
  },
};
