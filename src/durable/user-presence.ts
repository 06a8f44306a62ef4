// One Durable Object per IM user (`<SDKAppID>:<UserID>`): a thin shell around the pure
// reducer. It loads the state once, applies each callback, and commits the state row and
// the history entry in one transaction before it answers, so an acknowledged callback is
// always stored and a failed one leaves nothing behind.
import { DurableObject } from "cloudflare:workers";
import { loadConfig, type Config } from "../config";
import type { Env } from "../env";
import { EMPTY_STATE, reduce, userStatus } from "../presence/reducer";
import { toSnapshot, type Snapshot } from "../presence/snapshot";
import type { AccountId, AppId, Outcome, PresenceEvent, PresenceState } from "../presence/types";
import { lastSeq, readHistory, trimHistory, writeHistory, type HistoryEntry } from "./history-store";
import { createTables, tablesExist } from "./schema";
import { sqlOf, type Sql } from "./sql";
import { readState, writeState } from "./state-store";

export interface IngestResult {
  readonly outcome: Outcome;
  readonly seq: number;
  readonly version: number;
}

interface Loaded {
  state: PresenceState;
  seq: number;
}

export class UserPresence extends DurableObject<Env> {
  private readonly sql: Sql;
  private readonly config: Config;
  /** In-memory copy of what storage holds; null until first needed, or when nothing is stored. */
  private loaded: Loaded | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = sqlOf(ctx.storage.sql);
    this.config = loadConfig(env);
  }

  /** Applies one validated callback and returns once it is durably stored. */
  ingest(app: AppId, account: AccountId, event: PresenceEvent): IngestResult {
    const current = this.load();
    const { state, outcome, effects } = reduce(current?.state ?? EMPTY_STATE, event);
    const seq = (current?.seq ?? 0) + 1;
    this.ctx.storage.transactionSync(() => {
      if (current === null) createTables(this.sql);
      writeHistory(this.sql, this.config.historyLimit, seq, event, outcome, userStatus(state.platforms), effects);
      if (outcome === "applied") writeState(this.sql, { app, account, state });
    });
    // Memory follows storage only after the commit: a failed transaction changes nothing.
    this.loaded = { state, seq };
    return { outcome, seq, version: state.version };
  }

  snapshot(app: AppId, account: AccountId): Snapshot {
    return toSnapshot(app, account, this.load()?.state ?? EMPTY_STATE);
  }

  history(limit: number, beforeSeq: number | null): HistoryEntry[] {
    return this.load() === null ? [] : readHistory(this.sql, limit, beforeSeq);
  }

  /** Data-subject erasure: state, history and everything pending, in one step. */
  async erase(): Promise<void> {
    this.loaded = null;
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
  }

  /** Rows read and written by this instance so far: for the storage-cost benchmark and tests. */
  storageUsage(): { rowsRead: number; rowsWritten: number } {
    return { ...this.sql.usage };
  }

  private load(): Loaded | null {
    if (this.loaded !== null) return this.loaded;
    if (!tablesExist(this.sql)) return null;
    const stored = readState(this.sql);
    if (stored === null) return null;
    const seq = lastSeq(this.sql);
    trimHistory(this.sql, this.config.historyLimit, seq);
    this.loaded = { state: stored.state, seq };
    return this.loaded;
  }
}
