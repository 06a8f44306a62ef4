// A shard's write guarded by what the user object last had acknowledged (`prior`): applied, and
// counted from the prior, only when the row holds exactly that with an older seq; otherwise the
// write that says what the row held, so the counts stay exact whatever the user object believes.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { OnlineShard } from "../../src/durable/online-shard";
import type { EntryKey, IndexEntry } from "../../src/online/entry";
import type { AccountId } from "../../src/presence/types";

// A shard of an app of these tests only, not reached by any user object.
const shard = (i: number) => env.ONLINE_SHARD.getByName(`1400000093:4:${i}`);
const usage = (i: number) => runInDurableObject(shard(i), (s: OnlineShard) => s.storageUsage());
const counted = async (i: number) => {
  const { counts } = await shard(i).counts();
  return { online: counts.online, disconnected: counts.disconnected, iOS: counts.platforms.iOS };
};
const online = (platforms: number, since = 1): IndexEntry => ({ status: "online", platforms, since });
const DISCONNECTED: IndexEntry = { status: "disconnected", platforms: 0, since: 2 };
const a = "a" as AccountId;

/** Applies one update and says what it cost: rows written, and whether the guarded write took it. */
async function update(i: number, entry: IndexEntry | null, seq: number, prior?: EntryKey | null) {
  const before = await usage(i);
  await shard(i).update(a, entry, seq, prior);
  const after = await usage(i);
  return { rows: after.rowsWritten - before.rowsWritten, guarded: after.guardedWrites - before.guardedWrites };
}

describe("a write guarded by the user object's prior", () => {
  it("a right prior: one row, guarded, and the counts move from it", async () => {
    // The shard's table exists before what is measured (its first write creates it).
    await shard(0).update("z" as AccountId, online(2), 1);
    await shard(0).remove("z" as AccountId);
    expect(await update(0, online(1), 2, null)).toEqual({ rows: 1, guarded: 1 }); // no row yet: inserted
    expect(await counted(0)).toEqual({ online: 1, disconnected: 0, iOS: 1 });
    expect(await update(0, DISCONNECTED, 3, { status: "online", platforms: 1 })).toEqual({ rows: 1, guarded: 1 });
    expect(await counted(0)).toEqual({ online: 0, disconnected: 1, iOS: 0 });
    expect(await update(0, null, 4, { status: "disconnected", platforms: 0 })).toEqual({ rows: 1, guarded: 1 });
    expect(await counted(0)).toEqual({ online: 0, disconnected: 0, iOS: 0 });
    const page = await shard(0).page("any", null, null, 10);
    expect(page.map((u) => u.account)).not.toContain("a");
  });

  it("a wrong prior: the write that says what the row held, and the counts stay exact", async () => {
    await update(1, online(1), 1, undefined);
    // Says there is no row: there is one (iOS), and it becomes iOS and Android.
    expect(await update(1, online(3), 2, null)).toEqual({ rows: 1, guarded: 0 });
    expect(await counted(1)).toEqual({ online: 1, disconnected: 0, iOS: 1 });
    // Says iOS alone: the row holds iOS and Android.
    expect(await update(1, DISCONNECTED, 3, { status: "online", platforms: 1 })).toEqual({ rows: 1, guarded: 0 });
    expect(await counted(1)).toEqual({ online: 0, disconnected: 1, iOS: 0 });
    // A removal that says the user is online: it is disconnected.
    expect(await update(1, null, 4, { status: "online", platforms: 1 })).toEqual({ rows: 1, guarded: 0 });
    expect(await counted(1)).toEqual({ online: 0, disconnected: 0, iOS: 0 });
  });

  it("a right prior with an older seq writes nothing and moves no count", async () => {
    await update(2, online(1), 5, null);
    expect(await update(2, DISCONNECTED, 4, { status: "online", platforms: 1 })).toEqual({ rows: 0, guarded: 0 });
    expect(await update(2, null, 5, { status: "online", platforms: 1 })).toEqual({ rows: 0, guarded: 0 });
    expect(await counted(2)).toEqual({ online: 1, disconnected: 0, iOS: 1 });
  });
});
