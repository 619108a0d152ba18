// The PostgreSQL dialect of the filter-to-SQL compiler: positional `$n` parameters, tag presence from a GIN index of
// each entity's tag names, `id` from the entity row.

import type { SqlDialect } from '../sql/filter-sql.js';

/**
 * PostgreSQL: `$1`, `$2`, ...; a tag's presence is `e.names @> ARRAY[$n]`, which the GIN index on `entity.names`
 * (the entity's tag names) answers exactly, with `e.data ? $n` (the same test on the JSONB) before it for row-by-row
 * evaluation.
 */
export const POSTGRES_DIALECT: SqlDialect = Object.freeze({
  name: 'postgresql',
  placeholder: (index: number): string => `$${String(index)}`,
  // Both tests: the names array is what the index holds, the JSONB key test is the cheaper one row by row (a scan
  // tests it first and skips the array for entities without the tag).
  hasTag: (alias: string, name: string): string =>
    `(${alias}.data ? ${name} AND ${alias}.names @> ARRAY[${name}]::text[])`,
  // The entity's id has its unique index on the entity row: a tag row for it would only cost every insert.
  idFromEntity: true,
});
