// Change notifications between processes sharing one PostgreSQL schema: LISTEN on a dedicated connection, then the
// change log (`entity_change`) says which entities changed.

import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { StoreChange, StoreChangeListener } from '../change-notifier.js';
import type { PgDriver } from './pg-driver.js';
import { isReplyTimeout, storageFailure } from './pg-errors.js';
import { quoteIdent } from './pg-schema.js';

/** The NOTIFY payload that tells of a change of user `username` (entity changes' payloads are version numbers). */
export function userChangePayload(username: string): string {
  return `${USER_PAYLOAD}${username}`;
}

const USER_PAYLOAD = 'user:';

/** The NOTIFY channel of a schema's changes (hashed: a channel name is at most 63 bytes, a schema may be 63). */
export function changeChannel(schema: string): string {
  return `hs_changes_${createHash('sha256').update(schema).digest('hex').slice(0, 32)}`;
}

// Log rows read per catch-up; a listener further behind than this is told to reset.
const CATCH_UP_ROWS = 1000;
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 5_000;

/** Default of how often the LISTEN connection is checked (and how long the check may take), in ms. */
export const DEFAULT_LISTEN_CHECK_MS = 10_000;

interface LogRow {
  readonly cur: number;
  readonly version: number | null;
  readonly ids: string[] | null;
  readonly expiry_ids: string[] | null;
  /** int8[] comes as strings (the pool's int8-as-number parser covers scalars only). */
  readonly expiry_at: (string | number)[] | null;
}

/**
 * Tells listeners of entity changes committed to a schema by any process. Writers log each transaction's changed ids
 * under its version and NOTIFY the schema's channel in the same transaction (so the notification is sent only on
 * commit); this feed LISTENs on a connection of its own and, on each notification, reads the log after the last
 * version it reported. Notifications that arrive while it reads are coalesced into one more read. When the
 * connection is lost it reconnects (with backoff, for as long as it has listeners) and catches up from the log, so
 * no change is missed; a gap the log no longer covers (pruned, or a bulk change that logged no ids) becomes `reset`.
 * Users changed through the schema's user store (and sessions ended) are told as `users` from the notification's
 * payload alone: none is logged, so after a reconnect the listeners are told `reset` (one may have been missed while
 * the connection was down), then the entity changes the log holds.
 * An idle LISTEN connection hears nothing when it is dropped silently (a NAT or firewall forgetting it): a cheap
 * query every `checkMs`, answered within `checkMs`, finds it dead, and it is dropped and reconnected as above.
 */
export class PgChangeFeed {
  readonly #listeners = new Set<StoreChangeListener>();
  readonly #driver: PgDriver;
  readonly #config: pg.ClientConfig;
  readonly #channel: string;
  readonly #checkMs: number;
  #client: pg.Client | undefined;
  #checkTimer: ReturnType<typeof setInterval> | undefined;
  #checking = false;
  #opening: Promise<void> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #retryMs = RETRY_FIRST_MS;
  #last = 0;
  #reading = false;
  #again = false;
  #stopped = false;
  // Callers of `sync` waiting for a read of the log that starts after their call.
  #waiters: (() => void)[] = [];

  constructor(driver: PgDriver, config: pg.ClientConfig, channel: string, checkMs = DEFAULT_LISTEN_CHECK_MS) {
    this.#driver = driver;
    // TCP keepalive keeps NAT and firewall mappings of the idle connection alive; the check below finds it dead.
    this.#config = { ...config, keepAlive: true, keepAliveInitialDelayMillis: checkMs };
    this.#channel = channel;
    this.#checkMs = checkMs;
  }

  /** Report changes committed from the time it resolves on to `listener`; resolves to the function that stops it. */
  async subscribe(listener: StoreChangeListener): Promise<() => void> {
    // With listeners already (a reconnect under way), the feed keeps its place in the log.
    if (this.#client === undefined) await this.#connect(this.#listeners.size === 0);
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) {
        this.#disconnect();
        this.#release(this.#waiters.splice(0));
      }
    };
  }

  /**
   * Resolve once the listeners have been told of every change committed before the call: the log is read now (with
   * the reads notifications ask for), not when a notification comes. While the connection is down it connects at
   * once and reads the log then; when the read fails the listeners are told `reset`. Only when the server is out of
   * reach (nothing can commit to it meanwhile) does it resolve with nothing read: the catch-up after the reconnect
   * reports what was missed.
   */
  sync(): Promise<void> {
    if (this.#stopped || this.#listeners.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#waiters.push(resolve);
      if (this.#client === undefined) this.#reconnectNow();
      else this.#read();
    });
  }

  /** Forget every listener and close the connection; no reconnect follows. */
  stop(): void {
    this.#stopped = true;
    this.#listeners.clear();
    this.#disconnect();
    this.#release(this.#waiters.splice(0));
  }

  // One connection attempt at a time, shared by subscribers and the reconnect timer.
  #connect(first: boolean): Promise<void> {
    this.#opening ??= this.#open(first).finally(() => {
      this.#opening = undefined;
    });
    return this.#opening;
  }

  // Connect, LISTEN, and catch up. The first time, the log's current version is where reports start.
  async #open(first: boolean): Promise<void> {
    const client = new this.#driver.pg.Client(this.#config);
    // Errors end the connection (handled by 'end'); without a listener they would end the process.
    client.on('error', () => undefined);
    client.on('end', () => {
      this.#lost(client);
    });
    client.on('notification', (m) => {
      if (m.channel !== this.#channel) return;
      // A user change is in the payload alone (users are not in the change log): told as it comes.
      if (m.payload?.startsWith(USER_PAYLOAD) === true) {
        this.#deliver({ kind: 'users', usernames: [m.payload.slice(USER_PAYLOAD.length)] });
      } else this.#read();
    });
    try {
      await client.connect();
      if (first) {
        const r = await client.query<{ readonly v: number }>("SELECT value AS v FROM meta WHERE key = 'version'");
        this.#last = r.rows[0]?.v ?? 0;
      }
      await client.query(`LISTEN ${quoteIdent(this.#channel)}`);
    } catch (err) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw storageFailure(err);
    }
    if (this.#stopped || (!first && this.#listeners.size === 0)) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      return;
    }
    this.#client = client;
    this.#retryMs = RETRY_FIRST_MS;
    this.#startChecks();
    // Back after a loss: user and session changes NOTIFYed meanwhile are in no log, so everything may have changed.
    if (!first) this.#deliver({ kind: 'reset' });
    // What committed before LISTEN took effect (while disconnected, or since the version was read) is in the log.
    this.#read();
  }

  // A sync waits: connect now rather than at the backoff's next try (the catch-up read after it serves the waiters).
  // A server out of reach lets them go, and the backoff goes on.
  #reconnectNow(): void {
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#connect(false).catch(() => {
      this.#release(this.#waiters.splice(0));
      this.#retryMs = Math.min(this.#retryMs * 2, RETRY_MAX_MS);
      this.#retry();
    });
  }

  #disconnect(): void {
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#stopChecks();
    const client = this.#client;
    this.#client = undefined;
    if (client !== undefined) {
      client.removeAllListeners('end');
      client.end().catch(() => undefined);
    }
  }

  // The connection ended (server restart, pg_terminate_backend, network): connect again while someone listens.
  #lost(client: pg.Client): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    this.#stopChecks();
    this.#retry();
  }

  #startChecks(): void {
    this.#stopChecks();
    this.#checkTimer = setInterval(() => {
      this.#check();
    }, this.#checkMs);
    this.#checkTimer.unref();
  }

  #stopChecks(): void {
    if (this.#checkTimer !== undefined) clearInterval(this.#checkTimer);
    this.#checkTimer = undefined;
  }

  // A round trip on the idle connection; unanswered in time, the connection is ended (at once: a query is pending),
  // and its 'end' reconnects and catches up. A read in progress is a check of its own.
  #check(): void {
    const client = this.#client;
    if (client === undefined || this.#checking || this.#reading) return;
    this.#checking = true;
    // pg takes a per-query reply deadline that its types leave out.
    const probe = { text: 'SELECT 1', query_timeout: this.#checkMs } as pg.QueryConfig;
    client.query(probe).then(
      () => {
        this.#checking = false;
      },
      () => {
        this.#checking = false;
        if (this.#client === client) client.end().catch(() => undefined);
      },
    );
  }

  #retry(): void {
    if (this.#stopped || this.#listeners.size === 0 || this.#retryTimer !== undefined) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      if (this.#stopped || this.#listeners.size === 0 || this.#client !== undefined) return;
      this.#connect(false).catch(() => {
        this.#retryMs = Math.min(this.#retryMs * 2, RETRY_MAX_MS);
        this.#retry();
      });
    }, this.#retryMs);
    this.#retryTimer.unref();
  }

  // Read the log after the last version reported; one read at a time, notifications (and syncs) meanwhile ask for
  // one more.
  #read(): void {
    if (this.#reading) {
      this.#again = true;
      return;
    }
    this.#reading = true;
    void this.#drain();
  }

  async #drain(): Promise<void> {
    try {
      do {
        this.#again = false;
        // The syncs asked before this read starts: it reads everything they wait for.
        const served = this.#waiters.splice(0);
        const read = await this.#readOnce();
        if (!read) {
          // The syncs cannot wait for the catch-up after the reconnect (the server may stay away): what committed
          // before them may go unheard until then, which the listeners are told.
          const waiting = [...served, ...this.#waiters.splice(0)];
          if (waiting.length > 0) this.#deliver({ kind: 'reset' });
          this.#release(waiting);
          return;
        }
        this.#release(served);
      } while (this.#moreAsked());
    } finally {
      // In the same turn as the last check, so that no ask can fall between it and the end of reading.
      this.#reading = false;
      this.#release(this.#waiters.splice(0));
    }
  }

  // One read of the log, its changes delivered; false when the connection is gone or going.
  async #readOnce(): Promise<boolean> {
    const client = this.#client;
    if (client === undefined) return false;
    let rows: LogRow[];
    try {
      const r = await client.query<LogRow>(
        `SELECT m.value AS cur, c.version, c.ids, c.expiry_ids, c.expiry_at FROM meta m LEFT JOIN LATERAL (
           SELECT version, ids, expiry_ids, expiry_at FROM entity_change WHERE version > $1 ORDER BY version LIMIT $2
         ) c ON true WHERE m.key = 'version' ORDER BY c.version`,
        [this.#last, CATCH_UP_ROWS],
      );
      rows = r.rows;
    } catch (err) {
      // The connection is going away (one whose reply is overdue is ended here, which drops it at once): its 'end'
      // reconnects, and the catch-up after it reads this again.
      if (isReplyTimeout(err)) client.end().catch(() => undefined);
      return false;
    }
    const change = this.#changeFrom(rows);
    if (change !== undefined) this.#deliver(change);
    return true;
  }

  #release(waiters: readonly (() => void)[]): void {
    for (const w of waiters) w();
  }

  // Whether a notification came during the last read (a method: the read awaited, so the field may have changed).
  #moreAsked(): boolean {
    return this.#again;
  }

  // What the log rows after `#last` say, advancing `#last`: the ids they name, or reset where the log has a gap.
  #changeFrom(rows: readonly LogRow[]): StoreChange | undefined {
    const cur = rows[0]?.cur ?? this.#last;
    const logged = rows.filter((r) => r.version !== null);
    const since = this.#last;
    if (cur === since) return undefined;
    // Versions are consecutive (one per writing transaction): anything but since+1 .. cur in full is a gap.
    const contiguous =
      cur > since &&
      logged.length === cur - since &&
      logged.every((r, i) => r.version === since + 1 + i && (r.ids?.length ?? 0) > 0);
    this.#last = cur;
    if (!contiguous) return { kind: 'reset' };
    const ids = new Set<string>();
    const expiries: { readonly id: string; readonly at: number }[] = [];
    for (const r of logged) {
      for (const id of r.ids ?? []) ids.add(id);
      const at = r.expiry_at ?? [];
      (r.expiry_ids ?? []).forEach((id, i) => {
        expiries.push({ id, at: Number(at[i]) });
      });
    }
    return expiries.length > 0 ? { kind: 'entities', ids: [...ids], expiries } : { kind: 'entities', ids: [...ids] };
  }

  #deliver(change: StoreChange): void {
    for (const l of [...this.#listeners]) {
      try {
        l(change);
      } catch {
        // The listener's failure is its own (ChangeNotifier: listeners must not throw).
      }
    }
  }
}
