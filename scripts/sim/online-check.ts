// Reads the who-is-online index and the users' snapshots, and says whether they agree
// (scripts/lib/online-agreement.ts): counts equal what the snapshots say, and the whole list
// holds exactly the users online or disconnected, with their online platforms. The online-day
// scenario checks its users with it, and `npm run simulate:smoke` the whole app.
import { disagreements, type ListedUser, type OnlineCounts } from "../lib/online-agreement.ts";
import type { PresenceSnapshot } from "../lib/presence-text.ts";
import { getOnline, getOnlineUsers, queryPresence, type ApiTarget } from "../lib/tencent-client.ts";

/** The batch query takes this many accounts at most. */
const BATCH = 500;

export interface IndexCheck {
  /** What differs (empty: the index agrees). */
  problems: string[];
  counts: OnlineCounts | null;
  listed: ListedUser[];
  snapshots: PresenceSnapshot[];
}

async function readOnce(api: ApiTarget, accounts: readonly string[]): Promise<IndexCheck> {
  const fail = (problem: string): IndexCheck => ({ problems: [problem], counts: null, listed: [], snapshots: [] });
  const counts = await getOnline(api);
  if (counts.status !== 200) return fail(`GET /online answered HTTP ${counts.status} ${JSON.stringify(counts.json)}`);
  const listed: ListedUser[] = [];
  let cursor: string | null = null;
  do {
    const page = await getOnlineUsers(api, "any", 1000, cursor);
    if (page.status !== 200) return fail(`GET /online/users answered HTTP ${page.status}`);
    const body = page.json as { users: ListedUser[]; cursor: string | null };
    listed.push(...body.users);
    cursor = body.cursor;
  } while (cursor !== null);
  const all = [...new Set([...listed.map((u) => u.account), ...accounts])];
  const snapshots: PresenceSnapshot[] = [];
  for (let i = 0; i < all.length; i += BATCH) {
    const read = await queryPresence(api, all.slice(i, i + BATCH));
    const results = (read.json as { results?: PresenceSnapshot[] } | null)?.results;
    if (read.status !== 200 || !Array.isArray(results)) return fail(`the presence query answered HTTP ${read.status}`);
    snapshots.push(...results);
  }
  const c = counts.json as OnlineCounts;
  return { problems: disagreements(c, listed, snapshots), counts: c, listed, snapshots };
}

/**
 * Compares the index with the snapshots of every listed user and of `accounts`, again for up to
 * `withinMs` while they differ: a change reaches the index a moment after its callback's 200.
 */
export async function checkIndex(api: ApiTarget, accounts: readonly string[], withinMs = 5_000): Promise<IndexCheck> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const check = await readOnce(api, accounts);
    if (check.problems.length === 0 || Date.now() > deadline) return check;
    // Polls the Worker, which has nothing to wait on: its index catches up in milliseconds.
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
