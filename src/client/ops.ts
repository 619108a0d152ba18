// The op methods every client shares (HTTP, WebSocket, a pooled channel): one `Ops` interface over `call`.

import { Dict, type DictInit } from '../core/grid/dict.js';
import { Grid, GridBuilder } from '../core/grid/grid.js';
import { type PlainObject, type PlainOption, type PlainOptions, toPlain } from '../core/grid/plain.js';
import type { HDateTime } from '../core/kinds/date-time.js';
import type { Val } from '../core/kinds/kind.js';
import { Num } from '../core/kinds/number.js';
import type { Ref } from '../core/kinds/ref.js';
import { encodeHisRange, type HisRange } from './his-range.js';
import { idGrid, refArg, Watch, type WatchOptions } from './watch.js';

/** Options of one call. */
export interface CallOptions {
  /** Aborts the call. */
  readonly signal?: AbortSignal;
  /** Overrides the client's timeout for this call (0: no timeout). */
  readonly timeoutMs?: number;
  /**
   * `true` or {@link PlainOptions}: an op method that answers a Grid answers plain row objects instead
   * ({@link toPlain}; lossy: units, Ref dis, zones and grid meta dropped); default false. Errors are the same.
   * `call` itself, the transport, always answers a Grid.
   */
  readonly plain?: PlainOption;
}

/** What an op method answers: a Grid, or plain row objects when its options ask for `plain`. */
export type CallResult<O> = O extends { readonly plain: true | PlainOptions }
  ? PlainObject[]
  : O extends { readonly plain: false }
    ? Grid
    : O extends { readonly plain: PlainOption }
      ? Grid | PlainObject[]
      : Grid;

/** A response grid as the call's options ask: itself, or its rows as plain objects. */
function asked<O extends CallOptions>(grid: Grid, options: O | undefined): CallResult<O> {
  const plain = options?.plain;
  return (
    plain === undefined || plain === false ? grid : toPlain(grid, plain === true ? undefined : plain)
  ) as CallResult<O>;
}

/** A history sample to write. */
export interface HisWriteItem {
  /** Timestamp in the point's time zone. */
  readonly ts: HDateTime;
  /** Value of the point's kind. */
  readonly val: Val;
}

/** Options of the defs ops (`defs`, `libs`, `filetypes`). */
export type DefsOptions = CallOptions & { readonly filter?: string; readonly limit?: number };

/** Calls any op: what a transport provides. */
export interface OpCaller {
  /** Call an op with a request grid; the response grid, or a typed error (an error grid is a `CallError`). */
  call(op: string, req?: Grid, options?: CallOptions): Promise<Grid>;
}

/** One method per standard op, the same on every client (`HaystackClient`, `WebSocketClient`, pool channels). */
export interface Ops extends OpCaller {
  /** The `about` op: server information (first row). */
  about(options?: CallOptions): Promise<Dict>;
  /** The `ops` op. */
  ops<O extends CallOptions = CallOptions>(options?: O): Promise<CallResult<O>>;
  /** The `formats` op. */
  formats<O extends CallOptions = CallOptions>(options?: O): Promise<CallResult<O>>;
  /** The `read` op by filter. */
  read<O extends CallOptions & { readonly limit?: number } = CallOptions>(
    filter: string,
    options?: O,
  ): Promise<CallResult<O>>;
  /** The `read` op by ids. */
  readByIds<O extends CallOptions = CallOptions>(ids: readonly (Ref | string)[], options?: O): Promise<CallResult<O>>;
  /** The `nav` op. */
  nav<O extends CallOptions = CallOptions>(navId?: Val, options?: O): Promise<CallResult<O>>;
  /** The `hisRead` op for one point. */
  hisRead<O extends CallOptions = CallOptions>(id: Ref | string, range: HisRange, options?: O): Promise<CallResult<O>>;
  /** Batch `hisRead`. */
  hisReadMany<O extends CallOptions & { readonly tz?: string } = CallOptions>(
    ids: readonly (Ref | string)[],
    range: HisRange,
    options?: O,
  ): Promise<CallResult<O>>;
  /** The `hisWrite` op for one point. */
  hisWrite(id: Ref | string, items: readonly HisWriteItem[], options?: CallOptions): Promise<void>;
  /** The `pointWrite` op. */
  pointWrite(
    id: Ref | string,
    level: number,
    val: Val,
    options?: CallOptions & { readonly who?: string; readonly duration?: Num },
  ): Promise<void>;
  /** The `pointWrite` op without a value: the priority array. */
  pointWriteArray<O extends CallOptions = CallOptions>(id: Ref | string, options?: O): Promise<CallResult<O>>;
  /** The `invokeAction` op. */
  invokeAction<O extends CallOptions = CallOptions>(
    id: Ref | string,
    action: string,
    args?: DictInit,
    options?: O,
  ): Promise<CallResult<O>>;
  /** The `defs` op. */
  defs<O extends DefsOptions = DefsOptions>(options?: O): Promise<CallResult<O>>;
  /** The `libs` op. */
  libs<O extends DefsOptions = DefsOptions>(options?: O): Promise<CallResult<O>>;
  /** The `filetypes` op. */
  filetypes<O extends DefsOptions = DefsOptions>(options?: O): Promise<CallResult<O>>;
  /** Open a watch on `ids`. */
  watch(ids: readonly (Ref | string)[], options?: WatchOptions): Promise<Watch>;
}

function oneRow(row: DictInit, meta?: DictInit): Grid {
  return Grid.fromDicts([row], meta ?? null);
}

/** The request grid of a one-point `hisRead`. */
export function hisReadRequest(id: Ref | string, range: HisRange): Grid {
  return oneRow({ id: refArg(id), range: encodeHisRange(range) });
}

/** The {@link Ops} methods written once over an abstract `call`; each client extends it with its transport. */
export abstract class OpsClient implements Ops {
  /** Call an op with a request grid (see {@link OpCaller.call}). */
  abstract call(op: string, req?: Grid, options?: CallOptions): Promise<Grid>;

  /** The `about` op: server information (first row). */
  async about(options?: CallOptions): Promise<Dict> {
    return (await this.call('about', Grid.EMPTY, options)).first ?? Dict.EMPTY;
  }

  /** The `ops` op: the server's ops. */
  async ops<O extends CallOptions = CallOptions>(options?: O): Promise<CallResult<O>> {
    return asked(await this.call('ops', Grid.EMPTY, options), options);
  }

  /** The `formats` op (Haystack 3) — the formats the server reads and writes. */
  async formats<O extends CallOptions = CallOptions>(options?: O): Promise<CallResult<O>> {
    return asked(await this.call('formats', Grid.EMPTY, options), options);
  }

  /** The `read` op by filter, e.g. `read('point and his', { limit: 100 })`. */
  async read<O extends CallOptions & { readonly limit?: number } = CallOptions>(
    filter: string,
    options?: O,
  ): Promise<CallResult<O>> {
    return this.#filterCall('read', options, filter);
  }

  /** The `read` op by ids: one row per id in order, a row of nulls for an unknown id. */
  async readByIds<O extends CallOptions = CallOptions>(
    ids: readonly (Ref | string)[],
    options?: O,
  ): Promise<CallResult<O>> {
    return asked(await this.call('read', idGrid(ids), options), options);
  }

  /** The `nav` op: children of `navId`, or the root. */
  async nav<O extends CallOptions = CallOptions>(navId?: Val, options?: O): Promise<CallResult<O>> {
    const req = navId === undefined || navId === null ? Grid.EMPTY : oneRow({ navId });
    return asked(await this.call('nav', req, options), options);
  }

  /** The `hisRead` op for one point. */
  async hisRead<O extends CallOptions = CallOptions>(
    id: Ref | string,
    range: HisRange,
    options?: O,
  ): Promise<CallResult<O>> {
    return asked(await this.call('hisRead', hisReadRequest(id, range), options), options);
  }

  /** Batch `hisRead`: a `ts` column and `v0`, `v1`, ... columns (meta `id`) in the order of `ids`. */
  async hisReadMany<O extends CallOptions & { readonly tz?: string } = CallOptions>(
    ids: readonly (Ref | string)[],
    range: HisRange,
    options?: O,
  ): Promise<CallResult<O>> {
    const meta: Record<string, unknown> = { range: encodeHisRange(range) };
    if (options?.tz !== undefined) meta.tz = options.tz;
    return asked(await this.call('hisRead', idGrid(ids, meta), options), options);
  }

  /** The `hisWrite` op for one point. */
  async hisWrite(id: Ref | string, items: readonly HisWriteItem[], options?: CallOptions): Promise<void> {
    const b = new GridBuilder()
      .meta({ id: refArg(id) })
      .addCol('ts')
      .addCol('val');
    for (const it of items) b.addRow([it.ts, it.val]);
    await this.call('hisWrite', b.build(), options);
  }

  /** The `pointWrite` op: write `val` (null releases) at `level` 1-17. */
  async pointWrite(
    id: Ref | string,
    level: number,
    val: Val,
    options: CallOptions & { readonly who?: string; readonly duration?: Num } = {},
  ): Promise<void> {
    const b = new GridBuilder().addCols(['id', 'level', 'val', 'who', 'duration']);
    b.addRow([refArg(id), new Num(level), val, options.who ?? null, options.duration ?? null]);
    await this.call('pointWrite', b.build(), options);
  }

  /** The `pointWrite` op without a value: the point's priority array (level, levelDis, val, who). */
  async pointWriteArray<O extends CallOptions = CallOptions>(id: Ref | string, options?: O): Promise<CallResult<O>> {
    return asked(await this.call('pointWrite', oneRow({ id: refArg(id) }), options), options);
  }

  /** The `invokeAction` op: run `action` on the entity with `args`. */
  async invokeAction<O extends CallOptions = CallOptions>(
    id: Ref | string,
    action: string,
    args: DictInit = {},
    options?: O,
  ): Promise<CallResult<O>> {
    const d = Dict.of(args);
    const req = d.isEmpty
      ? Grid.make({ meta: { id: refArg(id), action }, cols: [] })
      : Grid.fromDicts([d], { id: refArg(id), action });
    return asked(await this.call('invokeAction', req, options), options);
  }

  // An op that takes an optional filter and limit (read, defs, libs, filetypes): a row of those given, or no grid.
  async #filterCall<O extends CallOptions & { readonly limit?: number }>(
    op: string,
    options: O | undefined,
    filter: string | undefined,
  ): Promise<CallResult<O>> {
    const row: Record<string, unknown> = {};
    if (filter !== undefined) row.filter = filter;
    if (options?.limit !== undefined) row.limit = new Num(options.limit);
    return asked(await this.call(op, Object.keys(row).length === 0 ? Grid.EMPTY : oneRow(row), options), options);
  }

  /** The `defs` op, optionally by filter and limit. */
  defs<O extends DefsOptions = DefsOptions>(options?: O): Promise<CallResult<O>> {
    return this.#filterCall('defs', options, options?.filter);
  }

  /** The `libs` op, optionally by filter and limit. */
  libs<O extends DefsOptions = DefsOptions>(options?: O): Promise<CallResult<O>> {
    return this.#filterCall('libs', options, options?.filter);
  }

  /** The `filetypes` op, optionally by filter and limit. */
  filetypes<O extends DefsOptions = DefsOptions>(options?: O): Promise<CallResult<O>> {
    return this.#filterCall('filetypes', options, options?.filter);
  }

  /** Open a watch on `ids`; see {@link Watch}. */
  watch(ids: readonly (Ref | string)[], options: WatchOptions = {}): Promise<Watch> {
    return Watch.open(this, ids, options);
  }
}
