// What an op is: its name, handler from request grid to response grid, GET rule and role, and the context it runs in.

import type { Dict } from '../core/grid/dict.js';
import type { Grid, GridCol } from '../core/grid/grid.js';
import type { TimeZone } from '../core/tz/time-zone.js';
import type { Clock, StorageAdapter } from '../storage/adapter.js';
import type { ActionRegistry } from './actions.js';
import type { CacheDeps } from './cache/response-cache.js';
import type { ServerLimits } from './limits.js';
import type { DefNamespace } from './namespace/namespace.js';
import type { Principal, Role } from './principal.js';

/** One grid format the server reads or writes, as the `formats` and `filetypes` ops report it. */
export interface ServerFormat {
  /** Filetype name (`zinc`, `json`, `trio`, `csv`). */
  readonly name: string;
  /** Canonical media type, e.g. `text/zinc`. */
  readonly mime: string;
  /** Display name, e.g. `Zinc`. */
  readonly dis: string;
  /** Usual file extension without the dot. */
  readonly fileExt: string;
  /** True if request bodies may use it. */
  readonly receive: boolean;
  /** True if responses may use it. */
  readonly send: boolean;
}

/** Fixed facts about the server that ops report or use. */
export interface ServerInfo {
  /** Values of the `about` op other than the clock-based ones. */
  readonly about: AboutInfo;
  /** Default time zone of the server (`about.tz`, and of ranges for points without `tz`). */
  readonly tz: TimeZone;
  /** When the server was made (epoch ms), reported as `serverBootTime`. */
  readonly bootTime: number;
  /** Source of the current time. */
  readonly clock: Clock;
  /** Input limits. */
  readonly limits: ServerLimits;
  /** Lease given to a watch that asks for none, in ms. */
  readonly defaultLeaseMs: number;
  /** Longest lease a watch may have, in ms (longer requests are shortened). */
  readonly maxLeaseMs: number;
}

/** Text facts of the `about` op; every field is a Str (or Uri for the `*Uri` fields). */
export interface AboutInfo {
  /** `serverName`: name of the server or project. */
  readonly serverName: string;
  /** `productName`. */
  readonly productName: string;
  /** `productVersion`. */
  readonly productVersion: string;
  /** `productUri`. */
  readonly productUri: string;
  /** `vendorName`. */
  readonly vendorName: string;
  /** `vendorUri`. */
  readonly vendorUri: string;
}

/** What an op handler can use while it serves one request. */
export interface OpContext {
  /** The store the server serves. */
  readonly store: StorageAdapter;
  /** The caller. */
  readonly principal: Principal;
  /** Server facts, limits and clock. */
  readonly server: ServerInfo;
  /** The ops the server has. */
  readonly ops: OpRegistry;
  /** The actions `invokeAction` can run. */
  readonly actions: ActionRegistry;
  /** Grid formats the server speaks. */
  readonly formats: readonly ServerFormat[];
  /** The def namespace served by `defs`, `libs`, `ops` and `filetypes`. */
  namespace(): Promise<DefNamespace>;
  /** Ends the caller's session (the `close` op). */
  closeSession(): Promise<void>;
}

/**
 * A response grid whose rows come in chunks as they are read (a long history), so that the server never holds them
 * all: the pipeline sends each chunk as it comes where the response format can be written in pieces (Zinc, JSON,
 * CSV), and gathers them into one grid elsewhere. Each chunk is a grid of `cols` (its meta is ignored).
 */
export interface ChunkedGrid {
  /** The response's grid meta. */
  readonly meta: Dict;
  /** The response's columns. */
  readonly cols: readonly GridCol[];
  /** The rows, in order, a grid at a time; iterated once. */
  readonly chunks: AsyncIterable<Grid>;
}

/** What an op answers: a grid, or a grid whose rows come in chunks. */
export type OpResult = Grid | ChunkedGrid;

/** Handler of an op: the request grid in, the response grid out; errors are thrown as `HaystackError`s. */
export type OpHandler = (req: Grid, ctx: OpContext) => OpResult | Promise<OpResult>;

/** An op of the HTTP API: one entry of the op registry. */
export interface OpDef {
  /** Op name, the last path segment of its URI (`read` in `/api/read`). */
  readonly name: string;
  /** One-line description, reported as the op def's `doc`. */
  readonly doc: string;
  /** True if the op has no side effects, so GET may call it (`noSideEffects` in its def). */
  readonly noSideEffects: boolean;
  /**
   * True to accept GET although the op has side effects, because they touch only the caller's own state and a
   * client that sends GET must still get them (`close`: haystack-py's client closes with GET). Default false.
   */
  readonly allowGet?: boolean;
  /** Role the caller needs (see `principal.ts`). */
  readonly requiredRole: Role;
  /**
   * The role a given request needs beyond `requiredRole`, checked once the request grid is read (`pointWrite`: any
   * caller may read a priority array, writing a level needs `operator`). Absent: `requiredRole` for every request.
   */
  readonly roleFor?: (req: Grid) => Role;
  /** The handler. */
  readonly handler: OpHandler;
  /** True when the op reads nothing from its request grid: a POST body beyond an empty grid's size is refused unread (413). */
  readonly noArgs?: boolean;
  /**
   * For read-only ops whose GET responses may be cached: what a response depends on besides the ids of its
   * rows (undefined: do not cache this one). Ops without it are never cached.
   */
  readonly cacheDeps?: (req: Grid, res: Grid) => CacheDeps | undefined;
}

/** The ops of a server, by name. */
export interface OpRegistry {
  /** The op with this name, if any. */
  get(name: string): OpDef | undefined;
  /** Every op, in registration order. */
  list(): readonly OpDef[];
}
