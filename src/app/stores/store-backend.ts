// Store selection: a `--store` text (`memory`, `sqlite:./data.db`, `postgres://...`) names a backend that opens it.

import { describeErrno } from '../../core/errno-text.js';
import { HaystackError, StoreUnavailableError, ValueError } from '../../core/errors.js';
import type { Clock, StorageAdapter } from '../../storage/adapter.js';
import type { AuthStateStore } from '../../storage/auth-state-store.js';
import type { SessionStore } from '../../storage/session-store.js';
import type { UserStore } from '../../storage/user-store.js';

/** A parsed store text: `<scheme>` or `<scheme>:<location>` (a full URL stays whole in `text`). */
export interface StoreSpec {
  /** The text as given, e.g. `sqlite:./data.db` or `postgres://127.0.0.1/test`. */
  readonly text: string;
  /** Lower-case scheme: `memory`, `sqlite`, `postgres`, `redis`, ... */
  readonly scheme: string;
  /** Everything after the first `:` (`./data.db`, `//127.0.0.1/test`); empty for a bare scheme. */
  readonly location: string;
}

/** What a backend gets besides the spec. */
export interface StoreOpenContext {
  /** Directory relative locations resolve against. */
  readonly cwd: string;
  /** Time source to give the store (default `Date.now`). */
  readonly clock?: Clock;
  /**
   * Most entities the store keeps decoded in this process to answer reads (its scan cache: SQLite, PostgreSQL and
   * Redis); 0 keeps none, every read going to the store. One-shot commands (import, export, users) pass 0: a copy
   * filled beside their own reads would decode every entity and then be thrown away. Default: the backend's
   * (1,000,000).
   */
  readonly scanCacheEntities?: number;
  /**
   * True for commands that only read a store (export): a file store that does not exist is an error, where by
   * default it is created empty, so a misspelt path does not pass for an empty store. Default false.
   */
  readonly mustExist?: boolean;
}

/** The options of a shared store (SQLite, PostgreSQL, Redis) that `context` sets: its clock and scan cache bound. */
export function sharedStoreOptions(context: StoreOpenContext): { clock?: Clock; scanCacheEntities?: number } {
  return {
    ...(context.clock === undefined ? {} : { clock: context.clock }),
    ...(context.scanCacheEntities === undefined ? {} : { scanCacheEntities: context.scanCacheEntities }),
  };
}

/** What a store's scan cache (its process's decoded copy of the entities) holds and has done since it opened. */
export interface ScanCacheCounts {
  /** Entities held (0 while off, filling, or left to the store as too many). */
  readonly entities: number;
  /** Full loads completed (more than one: the copy was dropped and filled again). */
  readonly loads: number;
  /** Catch-ups from the store's change log. */
  readonly catchUps: number;
}

/** An opened store and the users that live with it. */
export interface OpenedStore {
  /** The entities, history, priority arrays and watches. */
  readonly store: StorageAdapter;
  /** Users and token sessions kept by the same backend; undefined when users live in this process's memory only. */
  readonly users: (UserStore & SessionStore) | undefined;
  /**
   * Login-throttle records and SCRAM exchanges kept by the same backend, shared by every process that opens it;
   * undefined when they live in this process's memory only.
   */
  readonly authState?: AuthStateStore;
  /** True when the data outlives the process (the seed is written only into an empty store). */
  readonly persistent: boolean;
  /** The local file that holds the store, for a store that is one (SQLite); files that belong to it go beside it. */
  readonly file?: string;
  /** One line for the start-up message, e.g. `memory` or `sqlite ./data.db`. */
  readonly description: string;
  /** Close the store (and its users). */
  close(): Promise<void>;
  /** Start background work that makes later reads faster (the SQLite scan cache); the server calls it once listening. */
  readonly warm?: () => void;
  /** What the store's scan cache holds now; absent for stores without one (memory). */
  readonly scanCache?: () => ScanCacheCounts;
}

/**
 * A storage backend the app can open by scheme. Backends with heavy drivers load them with a dynamic `import()`
 * inside `open`, so choosing `memory` never loads `better-sqlite3`, `pg` or `ioredis`.
 */
export interface StoreBackend {
  /** The scheme it opens, lower case (`sqlite`). */
  readonly scheme: string;
  /** One line for `--help`: the form of its store text. */
  readonly usage: string;
  /** Open (creating if needed) the store the spec names; a failure is a `HaystackError`. */
  open(spec: StoreSpec, context: StoreOpenContext): Promise<OpenedStore>;
}

const SCHEME = /^[a-z][a-z0-9+.-]*$/;

// A store text without a colon is most likely a file name typed as serve's default suggests: say how to write it.
function fileHint(text: string): string {
  return text !== '' && !text.includes(':') ? `; a SQLite file is sqlite:${text}` : '';
}

/** Parse a store text; throws `ValueError` when it has no valid scheme. */
export function parseStoreSpec(text: string): StoreSpec {
  const colon = text.indexOf(':');
  const scheme = (colon < 0 ? text : text.slice(0, colon)).toLowerCase();
  if (!SCHEME.test(scheme)) {
    throw new ValueError(`--store ${JSON.stringify(text)} does not start with a store kind${fileHint(text)}`);
  }
  return { text, scheme, location: colon < 0 ? '' : text.slice(colon + 1) };
}

/** Open the store `text` names with the backend of its scheme among `backends`. */
export async function openStore(
  text: string,
  backends: readonly StoreBackend[],
  context: StoreOpenContext,
): Promise<OpenedStore> {
  const spec = parseStoreSpec(text);
  const backend = backends.find((b) => b.scheme === spec.scheme);
  if (backend === undefined) {
    const known = backends.map((b) => b.scheme).join(', ');
    throw new ValueError(
      `--store ${JSON.stringify(text)}: unknown store kind ${spec.scheme} (known: ${known})${fileHint(text)}`,
    );
  }
  try {
    return await backend.open(spec, context);
  } catch (err) {
    if (err instanceof ValueError) throw err;
    throw new HaystackError('HS_ERR_STARTUP', `cannot open store ${redactStoreText(text)}: ${openFailure(err)}`, {
      cause: err,
    });
  }
}

// What stopped a store from opening. "Unavailable; retry later" suits a server's 503, not a start that just failed:
// the driver's own reason (the address that refused, a name not found) says what to fix.
function openFailure(err: unknown): string {
  if (err instanceof StoreUnavailableError && err.cause instanceof Error) {
    const { code, address, hostname, port } = err.cause as {
      code?: unknown;
      address?: unknown;
      hostname?: unknown;
      port?: unknown;
    };
    if (typeof code !== 'string') return `cannot reach the ${err.backend} server (${err.cause.message})`;
    // Node's socket errors say where they connected to; a host name that was not found is only in `hostname`.
    const host = typeof address === 'string' ? address : typeof hostname === 'string' ? hostname : undefined;
    const at = host === undefined ? '' : ` at ${host}${typeof port === 'number' ? `:${String(port)}` : ''}`;
    return `cannot reach the ${err.backend} server${at}: ${describeErrno(err.cause)}`;
  }
  return err instanceof Error ? err.message : String(err);
}

/** A store text fit for logs: the password of a URL (`postgres://user:secret@host/db`) replaced by `***`. */
export function redactStoreText(text: string): string {
  try {
    const u = new URL(text);
    if (u.password === '') return text;
    u.password = '***';
    return u.toString();
  } catch {
    return text;
  }
}
