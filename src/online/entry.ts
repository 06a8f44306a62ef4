// A user's entry in the who-is-online index (SPEC §12), computed from the state the user object
// shows (callbacks with the reconcile overlay laid over them): what the user's shard stores.
//
// Only users online or disconnected are in the index; offline and unknown users have no entry.
// The entry's *key* (status and online platforms, not `since`) decides whether the shard must
// hear of a change: SPEC §11 says a change that leaves both as they were sends nothing.
import { onlineSince, userStatus } from "../presence/reducer";
import { PLATFORMS, type EpochMs, type Platform, type PresenceState } from "../presence/types";

export type IndexedStatus = "online" | "disconnected";
export const INDEXED_STATUSES: readonly IndexedStatus[] = ["online", "disconnected"];

export interface IndexEntry {
  readonly status: IndexedStatus;
  /** The platforms online now, one bit each in PLATFORMS order (0 for a disconnected user). */
  readonly platforms: number;
  /** When the user's current status began. */
  readonly since: EpochMs;
}

/**
 * The bit of each platform: its place in PLATFORMS (iOS = 1, Android = 2, … Unknown = 256).
 * Stored in shard rows, so PLATFORMS may grow at its end but never be reordered (a test pins it).
 */
export function platformBit(platform: Platform): number {
  return 1 << PLATFORMS.indexOf(platform);
}

/** Every platform's bit set: 511. */
export const ALL_PLATFORMS_MASK = (1 << PLATFORMS.length) - 1;

export function platformsToMask(platforms: Iterable<Platform>): number {
  let mask = 0;
  for (const p of platforms) mask |= platformBit(p);
  return mask;
}

/** The platforms whose bit is set, in PLATFORMS order; bits beyond the known platforms are ignored. */
export function maskToPlatforms(mask: number): Platform[] {
  return PLATFORMS.filter((_, i) => (mask & (1 << i)) !== 0);
}

/**
 * The index entry of a user's shown state, or null when the user is not in the index.
 * `since` of a disconnected user is when it stopped being online (lastSeen: with several
 * devices, the one online until later decides), but never before its disconnected platforms
 * became so: a platform a reconcile answer found disconnected, with no online period before
 * it, leaves lastSeen null or older, and then the earliest of those platforms' `since` is when
 * the user's disconnected status began.
 */
export function indexEntry(state: PresenceState): IndexEntry | null {
  const status = userStatus(state.platforms);
  if (status === "online") {
    let mask = 0;
    for (const [name, p] of Object.entries(state.platforms)) {
      if (p?.status === "online") mask |= platformBit(name as Platform);
    }
    // onlineSince is set whenever a platform is online; deriving it again only guards the type.
    const since = state.onlineSince ?? onlineSince(state.platforms) ?? 0;
    return { status, platforms: mask, since };
  }
  if (status === "disconnected") {
    let earliest: EpochMs | null = null;
    for (const p of Object.values(state.platforms)) {
      if (p?.status === "disconnected" && (earliest === null || p.since < earliest)) earliest = p.since;
    }
    // A disconnected status always has a disconnected platform, so `earliest` is set.
    const since = Math.max(state.lastSeen ?? -Infinity, earliest ?? -Infinity);
    return { status, platforms: 0, since };
  }
  return null;
}

/**
 * The stored form of an entry's key, prefixed with the shard count so that a changed
 * ONLINE_INDEX_SHARDS sends again: `16:online:5`, `16:disconnected:0`, `16:offline` (no entry).
 */
export function indexKey(shards: number, entry: IndexEntry | null): string {
  return entry === null ? `${shards}:offline` : `${shards}:${entry.status}:${entry.platforms}`;
}

/** What the counts need of an entry: its status and online platforms (the key without `since`). */
export type EntryKey = Pick<IndexEntry, "status" | "platforms">;

/**
 * What the shard holds for the user by `acked`, the key it last acknowledged: that entry's status
 * and platforms, null for no row, undefined where the key does not say (never sent, unsure, or
 * another shard count). The shard checks it before relying on it (shard-store.ts, writeIfPrior).
 */
export function priorOf(shards: number, acked: string | null): EntryKey | null | undefined {
  const prefix = `${shards}:`;
  if (acked === null || !acked.startsWith(prefix)) return undefined;
  const rest = acked.slice(prefix.length);
  if (rest === "offline") return null;
  const colon = rest.indexOf(":");
  const status = rest.slice(0, colon);
  const platforms = rest.slice(colon + 1);
  if (colon === -1 || (status !== "online" && status !== "disconnected") || !/^\d{1,4}$/.test(platforms))
    return undefined;
  return { status, platforms: Number(platforms) };
}

/**
 * The stored key when the shard may hold one of two entries (a send was on its way, or failed
 * after it may have arrived): it matches no entry, so the next chance sends the current one, and
 * it counts as indexed, so a user no longer in the index is removed.
 */
export function unsureKey(shards: number): string {
  return `${shards}:unsure`;
}

/** True when `key` says the user is in the index (so an erasure must remove it from its shard). */
export function keyIsIndexed(key: string | null): boolean {
  return key !== null && !key.endsWith(":offline");
}

/**
 * Whether the user's shard must hear of `entry` (the user's entry now; null: not in the index),
 * given `acked`, the key the shard last acknowledged (null: never, as far as storage tells). An
 * entry whose key the shard has not acknowledged is sent; no entry is sent (as a removal) only
 * when the acknowledged key put the user in this index (the same shard count): a user never
 * indexed, or indexed under another shard count, has nothing to remove here.
 */
export function mustSend(shards: number, entry: IndexEntry | null, acked: string | null): boolean {
  if (entry !== null) return indexKey(shards, entry) !== acked;
  return acked !== null && keyIsIndexed(acked) && acked.startsWith(`${shards}:`);
}
