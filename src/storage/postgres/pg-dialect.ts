// The PostgreSQL dialect of the filter-to-SQL compiler: positional `$n` parameters, tag presence from the JSONB GIN.

import type { SqlDialect } from '../sql/filter-sql.js';

/**
 * PostgreSQL: `$1`, `$2`, ...; a tag's presence is `e.data ? $n`, which the GIN index on `entity.data` answers
 * (every tag of an entity is a key of its Hayson object, so the test is exact).
 */
export const POSTGRES_DIALECT: SqlDialect = Object.freeze({
  name: 'postgresql',
  placeholder: (index: number): string => `$${String(index)}`,
  hasTag: (alias: string, name: string): string => `${alias}.data ? ${name}`,
});
