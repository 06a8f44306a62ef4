// A user's watching hubs in memory, counted per credential, and who may join (docs/WATCH.md,
// "Limits"). Pure: src/watch/watchers.ts keeps it in step with the `watchers` table.
//
// Each watcher is one call per change of the user, so a user has at most
// MAX_WATCHERS_PER_USER. That cap is shared by everyone who may watch the user, so no one
// credential (one watch token, or one API token) may hold more than a tenth of it: a leaked or
// abused token can take its share and no more, and everyone else still gets in. Deciding is
// O(1): a refusal asks no hub and reads no row.

/** Hubs (connections) one user may have: each is one call per change. */
export const MAX_WATCHERS_PER_USER = 1000;
/** Of those, how many one credential may hold. */
export const MAX_WATCHERS_PER_CREDENTIAL = 100;

export class Registry {
  /** Hub id → the credential it was opened with. */
  private readonly hubs = new Map<string, string>();
  private readonly perCredential = new Map<string, number>();

  constructor(rows: Iterable<{ hub: string; credential: string }> = []) {
    for (const { hub, credential } of rows) this.add(hub, credential);
  }

  get size(): number {
    return this.hubs.size;
  }

  has(hub: string): boolean {
    return this.hubs.has(hub);
  }

  ids(): string[] {
    return [...this.hubs.keys()];
  }

  /** Null when a new hub of this credential may join; otherwise why it may not, and the fix. */
  refusal(credential: string): string | null {
    if (this.hubs.size >= MAX_WATCHERS_PER_USER) {
      return `this user already has ${MAX_WATCHERS_PER_USER} watching connections: share a connection`;
    }
    if ((this.perCredential.get(credential) ?? 0) >= MAX_WATCHERS_PER_CREDENTIAL) {
      return `this credential already holds ${MAX_WATCHERS_PER_CREDENTIAL} of this user's watching connections: share a connection, or give each client its own watch token`;
    }
    return null;
  }

  /** Adds a hub (a hub already in is left as it is). The caller checked `refusal` first. */
  add(hub: string, credential: string): void {
    if (this.hubs.has(hub)) return;
    this.hubs.set(hub, credential);
    this.perCredential.set(credential, (this.perCredential.get(credential) ?? 0) + 1);
  }

  /** Removes a hub; false when it was not in. */
  remove(hub: string): boolean {
    const credential = this.hubs.get(hub);
    if (credential === undefined) return false;
    this.hubs.delete(hub);
    const left = (this.perCredential.get(credential) ?? 1) - 1;
    if (left === 0) this.perCredential.delete(credential);
    else this.perCredential.set(credential, left);
    return true;
  }
}
