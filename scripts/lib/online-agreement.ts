// Whether the who-is-online index agrees with the users' own snapshots (SPEC §12: once callbacks
// stop, counts equal what the snapshots say, and the list holds exactly the users online or
// disconnected). Pure: the simulator reads the API (scripts/sim/online-check.ts) and this says
// what differs (tested in test/node/online-agreement.test.ts).
//
// Runs on Node 24 with type stripping: no enums, no parameter properties, `.ts` imports.
import type { PresenceSnapshot } from "./presence-text.ts";

/** GET /v1/apps/{app}/online, as far as the comparison needs it. */
export interface OnlineCounts {
  readonly online: number;
  readonly disconnected: number;
  readonly platforms: Readonly<Record<string, number>>;
}

/** One user of GET /v1/apps/{app}/online/users?status=any. */
export interface ListedUser {
  readonly account: string;
  readonly status: string;
  readonly platforms: readonly string[];
}

/** The counts the snapshots make: users online and disconnected, and per platform those with it online. */
export function countsOf(snapshots: readonly PresenceSnapshot[]): OnlineCounts {
  const platforms: Record<string, number> = {};
  let online = 0;
  let disconnected = 0;
  for (const s of snapshots) {
    if (s.status === "online") online++;
    else if (s.status === "disconnected") disconnected++;
    for (const [name, p] of Object.entries(s.platforms ?? {})) {
      if (p.status === "online") platforms[name] = (platforms[name] ?? 0) + 1;
    }
  }
  return { online, disconnected, platforms };
}

const onlinePlatforms = (s: PresenceSnapshot) =>
  Object.entries(s.platforms ?? {})
    .filter(([, p]) => p.status === "online")
    .map(([name]) => name)
    .sort();

/**
 * What differs between the index (counts and the whole list) and the snapshots of every user
 * the list names plus any others the caller knows of: one line each; empty when they agree.
 */
export function disagreements(
  counts: OnlineCounts,
  listed: readonly ListedUser[],
  snapshots: readonly PresenceSnapshot[],
): string[] {
  const out: string[] = [];
  const want = countsOf(snapshots);
  for (const key of ["online", "disconnected"] as const) {
    if (counts[key] !== want[key]) out.push(`GET /online says ${counts[key]} ${key}, the snapshots ${want[key]}`);
  }
  for (const name of new Set([...Object.keys(counts.platforms), ...Object.keys(want.platforms)])) {
    const got = counts.platforms[name] ?? 0;
    const wanted = want.platforms[name] ?? 0;
    if (got !== wanted) out.push(`GET /online says ${got} online on ${name}, the snapshots ${wanted}`);
  }
  const byAccount = new Map(listed.map((u) => [u.account, u]));
  if (byAccount.size !== listed.length) out.push(`the list names ${listed.length - byAccount.size} users twice`);
  for (const s of snapshots) {
    const account = s.account ?? "?";
    const entry = byAccount.get(account);
    const indexed = s.status === "online" || s.status === "disconnected";
    if (!indexed) {
      if (entry) out.push(`${account} is listed as ${entry.status} but is ${s.status}`);
      continue;
    }
    if (!entry) out.push(`${account} is ${s.status} but not listed`);
    else if (entry.status !== s.status) out.push(`${account} is listed as ${entry.status} but is ${s.status}`);
    else if ([...entry.platforms].sort().join(",") !== onlinePlatforms(s).join(",")) {
      out.push(
        `${account} is listed online on ${entry.platforms.join(",") || "none"}, is on ${onlinePlatforms(s).join(",") || "none"}`,
      );
    }
  }
  const known = new Set(snapshots.map((s) => s.account));
  for (const u of listed) if (!known.has(u.account)) out.push(`${u.account} is listed but has no snapshot`);
  return out;
}
