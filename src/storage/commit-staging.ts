// What every backend does before writing a commit: stage each diff over the current entities, all or none.

import { OptionError, UnknownRecError, ValueError } from '../core/errors.js';
import type { Dict } from '../core/grid/dict.js';
import { HDateTime } from '../core/kinds/date-time.js';
import type { CommitDiff } from './adapter.js';
import {
  isEntityId,
  nextMod,
  requestedId,
  sameMod,
  storedEntity,
  updatedEntity,
  type ValueInterner,
} from './entity-tags.js';
import { conflictError } from './storage-errors.js';

/** A commit staged in memory: the new state of each id it touches (null: removed) and the ids it answers with. */
export interface StagedCommit {
  /** The final state of each entity the commit changes, in first-touched order; null removes it. */
  readonly staged: ReadonlyMap<string, Dict | null>;
  /** The entity after each add and update, in diff order (entities removed by the same commit omitted). */
  readonly results: readonly Dict[];
}

/**
 * Stage `diffs` over `stored` (the entities as the store holds them) without writing anything: a failing diff
 * throws (`UnknownRecError`, `HS_ERR_CONFLICT`, `ValueError`) before the backend has applied any of the commit.
 * `newId` makes an id for an add without one, given a lookup that sees the staged entities too; `intern`, if given,
 * is applied to every value written.
 */
export function stageCommit(
  diffs: readonly CommitDiff[],
  stored: (id: string) => Dict | undefined,
  now: number,
  newId: (current: (id: string) => Dict | undefined) => string,
  intern?: ValueInterner,
): StagedCommit {
  const staged = new Map<string, Dict | null>();
  const current = (id: string): Dict | undefined => {
    const s = staged.get(id);
    return s === null ? undefined : (s ?? stored(id));
  };
  const touched: string[] = [];
  let onlyAdds = true;
  // Every add of one commit gets the same `mod`: one immutable DateTime shared, not one per entity.
  let addMod: HDateTime | undefined;
  for (const diff of diffs) {
    switch (diff.op) {
      case 'add': {
        const asked = requestedId(diff.tags);
        if (asked !== undefined && current(asked) !== undefined) throw conflictError(`Entity @${asked} already exists`);
        const id = asked ?? newId(current);
        addMod ??= nextMod(undefined, now);
        staged.set(id, storedEntity(id, diff.tags, addMod, intern));
        touched.push(id);
        break;
      }
      case 'update': {
        onlyAdds = false;
        const cur = checkedEntity(diff.id, diff.mod, current);
        staged.set(diff.id, updatedEntity(cur, diff.changes, diff.id, nextMod(modOf(cur), now), intern));
        touched.push(diff.id);
        break;
      }
      case 'remove':
        onlyAdds = false;
        checkedEntity(diff.id, diff.mod, current);
        staged.set(diff.id, null);
        break;
      default:
        throw new ValueError(`Unknown commit op ${JSON.stringify((diff as { op: unknown }).op)}`);
    }
  }
  // Adds alone name each id once, in order: the results are the staged entities, without looking each up again.
  if (onlyAdds) return { staged, results: [...staged.values()] as Dict[] };
  const results: Dict[] = [];
  for (const id of touched) {
    const d = current(id);
    if (d !== undefined) results.push(d);
  }
  return { staged, results };
}

/** The `mod` of an entity, if it has one. */
export function modOf(d: Dict): HDateTime | undefined {
  const m = d.get('mod');
  return m instanceof HDateTime ? m : undefined;
}

// The current entity, checked against the `mod` the caller last saw.
function checkedEntity(id: string, mod: HDateTime | undefined, current: (id: string) => Dict | undefined): Dict {
  const cur = current(id);
  if (cur === undefined) throw new UnknownRecError(id);
  if (mod !== undefined) {
    const m = modOf(cur);
    if (m === undefined || !sameMod(m, mod)) {
      throw conflictError(`Entity @${id} changed since ${mod.toIso()} (now ${m?.toIso() ?? 'none'})`);
    }
  }
  return cur;
}

/** A watch lease checked (`ValueError` unless a positive number of ms) and shortened to `maxLeaseMs`. */
export function checkLease(leaseMs: number, maxLeaseMs: number): number {
  if (!(Number.isFinite(leaseMs) && leaseMs > 0)) {
    throw new ValueError(`Watch lease must be a positive number of milliseconds, got ${String(leaseMs)}`);
  }
  return Math.min(leaseMs, maxLeaseMs);
}

/**
 * Run synchronous work as a promise: a throw becomes a rejection, never an exception at the call site; `failure`
 * (a backend's driver errors made typed) gives the error rejected with.
 */
export function settle<T>(work: () => T, failure?: (err: unknown) => Error): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (err) {
    return Promise.reject(failure !== undefined ? failure(err) : err instanceof Error ? err : new Error(String(err)));
  }
}

/** A count option checked: an integer >= `min`, else an `OptionError` naming backend and option. */
export function countOption(backend: string, name: string, value: number, min: number): number {
  if (Number.isSafeInteger(value) && value >= min) return value;
  const code = typeof value === 'number' ? 'HS_ERR_OPTION_RANGE' : 'HS_ERR_OPTION_TYPE';
  throw new OptionError(
    code,
    name,
    `${backend} store: ${name} must be an integer >= ${String(min)}, got ${String(value)}`,
  );
}

/** A function option (a clock) checked, as JS callers can pass anything: undefined, or a function (else an `OptionError`). */
export function functionOption<F extends (...args: never[]) => unknown>(
  what: string,
  name: string,
  value: F | undefined,
): F | undefined {
  if (value === undefined || typeof (value as unknown) === 'function') return value;
  throw new OptionError('HS_ERR_OPTION_TYPE', name, `${what}: ${name} must be a function`);
}

/** Limits with defaults filled in, each known and a positive number (an `OptionError` naming backend and limit). */
export function resolvePositiveLimits<L extends object>(
  backend: string,
  defaults: L,
  given: Partial<L> | undefined,
): L {
  for (const name of Object.keys(given ?? {})) {
    if (!(name in defaults)) {
      throw new OptionError('HS_ERR_OPTION_UNKNOWN', `limits.${name}`, `${backend} store: unknown limit ${name}`);
    }
  }
  const limits = { ...defaults, ...given };
  for (const [name, val] of Object.entries(limits) as [string, unknown][]) {
    if (typeof val === 'number' && val > 0) continue;
    const code = typeof val === 'number' ? 'HS_ERR_OPTION_RANGE' : 'HS_ERR_OPTION_TYPE';
    throw new OptionError(code, `limits.${name}`, `${backend} store limit ${name} must be > 0`);
  }
  return Object.freeze(limits);
}

/** The `idPrefix` option of a store, checked: empty, or Ref characters (an `OptionError` otherwise). */
export function storeIdPrefix(backend: string, idPrefix: unknown): string {
  if (idPrefix === undefined || idPrefix === '') return '';
  if (typeof idPrefix !== 'string') {
    throw new OptionError('HS_ERR_OPTION_TYPE', 'idPrefix', `${backend} store: idPrefix must be a string`);
  }
  if (!isEntityId(idPrefix)) {
    const message = `${backend} store: id prefix ${JSON.stringify(idPrefix)} must be made of Ref characters`;
    throw new OptionError('HS_ERR_OPTION_RANGE', 'idPrefix', message);
  }
  return idPrefix;
}
