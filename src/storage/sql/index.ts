// Public door of `haystack-ts/storage/sql`: the dialect-neutral filter-to-SQL compiler and tag-row encoding.

export {
  type CompileSqlOptions,
  compileFilterSql,
  type SqlDialect,
  type SqlFilter,
  type SqlParam,
  type SqlRecheck,
} from './filter-sql.js';
export { TagKind, type TagRow, tagKindOf, tagRows, timeKey, utf16Key, valueColumns } from './tag-rows.js';
