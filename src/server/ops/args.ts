// Typed access to request-grid arguments: every wrong or missing argument becomes one HS_ERR_BAD_REQUEST.

import { HaystackError, LimitError } from '../../core/errors.js';
import { Dict } from '../../core/grid/dict.js';
import type { Grid } from '../../core/grid/grid.js';
import type { Val } from '../../core/kinds/kind.js';
import { Num } from '../../core/kinds/number.js';
import { Ref } from '../../core/kinds/ref.js';

/** A request argument error (400 / ArgErr). */
export function badRequest(message: string): HaystackError {
  return new HaystackError('HS_ERR_BAD_REQUEST', message);
}

/** The first row of a request, or an empty Dict (GET requests and empty grids). */
export function firstRow(req: Grid): Dict {
  return req.first ?? Dict.EMPTY;
}

/**
 * The row of a request to an op that takes a single row (Ops: pointWrite, single hisRead, invokeAction): further
 * rows are refused, never dropped, so a client that meant each of them learns that none was done.
 */
export function singleRow(req: Grid, op: string, hint = ''): Dict {
  if (req.size > 1) throw badRequest(`${op} takes a single row, not ${req.size}${hint}`);
  return firstRow(req);
}

/** A required Str argument. */
export function requireStr(d: Dict, name: string): string {
  const v = d.get(name);
  if (typeof v !== 'string') throw badRequest(v === null ? `Missing ${name}` : `${name} must be a Str`);
  return v;
}

/** An optional Str argument. */
export function optionalStr(d: Dict, name: string): string | undefined {
  const v = d.get(name);
  if (v === null) return undefined;
  if (typeof v !== 'string') throw badRequest(`${name} must be a Str`);
  return v;
}

/** A required Ref argument, as its id (without `@`). */
export function requireRefId(d: Dict, name: string): string {
  const v = d.get(name);
  if (v instanceof Ref) return v.id;
  throw badRequest(v === null ? `Missing ${name}` : `${name} must be a Ref`);
}

/** A Ref value's id, for a cell that must hold a Ref. */
export function refIdOf(v: Val, what: string): string {
  if (v instanceof Ref) return v.id;
  throw badRequest(`${what} must be a Ref`);
}

/** An optional Number argument that must be a non-negative integer (e.g. `limit`). */
export function optionalCount(d: Dict, name: string): number | undefined {
  const v = d.get(name);
  if (v === null) return undefined;
  if (!(v instanceof Num) || !Number.isInteger(v.val) || v.val < 0) {
    throw badRequest(`${name} must be a non-negative integer Number`);
  }
  return v.val;
}

/** The ids of a grid's `id` column (every row must have a Ref), at most `max` of them (limit `limitName`). */
export function idColumn(req: Grid, max: number, limitName: string, what = 'id'): string[] {
  if (req.size > max) throw new LimitError(limitName, `Too many ids: ${req.size} (limit ${max})`);
  const ids: string[] = [];
  for (const row of req) ids.push(refIdOf(row.get('id'), what));
  return ids;
}
