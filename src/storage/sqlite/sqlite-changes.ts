// Change notifications between processes sharing one SQLite file: `PRAGMA data_version` polled, then the change log.

import type { StoreChange, StoreChangeListener } from '../change-notifier.js';
import type { SqliteDb } from './sqlite-schema.js';

/**
 * Tells listeners of entity changes other connections commit to the file. SQLite has no notifications, so each
 * subscribed connection polls `PRAGMA data_version` every `pollMs` (a read of a counter in shared memory, no I/O:
 * it changes only when another connection commits); when it moved, the rows of the `entity_change` log after the
 * last version seen name the changed ids. Writers log every entity they change in the same transaction; the log
 * keeps the last 10,000 versions, and a reader that falls further behind is told to `reset`. Users are not logged:
 * the `user` table (a few rows) and the count of each user's ended sessions (`session_end`) are read with the log and
 * compared with the last read, and the users changed, added or removed, or whose sessions ended, are told as `users`.
 */
export class SqliteChangeWatcher {
  readonly #listeners = new Set<StoreChangeListener>();
  readonly #pollMs: number;
  readonly #read: () => StoreChange[];
  // Each user's row (role, enabled, modified, credentials) and ended sessions as last read: a difference is a change.
  #users = new Map<string, string>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #version = 0;
  #dataVersion = 0;

  constructor(db: SqliteDb, pollMs: number) {
    this.#pollMs = pollMs;
    const q = {
      dataVersion: db.prepare('PRAGMA data_version').pluck(),
      version: db.prepare("SELECT value FROM meta WHERE key = 'version'").pluck(),
      pruned: db.prepare("SELECT value FROM meta WHERE key = 'change_pruned'").pluck(),
      since: db.prepare('SELECT version, id, expires FROM entity_change WHERE version > ? ORDER BY version'),
      users: db
        .prepare("SELECT username, role || ' ' || enabled || ' ' || modified || ' ' || hex(stored_key) FROM user")
        .raw(),
      ended: db.prepare('SELECT username, n FROM session_end').raw(),
    };
    // Each user's row and count of ended sessions: a session ended (a logout) is a change of its user too.
    const readUsers = (): Map<string, string> => {
      const users = new Map(q.users.all() as [string, string][]);
      for (const [username, n] of q.ended.all() as [string, number][]) {
        users.set(username, `${users.get(username) ?? ''} ended ${String(n)}`);
      }
      return users;
    };
    // One read transaction: the log and the version it reads are one snapshot.
    this.#read = db.transaction((): StoreChange[] => {
      const dataVersion = q.dataVersion.get() as number;
      if (dataVersion === this.#dataVersion) return [];
      const version = q.version.get() as number;
      const since = this.#version;
      const pruned = q.pruned.get() as number;
      const rows = q.since.all(since) as { readonly id: string; readonly expires: number | null }[];
      const ids = new Set<string>();
      const expiries: { readonly id: string; readonly at: number }[] = [];
      for (const r of rows) {
        ids.add(r.id);
        if (r.expires !== null) expiries.push({ id: r.id, at: r.expires });
      }
      const users = readUsers();
      const usernames = [...new Set([...users.keys(), ...this.#users.keys()])].filter(
        (u) => users.get(u) !== this.#users.get(u),
      );
      // Seen only once everything is read: a read that fails is retried whole.
      this.#dataVersion = dataVersion;
      this.#version = Math.max(since, version);
      this.#users = users;
      const out: StoreChange[] = usernames.length > 0 ? [{ kind: 'users', usernames }] : [];
      if (pruned > since) out.push({ kind: 'reset' });
      else if (ids.size > 0) {
        out.push(
          expiries.length > 0 ? { kind: 'entities', ids: [...ids], expiries } : { kind: 'entities', ids: [...ids] },
        );
      }
      return out;
    });
    this.#start = () => {
      this.#dataVersion = q.dataVersion.get() as number;
      this.#version = q.version.get() as number;
      this.#users = readUsers();
    };
    this.#moved = () => (q.dataVersion.get() as number) !== this.#dataVersion;
  }

  readonly #start: () => void;
  // Whether another connection committed since the last read: one pragma, without the read transaction's cost.
  readonly #moved: () => boolean;

  /** Report changes committed from now on to `listener`; returns the function that stops it. */
  subscribe(listener: StoreChangeListener): () => void {
    if (this.#listeners.size === 0) {
      this.#start();
      this.#timer = setInterval(() => {
        this.poll();
      }, this.#pollMs);
      this.#timer.unref();
    }
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.stop();
    };
  }

  /** Report what other connections committed before the call, now rather than at the next tick (when subscribed). */
  sync(): void {
    if (this.#listeners.size === 0) return;
    try {
      if (!this.#moved()) return;
    } catch {
      // The file is busy or going away: the read below fails the same way and is retried at the next tick.
    }
    this.poll();
  }

  /** Look for changes now (the timer calls this); a failed read is retried at the next tick. */
  poll(): void {
    let changes: StoreChange[];
    try {
      changes = this.#read();
    } catch {
      // The file is busy or going away: the next tick reads the same log again.
      return;
    }
    for (const change of changes) for (const l of this.#listeners) l(change);
  }

  /** Stop polling and forget every listener. */
  stop(): void {
    this.#listeners.clear();
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
