// The SQLite dialect of the filter-to-SQL compiler: named `@pN` parameters (better-sqlite3 binds `?N` only in order).

import type { SqlDialect, SqlParam } from '../sql/filter-sql.js';

/** SQLite: `@p1`, `@p2`, ...; bind them with {@link sqliteParams}. */
export const SQLITE_DIALECT: SqlDialect = Object.freeze({
  name: 'sqlite',
  placeholder: (index: number): string => `@p${String(index)}`,
});

/** The bind object of SQLITE_DIALECT placeholders: `{ p1: params[0], p2: params[1], ... }`. */
export function sqliteParams(params: readonly SqlParam[]): Record<string, SqlParam> {
  const out: Record<string, SqlParam> = {};
  for (let i = 0; i < params.length; i++) out[`p${String(i + 1)}`] = params[i] ?? null;
  return out;
}
