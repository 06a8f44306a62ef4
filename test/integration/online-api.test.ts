// The who-is-online endpoints' contract (SPEC §12): their answers' shapes, every bad input a 400
// whose message names the parameter and the fix, a malformed or foreign cursor a 400, a 409
// naming ONLINE_INDEX when the index is off; and reads create no storage in users' objects.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { routed } from "../../src/api/router";
import { apiFetch } from "../support/api";
import { OTHER_APP, TEST_API_TOKEN, TEST_APP } from "../support/bindings";
import { sendStateChange } from "../support/callback";
import { listAll, settle, shardAt, shardIndexOf, SHARDS } from "../support/online";
import { storedTables, uniqueAccount } from "../support/storage";

const online = (rest = "", app = TEST_APP) => `/v1/apps/${app}/online${rest}`;

async function badRequest(path: string): Promise<string> {
  const res = await apiFetch(path);
  const body = (await res.json()) as { error: string; message: string };
  expect(res.status, body.message).toBe(400);
  expect(body.error).toBe("bad_request");
  return body.message;
}

describe("GET /online/users", () => {
  it("pages with a cursor to the end; a page's users are listed once each, in shard and account order", async () => {
    const accounts = Array.from({ length: 12 }, (_, i) => uniqueAccount(`page${i}`));
    const t = Date.now() - 10_000;
    for (const account of accounts) {
      await sendStateChange({ account, action: "Login", eventTime: t }, { optPlatform: "Web" });
      await settle(account);
    }
    const res = await apiFetch(online("/users?limit=5&platform=Web"));
    expect(res.status).toBe(200);
    const first = (await res.json()) as { users: { account: string }[]; cursor: string | null };
    expect(first.users.length).toBeLessThanOrEqual(5);
    expect(first.cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const all = await listAll({ limit: "5", platform: "Web" });
    expect(new Set(all.map((u) => u.account)).size).toBe(all.length);
    expect(all.map((u) => u.account)).toEqual(expect.arrayContaining(accounts));
    expect(all.every((u) => u.status === "online" && u.platforms.includes("Web"))).toBe(true);
    const order = (a: string, b: string) => shardIndexOf(a) - shardIndexOf(b) || (a < b ? -1 : a > b ? 1 : 0);
    const walked = all.map((u) => u.account);
    expect(walked).toEqual([...walked].sort(order));
  });

  it("refuses bad parameters, naming each and the fix", async () => {
    expect(await badRequest(online("/users?status=away"))).toBe("status: must be one of online, disconnected, any");
    expect(await badRequest(online("/users?platform=ios"))).toMatch(
      /^platform: must be one of iOS, Android, .*Unknown/,
    );
    expect(await badRequest(online("/users?limit=0"))).toBe("limit: must be a whole number from 1 to 1000");
    expect(await badRequest(online("/users?limit=1001"))).toBe("limit: must be a whole number from 1 to 1000");
    expect(await badRequest(online("/users?limit=ten"))).toBe("limit: must be a whole number from 1 to 1000");
  });

  it("refuses a malformed cursor, and a cursor made for another listing", async () => {
    const malformed = await badRequest(online("/users?cursor=not%20a%20cursor"));
    expect(malformed).toMatch(/^cursor is malformed: pass the cursor of the previous page/);
    expect(await badRequest(online("/users?cursor=e30"))).toMatch(/^cursor is malformed/); // base64url of {}

    const account = uniqueAccount("foreign");
    await sendStateChange({ account, action: "Login", eventTime: Date.now() - 1000 });
    await sendStateChange({ account: `${account}-2`, action: "Login", eventTime: Date.now() - 1000 });
    await settle(account);
    await settle(`${account}-2`);
    const page = (await (await apiFetch(online("/users?limit=1"))).json()) as { cursor: string };
    expect(page.cursor).not.toBeNull();
    const foreign = await badRequest(online(`/users?status=any&cursor=${page.cursor}`));
    expect(foreign).toBe(
      "cursor was made for another listing (status=online): repeat the request with the filters it was made for, " +
        "or start again without cursor",
    );
    expect(await badRequest(online(`/users?cursor=${page.cursor}`, OTHER_APP))).toMatch(/another app/);
    // The same listing with another page size is the same walk.
    expect((await apiFetch(online(`/users?limit=3&cursor=${page.cursor}`))).status).toBe(200);
  });
});

describe("GET /online/history", () => {
  it("defaults to the last 24 hours by minute", async () => {
    const res = await apiFetch(online("/history"));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { resolution: string; points: { t: number }[] };
    expect(body.resolution).toBe("minute");
    expect(body.points.length).toBeLessThanOrEqual(1440);
    for (const p of body.points) {
      expect(p.t % 60_000).toBe(0);
      expect(p.t).toBeGreaterThanOrEqual(Date.now() - 86_400_000 - 60_000);
    }
  });

  it("refuses bad parameters and more than 1 500 points, naming the fix", async () => {
    expect(await badRequest(online("/history?resolution=week"))).toBe("resolution: must be one of minute, hour, day");
    expect(await badRequest(online("/history?from=yesterday"))).toBe(
      "from: must be a time in milliseconds since 1970 (UTC) from 0 to 8640000000000000",
    );
    expect(await badRequest(online("/history?from=2000&to=1000"))).toBe("from, to: from must be before to");
    const week = `from=${Date.now() - 7 * 86_400_000}`;
    expect(await badRequest(online(`/history?${week}`))).toMatch(
      /^from, to: from–to holds \d+ minute points, more than the 1500 a request may ask for: narrow from–to, or ask for resolution=hour or day$/,
    );
    expect((await apiFetch(online(`/history?${week}&resolution=hour`))).status).toBe(200);
  });
});

describe("with ONLINE_INDEX=off", () => {
  it.each(["", "/users", "/history"])("GET /online%s answers 409 not_configured, naming the variable", async (rest) => {
    const off = { ...env, ONLINE_INDEX: "off" } as Env;
    const request = new Request(`https://presence.test${online(rest)}`, {
      headers: { authorization: `Bearer ${TEST_API_TOKEN}` },
    });
    const res = await routed(request, off);
    expect(res.status).toBe(409);
    const body = (await res.json()) as { error: string; message: string };
    expect(body.error).toBe("not_configured");
    expect(body.message).toMatch(/^the who-is-online index is off \(ONLINE_INDEX=off\): set ONLINE_INDEX=on; to fix: /);
  });
});

describe("reads create no storage", () => {
  it("GET user, a batch query and the /online endpoints leave users' objects (and shards) without tables", async () => {
    const never = uniqueAccount("never");
    const batch = [uniqueAccount("never"), uniqueAccount("never")];
    expect((await apiFetch(`/v1/apps/${OTHER_APP}/users/${never}`)).status).toBe(200);
    const query = await apiFetch(`/v1/apps/${OTHER_APP}/presence/query`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ accounts: batch }),
    });
    expect(query.status).toBe(200);
    for (const path of ["", "/users?status=any", "/history"]) {
      expect((await apiFetch(online(path, OTHER_APP))).status).toBe(200);
    }
    for (const account of [never, ...batch]) expect(await storedTables(account, OTHER_APP)).toEqual([]);
    for (let i = 0; i < SHARDS; i++) {
      const tables = await runInDurableObject(shardAt(i, OTHER_APP), (_i, state) =>
        state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'users'").toArray(),
      );
      expect(tables, `shard ${i}`).toEqual([]);
    }
  });
});
