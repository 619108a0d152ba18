// The PostgreSQL dialect of the filter-to-SQL compiler: positional `$n` parameters, tag presence from a GIN index of
// each entity's tag names.

import type { SqlDialect } from '../sql/filter-sql.js';

/**
 * PostgreSQL: `$1`, `$2`, ...; a tag's presence is `e.names @> ARRAY[$n]`, which the GIN index on `entity.names`
 * (the entity's tag names) answers exactly.
 */
export const POSTGRES_DIALECT: SqlDialect = Object.freeze({
  name: 'postgresql',
  placeholder: (index: number): string => `$${String(index)}`,
  hasTag: (alias: string, name: string): string => `${alias}.names @> ARRAY[${name}]::text[]`,
});
