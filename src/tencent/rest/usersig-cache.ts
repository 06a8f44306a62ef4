// The admin's UserSig per app, signed once and reused for part of its lifetime: signing costs
// an HMAC and a deflate, and a reconciler calls Tencent up to RECONCILE_MAX_RPS times a second.
// A ticket is signed for 24 h and reused for 12 h, so one in use always has ≥ 12 h left
// (Tencent suggests ≥ 24 h lifetimes; clocks may differ by minutes, never hours).
import type { AppId, EpochMs } from "../../presence/types.ts";
import { signUserSig } from "./usersig.ts";

export const USERSIG_LIFETIME_SECONDS = 24 * 3600;
export const USERSIG_REUSE_SECONDS = 12 * 3600;

interface Cached {
  readonly key: string;
  readonly identifier: string;
  readonly signedAt: number;
  readonly userSig: Promise<string>;
}

// Per isolate; the key is kept to notice a rotated secret, never exposed.
const cache = new Map<AppId, Cached>();

/** The UserSig of the admin `identifier` for `app`, signed with the app's secret `key`. `nowMs` is the Worker clock. */
export function userSigFor(key: string, app: AppId, identifier: string, nowMs: EpochMs): Promise<string> {
  const now = Math.floor(nowMs / 1000);
  const hit = cache.get(app);
  if (
    hit !== undefined &&
    hit.key === key &&
    hit.identifier === identifier &&
    now >= hit.signedAt &&
    now < hit.signedAt + USERSIG_REUSE_SECONDS
  ) {
    return hit.userSig;
  }
  const userSig = signUserSig(key, app, identifier, now, USERSIG_LIFETIME_SECONDS);
  cache.set(app, { key, identifier, signedAt: now, userSig });
  // A failed signing is not cached: the next call tries again.
  userSig.catch(() => cache.delete(app));
  return userSig;
}
