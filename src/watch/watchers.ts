// The user's side of live watch: which hubs (one per watching connection) watch this user,
// and the fan-out of each applied change to them. Lives in the user's Durable Object.
//
// Cost rules (docs/WATCH.md):
// - the registry is written only on subscribe and unsubscribe, never per callback;
// - a user nobody watches pays nothing per callback: no row, no request (the registry is read
//   once per object load, a read row);
// - the fan-out runs after the commit and is not awaited by the callback: Tencent's OK never
//   waits for a watcher. Calls to one hub go through one cached stub, so they arrive in order.
// - a hub that no longer watches this user says so, and its registration is dropped; a hub
//   whose client is gone unregisters itself; the last one out drops the table;
// - who may join is decided in memory (src/watch/registry.ts): a refusal costs no call and no row.
import { log } from "../lib/log";
import type { AccountId } from "../presence/types";
import { tableExists, type Sql } from "../lib/sql";
import type { CommittedChange, UserConcern } from "../user/concern";
import { changeMessages } from "./change-messages";
import { Registry } from "./registry";

export type WatchResult = { readonly ok: true } | { readonly ok: false; readonly message: string };

/** What a user's object answers a hub that starts watching it. */
export type WatchAnswer =
  | { readonly ok: true; readonly snapshot: string; readonly seq: number }
  | { readonly ok: false; readonly message: string };

export class Watchers implements UserConcern {
  /** Hub ids (hex) and their credentials; null until read from storage. */
  private hubs: Registry | null = null;
  private readonly stubs = new Map<string, ReturnType<Env["WATCH_HUB"]["get"]>>();
  /** Calls made to hubs by this instance: zero for a user nobody watches. */
  requests = 0;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly sql: Sql,
    private readonly env: Env,
    private readonly waitUntil: (work: Promise<unknown>) => void,
    /** The object's name, `<SDKAppID>:<UserID>` (see src/user/stub.ts). */
    private readonly name: string | undefined,
  ) {}

  /**
   * Registers a hub opened with `credential` (idempotent): one row the first time, none after.
   * Refused, with the reason, when the user or the credential has no watcher left to give.
   */
  add(hub: string, credential: string): WatchResult {
    const hubs = this.load();
    if (hubs.has(hub)) return { ok: true };
    const refusal = hubs.refusal(credential);
    if (refusal !== null) return { ok: false, message: refusal };
    if (hubs.size === 0) {
      this.sql`CREATE TABLE IF NOT EXISTS watchers (hub TEXT PRIMARY KEY, credential TEXT NOT NULL) WITHOUT ROWID`;
    }
    this.sql`INSERT INTO watchers (hub, credential) VALUES (${hub}, ${credential}) ON CONFLICT DO NOTHING`;
    hubs.add(hub, credential);
    return { ok: true };
  }

  /**
   * Unregisters a hub. The last one takes the table with it, so a user nobody watches any more
   * holds no registry (and loads without reading one). True when that happened.
   */
  remove(hub: string): boolean {
    const hubs = this.load();
    if (!hubs.remove(hub)) return false;
    this.stubs.delete(hub);
    if (hubs.size > 0) {
      this.sql`DELETE FROM watchers WHERE hub = ${hub}`;
      return false;
    }
    this.sql`DROP TABLE watchers`;
    return true;
  }

  /**
   * After the commit: sends an applied change to every watching hub, in the background. Never
   * throws: the change is stored and Tencent gets its OK whatever happens here.
   */
  publish(change: CommittedChange): void {
    if (change.entry.outcome !== "applied") return;
    let hubs: string[];
    let messages: string[];
    try {
      if (this.load().size === 0) return;
      hubs = this.load().ids();
      const { user, entry, effects, state } = change;
      messages = changeMessages({ ...entry, app: user.app, account: user.account, effects, state });
    } catch (error) {
      log({ msg: "watch publish failed", error: String(error) });
      return;
    }
    for (const hub of hubs) {
      this.requests++;
      const delivered = this.stub(hub)
        .deliver(change.user.account, change.entry.seq, messages)
        .then((watching) => {
          if (!watching) this.remove(hub);
        })
        // At most once: a lost message shows the watcher a version gap, and it resyncs.
        .catch((error: unknown) => log({ msg: "watch delivery failed", error: String(error) }))
        .finally(() => this.inFlight.delete(delivered));
      this.inFlight.add(delivered);
      this.waitUntil(delivered);
    }
  }

  /** Resolves once every delivery started so far has been answered (tests and the bench wait on it). */
  async drained(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /**
   * The user is being erased, the registry with it. Each watching hub is told, and watches the
   * user again once the erasure is done (docs/WATCH.md).
   */
  forget(): void {
    let hubs: string[] = [];
    try {
      hubs = this.load().ids();
    } catch (error) {
      log({ msg: "watch registry unreadable at erasure", error: String(error) });
    }
    const account = this.name?.slice(this.name.indexOf(":") + 1);
    if (account !== undefined) {
      for (const hub of hubs) {
        this.requests++;
        const told = this.stub(hub)
          .erased(account as AccountId)
          .catch((error: unknown) => log({ msg: "watch erasure notice failed", error: String(error) }));
        this.waitUntil(told);
      }
    }
    this.hubs = null;
    this.stubs.clear();
  }

  private stub(hub: string) {
    let stub = this.stubs.get(hub);
    if (stub === undefined) {
      stub = this.env.WATCH_HUB.get(this.env.WATCH_HUB.idFromString(hub));
      this.stubs.set(hub, stub);
    }
    return stub;
  }

  /**
   * Loading the user found whether a registry table exists (one query for both): with none,
   * nobody watches and the registry needs no query of its own.
   */
  registryFound(exists: boolean): void {
    if (!exists && this.hubs === null) this.hubs = new Registry();
  }

  private load(): Registry {
    this.hubs ??= new Registry(tableExists(this.sql, "watchers") ? this.rows() : []);
    return this.hubs;
  }

  private rows(): { hub: string; credential: string }[] {
    try {
      return this.sql<{ hub: string; credential: string }>`SELECT hub, credential FROM watchers`;
    } catch (error) {
      if (!String(error).includes("no such column")) throw error;
      // A registry from before credentials: deploying this version closed every connection in
      // it (a deploy closes WebSockets), so none of its rows is a watcher any more.
      this.sql`DROP TABLE watchers`;
      return [];
    }
  }
}
