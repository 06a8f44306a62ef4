// The reconciler's one stored row: its stats (GET /v1/apps/{app}/reconcile). Read once per
// instance, kept in memory, written at most once per run and only when they moved; the table is
// created by the first write, so an app that never reconciled has no storage.
import { tableExists, type Sql } from "../lib/sql";
import { EMPTY_STATS, recordCall, type CallReport, type ReconcileStats } from "./stats";

export class StatsStore {
  private stats: ReconcileStats | undefined;
  private saved: ReconcileStats | undefined;

  constructor(private readonly sql: Sql) {}

  /** The stats as they are now (memory, else the stored row, else none yet). */
  current(): ReconcileStats {
    if (this.stats === undefined) {
      const row = tableExists(this.sql, "stats")
        ? this.sql<{ data: string }>`SELECT data FROM stats WHERE id = 1`[0]
        : undefined;
      this.stats = row === undefined ? EMPTY_STATS : { ...EMPTY_STATS, ...(JSON.parse(row.data) as ReconcileStats) };
    }
    return this.stats;
  }

  /** Folds one call in (read now: the calls of one run overlap). */
  record(report: CallReport): void {
    this.stats = recordCall(this.current(), report);
  }

  /** One row, written only when the stats moved since the last save. */
  save(): void {
    const stats = this.stats;
    if (stats === undefined || stats === this.saved) return;
    if (this.saved === undefined) {
      this.sql`CREATE TABLE IF NOT EXISTS stats (id INTEGER PRIMARY KEY CHECK (id = 1), data TEXT NOT NULL)`;
    }
    this.sql`INSERT INTO stats (id, data) VALUES (1, ${JSON.stringify(stats)})
             ON CONFLICT (id) DO UPDATE SET data = excluded.data`;
    this.saved = stats;
  }
}
