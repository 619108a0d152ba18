// The op methods every client shares (HTTP, WebSocket, a pooled channel): one `Ops` interface over `call`.

import { Dict, type DictInit } from '../core/grid/dict.js';
import { Grid, GridBuilder } from '../core/grid/grid.js';
import type { HDateTime } from '../core/kinds/date-time.js';
import type { Val } from '../core/kinds/kind.js';
import { Num } from '../core/kinds/number.js';
import type { Ref } from '../core/kinds/ref.js';
import { encodeHisRange, type HisRange } from './his-range.js';
import { refArg, Watch, type WatchOptions } from './watch.js';

/** Options of one call. */
export interface CallOptions {
  /** Aborts the call. */
  readonly signal?: AbortSignal;
  /** Overrides the client's timeout for this call. */
  readonly timeoutMs?: number;
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
  ops(options?: CallOptions): Promise<Grid>;
  /** The `formats` op. */
  formats(options?: CallOptions): Promise<Grid>;
  /** The `read` op by filter. */
  read(filter: string, options?: CallOptions & { readonly limit?: number }): Promise<Grid>;
  /** The `read` op by ids. */
  readByIds(ids: readonly (Ref | string)[], options?: CallOptions): Promise<Grid>;
  /** The `nav` op. */
  nav(navId?: Val, options?: CallOptions): Promise<Grid>;
  /** The `hisRead` op for one point. */
  hisRead(id: Ref | string, range: HisRange, options?: CallOptions): Promise<Grid>;
  /** Batch `hisRead`. */
  hisReadMany(
    ids: readonly (Ref | string)[],
    range: HisRange,
    options?: CallOptions & { readonly tz?: string },
  ): Promise<Grid>;
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
  pointWriteArray(id: Ref | string, options?: CallOptions): Promise<Grid>;
  /** The `invokeAction` op. */
  invokeAction(id: Ref | string, action: string, args?: DictInit, options?: CallOptions): Promise<Grid>;
  /** The `defs` op. */
  defs(options?: DefsOptions): Promise<Grid>;
  /** The `libs` op. */
  libs(options?: DefsOptions): Promise<Grid>;
  /** The `filetypes` op. */
  filetypes(options?: DefsOptions): Promise<Grid>;
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
  ops(options?: CallOptions): Promise<Grid> {
    return this.call('ops', Grid.EMPTY, options);
  }

  /** The `formats` op (Haystack 3) — the formats the server reads and writes. */
  formats(options?: CallOptions): Promise<Grid> {
    return this.call('formats', Grid.EMPTY, options);
  }

  /** The `read` op by filter, e.g. `read('point and his', { limit: 100 })`. */
  read(filter: string, options: CallOptions & { readonly limit?: number } = {}): Promise<Grid> {
    const row: Record<string, unknown> = { filter };
    if (options.limit !== undefined) row.limit = new Num(options.limit);
    return this.call('read', oneRow(row), options);
  }

  /** The `read` op by ids: one row per id in order, a row of nulls for an unknown id. */
  readByIds(ids: readonly (Ref | string)[], options?: CallOptions): Promise<Grid> {
    const b = new GridBuilder().addCol('id');
    for (const id of ids) b.addRow([refArg(id)]);
    return this.call('read', b.build(), options);
  }

  /** The `nav` op: children of `navId`, or the root. */
  nav(navId?: Val, options?: CallOptions): Promise<Grid> {
    return this.call('nav', navId === undefined || navId === null ? Grid.EMPTY : oneRow({ navId }), options);
  }

  /** The `hisRead` op for one point. */
  hisRead(id: Ref | string, range: HisRange, options?: CallOptions): Promise<Grid> {
    return this.call('hisRead', hisReadRequest(id, range), options);
  }

  /** Batch `hisRead`: a `ts` column and `v0`, `v1`, ... columns (meta `id`) in the order of `ids`. */
  hisReadMany(
    ids: readonly (Ref | string)[],
    range: HisRange,
    options: CallOptions & { readonly tz?: string } = {},
  ): Promise<Grid> {
    const meta: Record<string, unknown> = { range: encodeHisRange(range) };
    if (options.tz !== undefined) meta.tz = options.tz;
    const b = new GridBuilder().meta(meta).addCol('id');
    for (const id of ids) b.addRow([refArg(id)]);
    return this.call('hisRead', b.build(), options);
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
  pointWriteArray(id: Ref | string, options?: CallOptions): Promise<Grid> {
    return this.call('pointWrite', oneRow({ id: refArg(id) }), options);
  }

  /** The `invokeAction` op: run `action` on the entity with `args`. */
  invokeAction(id: Ref | string, action: string, args: DictInit = {}, options?: CallOptions): Promise<Grid> {
    const d = Dict.of(args);
    const req = d.isEmpty
      ? Grid.make({ meta: { id: refArg(id), action }, cols: [] })
      : Grid.fromDicts([d], { id: refArg(id), action });
    return this.call('invokeAction', req, options);
  }

  #defsCall(op: string, options: DefsOptions): Promise<Grid> {
    const row: Record<string, unknown> = {};
    if (options.filter !== undefined) row.filter = options.filter;
    if (options.limit !== undefined) row.limit = new Num(options.limit);
    return this.call(op, Object.keys(row).length === 0 ? Grid.EMPTY : oneRow(row), options);
  }

  /** The `defs` op, optionally by filter and limit. */
  defs(options: DefsOptions = {}): Promise<Grid> {
    return this.#defsCall('defs', options);
  }

  /** The `libs` op, optionally by filter and limit. */
  libs(options: DefsOptions = {}): Promise<Grid> {
    return this.#defsCall('libs', options);
  }

  /** The `filetypes` op, optionally by filter and limit. */
  filetypes(options: DefsOptions = {}): Promise<Grid> {
    return this.#defsCall('filetypes', options);
  }

  /** Open a watch on `ids`; see {@link Watch}. */
  watch(ids: readonly (Ref | string)[], options: WatchOptions = {}): Promise<Watch> {
    return Watch.open(this, ids, options);
  }
}
