// The shared PostgreSQL of the tests (127.0.0.1:5432, database `test`, trust auth): private schemas, dropped after;
// and private servers in temp folders for tests that crash and restart PostgreSQL.

import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.js';
import { makeTempDir } from './temp-dir.js';

/** URL of the test server (override with HAYSTACK_TEST_PG). */
export const TEST_PG_URL = process.env.HAYSTACK_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Schemas made by {@link testSchemas}: a random prefix per test file, so parallel files never meet. */
export function testSchemas(tag: string): { next(): string; dropAll(): Promise<void> } {
  const prefix = `hs_${tag}_${randomBytes(4).toString('hex')}`;
  const made: string[] = [];
  return {
    next: () => {
      const name = `${prefix}_${String(made.length + 1)}`;
      made.push(name);
      return name;
    },
    dropAll: async () => {
      if (made.length === 0) return;
      const c = new pg.Client({ connectionString: TEST_PG_URL });
      await c.connect();
      try {
        for (const s of made.splice(0)) await c.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}

/** One query on the test server, outside any store (test set-up and checks). */
export async function adminQuery<R extends object>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
  const c = new pg.Client({ connectionString: TEST_PG_URL });
  await c.connect();
  try {
    return (await c.query<R>(sql, params as unknown[])).rows;
  } finally {
    await c.end();
  }
}

/**
 * Schemas for stores that each start empty: a schema whose store was closed is emptied and handed out again, so a
 * file of contract tests makes a handful of schemas rather than one per test (DDL is the slow part).
 */
export function reusableSchemas(tag: string): {
  /** A schema with no store open on it, empty (new, or emptied). */
  take(): Promise<string>;
  /** The store on `schema` is closed: it may be reused. */
  give(schema: string): void;
  /** Drop every schema made. */
  dropAll(): Promise<void>;
} {
  const schemas = testSchemas(tag);
  const free: string[] = [];
  let admin: pg.Client | undefined;
  return {
    take: async () => {
      const s = free.pop();
      if (s === undefined) return schemas.next();
      if (admin === undefined) {
        admin = new pg.Client({ connectionString: TEST_PG_URL });
        await admin.connect();
      }
      // DELETE, not TRUNCATE: the tables are tiny, and TRUNCATE makes new files for each.
      const tables = [
        'entity',
        'tag',
        'tombstone',
        'his',
        'priority',
        'watch',
        'watch_entity',
        'users',
        'session',
        'entity_change',
        'auth_throttle',
        'auth_known',
        'auth_handshake',
      ];
      await admin.query(
        `${tables.map((t) => `DELETE FROM "${s}".${t}`).join('; ')}; UPDATE "${s}".meta SET value = 0 WHERE key = 'version'`,
      );
      return s;
    },
    give: (schema) => {
      // A store closed twice gives its schema back twice: pooled once, or two stores would later share it.
      if (!free.includes(schema)) free.push(schema);
    },
    dropAll: async () => {
      await admin?.end();
      admin = undefined;
      await schemas.dropAll();
    },
  };
}

/** A private PostgreSQL server (initdb in a temp folder, on an OS-chosen port) that a test may crash and restart. */
export interface PrivatePostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust auth). */
  readonly url: string;
  /** Immediate shutdown (`pg_ctl stop -m immediate`: no checkpoint, crash recovery at the next start). */
  crash(): Promise<void>;
  /** Start it again on the same port and folder; resolves once it accepts connections. */
  restart(): Promise<void>;
  /**
   * SIGSTOP the server and every process it forked: connections stay open and nothing answers (a frozen host, a
   * network that drops packets). {@link thaw} resumes it.
   */
  freeze(): void;
  /** SIGCONT what {@link freeze} stopped. */
  thaw(): void;
  /** Stop it and delete its folder. */
  stop(): Promise<void>;
}

// The newest installed server's programs (Debian keeps them out of PATH), else whatever PATH has.
function postgresBin(name: string): string | undefined {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(path.join(root, v, 'bin', name)))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0] !== undefined) return path.join(root, versions[0], 'bin', name);
  const onPath = spawnSync('which', [name], { encoding: 'utf8' });
  return onPath.status === 0 ? onPath.stdout.trim() : undefined;
}

// initdb and the server refuse to run as root: as root, run them as the `postgres` account (uid, gid), if any.
function postgresAccount(): { readonly uid: number; readonly gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  return uid.status === 0 && gid.status === 0 ? { uid: Number(uid.stdout), gid: Number(gid.stdout) } : undefined;
}

/** Why {@link startPrivatePostgres} cannot run here (no initdb, or root without a `postgres` account), or undefined. */
export function privatePostgresUnavailable(): string | undefined {
  if (postgresBin('initdb') === undefined || postgresBin('pg_ctl') === undefined) {
    return 'initdb/pg_ctl not found (neither under /usr/lib/postgresql/*/bin nor on PATH)';
  }
  if (process.getuid?.() === 0 && postgresAccount() === undefined) {
    return 'running as root and there is no postgres account to run initdb as';
  }
  return undefined;
}

/**
 * `initdb` a new cluster in a temp folder and start it on a free port (fsync off: a test crashes the server process,
 * never the machine, so what PostgreSQL acknowledged is in the WAL the OS holds). Never the shared server.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const reason = privatePostgresUnavailable();
  if (reason !== undefined) throw new Error(reason);
  const account = postgresAccount();
  const dir = makeTempDir('hs-pg-');
  if (account !== undefined) chownSync(dir.path, account.uid, account.gid);
  const run = (name: string, args: readonly string[]): Promise<void> =>
    new Promise((resolve, reject) => {
      const child = spawn(postgresBin(name) as string, args, {
        cwd: dir.path,
        stdio: ['ignore', 'ignore', 'pipe'],
        ...(account === undefined ? {} : { uid: account.uid, gid: account.gid }),
      });
      let err = '';
      child.stderr.on('data', (c: Buffer) => {
        err += c.toString('utf8');
      });
      child.once('error', reject);
      child.once('exit', (code) => {
        if (code === 0) resolve();
        else reject(new Error(`${name} exited ${String(code)}: ${err.slice(-500)}`));
      });
    });
  const data = dir.file('data');
  const port = await freePort();
  const options = `-p ${String(port)} -k ${dir.path} -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=16MB`;
  const start = (): Promise<void> => run('pg_ctl', ['-D', data, '-l', dir.file('log'), '-w', '-o', options, 'start']);
  try {
    await run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync', '--no-instructions']);
    await start();
  } catch (err) {
    dir.remove();
    throw err;
  }
  return {
    url: `postgres://postgres@127.0.0.1:${String(port)}/postgres`,
    crash: () => run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']),
    restart: start,
    freeze: () => {
      for (const pid of serverProcesses(data)) process.kill(pid, 'SIGSTOP');
    },
    thaw: () => {
      for (const pid of serverProcesses(data).reverse()) process.kill(pid, 'SIGCONT');
    },
    stop: async () => {
      await run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']).catch(() => undefined);
      dir.remove();
    },
  };
}

// The postmaster of the cluster in `data` (first line of postmaster.pid), then the processes it forked.
function serverProcesses(data: string): number[] {
  const postmaster = Number(readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const children = spawnSync('ps', ['-o', 'pid=', '--ppid', String(postmaster)], { encoding: 'utf8' });
  return [
    postmaster,
    ...children.stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map(Number),
  ];
}
