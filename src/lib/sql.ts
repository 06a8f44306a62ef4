// A tagged template over SqlStorage: values are always bound, never spliced into SQL.
export type SqlValue = string | number | null | ArrayBuffer;
export type Row = Record<string, SqlValue>;

export interface Sql {
  <T extends Row = Row>(strings: TemplateStringsArray, ...values: SqlValue[]): T[];
  /** Rows read and written by every statement so far (SQL cursor counters): the storage bill. */
  readonly usage: { rowsRead: number; rowsWritten: number };
}

// A template's strings array is the same object at every call of one call site, so each
// statement's text is joined once.
const statements = new WeakMap<TemplateStringsArray, string>();

function statementOf(strings: TemplateStringsArray): string {
  let text = statements.get(strings);
  if (text === undefined) statements.set(strings, (text = strings.join("?")));
  return text;
}

export function sqlOf(storage: SqlStorage): Sql {
  const usage = { rowsRead: 0, rowsWritten: 0 };
  const sql = <T extends Row = Row>(strings: TemplateStringsArray, ...values: SqlValue[]): T[] => {
    const cursor = storage.exec<T>(statementOf(strings), ...values);
    const rows = cursor.toArray();
    usage.rowsRead += cursor.rowsRead;
    usage.rowsWritten += cursor.rowsWritten;
    return rows;
  };
  return Object.assign(sql, { usage });
}

/** Whether a table exists: a read of the schema, for tables created on first use. */
export function tableExists(sql: Sql, name: string): boolean {
  return sql`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ${name}`.length > 0;
}
