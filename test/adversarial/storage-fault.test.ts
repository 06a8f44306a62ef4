// Faults: a storage statement that throws inside the commit. The callback must get a 500
// (never OK for an event that was not stored), storage must hold nothing of that event,
// and the next callback must work. The fault is injected from the test by wrapping the
// object's SqlStorage.exec, so every statement position is tried in turn.
import { stubFor } from "../support/storage";
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { apiFetch, getSnapshot, userPath } from "../support/api";
import { sendStateChange, type StateChangeFields } from "../support/callback";
import { injectedFault } from "../support/expected-output";

/** Every row of every table of the user's storage: the ground truth, not the object's memory. */
async function dump(account: string): Promise<Record<string, unknown[]>> {
  return runInDurableObject(stubFor(account), (_instance, state) => {
    const sql = state.storage.sql;
    const tables = sql
      .exec<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' ORDER BY name",
      )
      .toArray();
    return Object.fromEntries(
      tables.map(({ name }) => [name, sql.exec(`SELECT * FROM "${name}" ORDER BY 1`).toArray()]),
    );
  });
}

/** Makes the n-th SQL statement from now on throw, once. */
async function failStatement(account: string, n: number): Promise<void> {
  await runInDurableObject(stubFor(account), (_instance, state) => {
    const sql = state.storage.sql as SqlStorage & { exec: SqlStorage["exec"] };
    const exec = Object.getPrototypeOf(sql).exec as SqlStorage["exec"];
    let seen = 0;
    sql.exec = ((query: string, ...bindings: unknown[]) => {
      seen += 1;
      if (seen === n) {
        delete (sql as Partial<typeof sql>).exec;
        throw injectedFault(`storage fault at statement ${n}`);
      }
      return exec.call(sql, query, ...bindings);
    }) as SqlStorage["exec"];
  });
}

async function clearFault(account: string): Promise<void> {
  await runInDurableObject(stubFor(account), (_instance, state) => {
    delete (state.storage.sql as Partial<SqlStorage>).exec;
  });
}

async function history(account: string) {
  const res = await apiFetch(`${userPath(account)}/events?limit=1000`);
  return ((await res.json()) as { events: unknown[] }).events;
}

/**
 * Fails statement 1, 2, 3, … of one callback until the callback gets through; after each
 * failure the reply must be a 500 and storage exactly as before. Returns how many
 * statement positions were faulted.
 */
async function faultEveryStatement(account: string, event: StateChangeFields, evictFirst: boolean): Promise<number> {
  const before = await dump(account);
  const snapshotBefore = await getSnapshot(account);
  for (let n = 1; n < 100; n += 1) {
    if (evictFirst) await evictDurableObject(stubFor(account)).catch(() => {});
    await failStatement(account, n);
    const res = await sendStateChange(event);
    await clearFault(account);
    if (res.status === 200) return n - 1;
    expect(res.status, `fault at statement ${n}`).toBe(500);
    expect(await res.json()).toEqual({ ActionStatus: "FAIL", ErrorCode: 1, ErrorInfo: "storage failure" });
    expect(await dump(account), `storage after a fault at statement ${n}`).toEqual(before);
    expect(await getSnapshot(account)).toEqual(snapshotBefore);
    await evictDurableObject(stubFor(account));
    expect(await dump(account)).toEqual(before);
    expect(await getSnapshot(account)).toEqual(snapshotBefore);
  }
  throw new Error("the callback never got through");
}

describe("faults: an exception inside the storage transaction", () => {
  beforeAll(() => {
    vi.spyOn(console, "log").mockImplementation(() => {});
  });

  it("on a user's first event: 500, no tables left behind, and the retry is stored", async () => {
    const t = Date.now() - 60_000;
    const faulted = await faultEveryStatement(
      "fault-new",
      { account: "fault-new", action: "Login", eventTime: t },
      false,
    );
    expect(faulted).toBeGreaterThanOrEqual(2);
    const snap = await getSnapshot("fault-new");
    expect(snap).toMatchObject({ status: "online", version: 1 });
    expect(await history("fault-new")).toHaveLength(1);
  });

  it("on a user with state in memory: 500, state and history unchanged, then the retry applies once", async () => {
    const t = Date.now() - 60_000;
    await sendStateChange({ account: "fault-warm", action: "Login", eventTime: t, kicked: ["Windows"] });
    await sendStateChange({ account: "fault-warm", action: "CustomStatusChange", eventTime: t + 1, customStatus: "x" });
    const event: StateChangeFields = {
      account: "fault-warm",
      action: "Login",
      eventTime: t + 2,
      kicked: ["iOS", "Mac"],
    };
    const faulted = await faultEveryStatement("fault-warm", event, false);
    // A warm user's timed callback is one statement: its history row (docs/DESIGN.md).
    expect(faulted).toBeGreaterThanOrEqual(1);
    const snap = await getSnapshot("fault-warm");
    expect(snap.version).toBe(3);
    expect(snap.kicks.map((k: { platform: string }) => k.platform).sort()).toEqual(["Mac", "Windows", "iOS"]);
    expect(await history("fault-warm")).toHaveLength(3);
  });

  it("on a user loaded from storage after eviction: same guarantees", async () => {
    const t = Date.now() - 60_000;
    await sendStateChange({ account: "fault-cold", action: "Login", eventTime: t });
    const event: StateChangeFields = { account: "fault-cold", action: "Disconnect", eventTime: t + 5 };
    const faulted = await faultEveryStatement("fault-cold", event, true);
    // After eviction: the one load query, then the write.
    expect(faulted).toBeGreaterThanOrEqual(2);
    expect(await getSnapshot("fault-cold")).toMatchObject({ status: "disconnected", version: 2 });
    expect(await history("fault-cold")).toHaveLength(2);
  });

  it("a stale or duplicate event whose history write fails is also a 500 and leaves nothing", async () => {
    const t = Date.now() - 60_000;
    await sendStateChange({ account: "fault-dup", action: "Login", eventTime: t });
    const faulted = await faultEveryStatement(
      "fault-dup",
      { account: "fault-dup", action: "Login", eventTime: t },
      false,
    );
    expect(faulted).toBeGreaterThanOrEqual(1);
    const events = (await history("fault-dup")) as { outcome: string }[];
    expect(events.map((e) => e.outcome)).toEqual(["duplicate", "applied"]);
  });
});
