// The live-count side of an app's totals object (SPEC §12): the watch hubs (one per watching
// connection) that asked for the app's counts, and the push of each change to them, at most
// once a second (throttle.ts).
//
// Cost rules, as for a user's watchers (src/watch/watchers.ts): the registry is written on
// watch and unwatch only (a row each), never per change. A hub that answers false no longer
// watches the counts and is dropped; one whose calls fail (closed, gone, or without the method)
// is dropped after a few failed pushes in a row, and a failed push is retried a second later.
import { log } from "../lib/log";
import { tableExists, type Sql } from "../lib/sql";
import type { OnlineAnswer } from "./counts";
import { Throttle } from "./throttle";

/** What a hub offers the totals object. */
export interface CountsHub {
  /** Forwards a counts message (JSON text); false when the hub no longer watches the counts. */
  deliverCounts(json: string): Promise<boolean>;
}

/** What a hub that starts watching the counts is answered: the counts now, or why not. */
export type CountsWatchAnswer =
  { readonly ok: true; readonly counts: OnlineAnswer } | { readonly ok: false; readonly message: string };

/** Hubs one app's counts may have: each is one call per push. */
export const MAX_COUNT_WATCHERS = 1000;
/** Pushes in a row a hub may fail before it is dropped. */
export const MAX_FAILED_PUSHES = 3;
/** Pushes to the hubs: at most one in this interval. */
export const COUNTS_PUSH_INTERVAL_MS = 1000;

/** A hub id is a Durable Object id: 64 hex digits. */
export const validHubId = (hub: string): boolean => /^[0-9a-f]{64}$/.test(hub);

export class CountWatchers {
  /** Hub → failed pushes in a row; null until read from storage. */
  private hubs: Map<string, number> | null = null;
  private readonly throttle: Throttle;
  /** Calls made to hubs by this instance. */
  requests = 0;

  constructor(
    private readonly sql: Sql,
    /** The hub object of an id (a test puts a fake here). */
    public resolve: (hub: string) => CountsHub,
    /** The message to push: the counts as they are when the push starts. */
    private readonly message: () => string,
  ) {
    this.throttle = new Throttle(
      () => this.push(),
      COUNTS_PUSH_INTERVAL_MS,
      (error) => log({ msg: "counts push failed", error: String(error) }),
    );
  }

  get size(): number {
    return this.load().size;
  }

  /** Registers a hub (idempotent): one row the first time, none after. */
  add(hub: string): { readonly ok: true } | { readonly ok: false; readonly message: string } {
    const hubs = this.load();
    if (hubs.has(hub)) return { ok: true };
    if (hubs.size >= MAX_COUNT_WATCHERS) {
      return {
        ok: false,
        message: `this app's counts already have ${MAX_COUNT_WATCHERS} watching connections: share a connection`,
      };
    }
    if (hubs.size === 0) this.sql`CREATE TABLE IF NOT EXISTS count_watchers (hub TEXT PRIMARY KEY) WITHOUT ROWID`;
    this.sql`INSERT INTO count_watchers (hub) VALUES (${hub}) ON CONFLICT DO NOTHING`;
    hubs.set(hub, 0);
    return { ok: true };
  }

  remove(hub: string): void {
    if (!this.load().delete(hub)) return;
    this.sql`DELETE FROM count_watchers WHERE hub = ${hub}`;
  }

  /** The counts changed: pushed to every hub now, or within a second of the last push. */
  changed(): void {
    if (this.load().size > 0) this.throttle.changed();
  }

  /** Resolves once every change so far went out (tests wait on it). */
  settled(): Promise<void> {
    return this.throttle.settled();
  }

  private async push(): Promise<void> {
    const json = this.message();
    let failed = 0;
    await Promise.all(
      [...this.load().keys()].map(async (hub) => {
        this.requests++;
        try {
          if (!(await this.resolve(hub).deliverCounts(json))) this.remove(hub);
          else if (this.hubs?.has(hub)) this.hubs.set(hub, 0);
        } catch (error) {
          const failures = (this.hubs?.get(hub) ?? 0) + 1;
          log({ msg: "counts delivery failed", failures, error: String(error) });
          if (failures >= MAX_FAILED_PUSHES) {
            this.remove(hub);
          } else if (this.hubs?.has(hub)) {
            this.hubs.set(hub, failures);
            failed++;
          }
        }
      }),
    );
    // Retried a second later (to every hub: a counts message is the whole state, a repeat is harmless).
    if (failed > 0) throw new Error(`${failed} hub(s) did not take the counts`);
  }

  private load(): Map<string, number> {
    if (this.hubs === null) {
      const rows = tableExists(this.sql, "count_watchers")
        ? this.sql<{ hub: string }>`SELECT hub FROM count_watchers`
        : [];
      this.hubs = new Map(rows.map((r) => [r.hub, 0]));
    }
    return this.hubs;
  }
}
