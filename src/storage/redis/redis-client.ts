// The Redis connection of a store: ioredis loaded on demand, scripts by SHA, and outages turned into typed errors.

import { createHash } from 'node:crypto';
import type { Cluster, Redis as IoRedis } from 'ioredis';
import { HaystackError, StorageError, StoreUnavailableError } from '../../core/errors.js';
import { closedError } from '../storage-errors.js';
import type { LuaScript } from './redis-scripts.js';

/** Connection settings of a store. */
export interface RedisConnectionOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://` for TLS. */
  readonly url: string;
  /** Longest wait for a reply before the call fails as unavailable, in ms (default 10,000). */
  readonly commandTimeoutMs?: number;
  /**
   * True when `url` names one node of a Redis Cluster: the client learns the others from it and follows slot moves.
   * A store's keys share one hash tag, so they all live in one slot (on one primary at a time).
   */
  readonly cluster?: boolean;
  /**
   * How often the subscriber connection is checked with a PING, in ms (default 10,000): one unanswered within as long
   * (dropped silently by a NAT, a firewall or a network) is replaced, and the subscription's `onReset` runs. Single
   * node only: a cluster client keeps its subscriber connection itself.
   */
  readonly subscriberCheckMs?: number;
}

/** Default of {@link RedisConnectionOptions.subscriberCheckMs}. */
export const DEFAULT_SUBSCRIBER_CHECK_MS = 10_000;

// Loaded only when a Redis store is opened: ioredis is an optional dependency.
let driver: Promise<IoRedisModule> | undefined;

/** The two constructors a store uses. */
interface IoRedisModule {
  readonly Redis: typeof IoRedis;
  readonly Cluster: typeof Cluster;
}

/** Load ioredis once; a `StorageError` says how to install it when it is missing, as the SQL stores do. */
function loadIoRedis(): Promise<IoRedisModule> {
  driver ??= import('ioredis').then(
    (m): IoRedisModule => ({ Redis: m.Redis, Cluster: m.Cluster }),
    (err: unknown) => {
      driver = undefined;
      throw new StorageError('The Redis store needs the optional dependency ioredis (npm install ioredis@^6)', {
        cause: err,
      });
    },
  );
  return driver;
}

/** A single-node client or a Redis Cluster client: the commands a store sends are the same on both. */
type Client = IoRedis | Cluster;

// Replies Redis gives while it cannot serve yet (loading the AOF, a busy script, a replica without its primary).
const TRANSIENT_REPLY = /^(LOADING|BUSY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN)\b/;

/** One connection with the calls a store makes; every failure is a `HaystackError`. */
export class RedisConnection {
  readonly #client: Client;
  readonly #shas = new Map<LuaScript, string>();
  #subscriber: Client | undefined;
  #subscriberCheck: ReturnType<typeof setInterval> | undefined;
  readonly #subscriberCheckMs: number | undefined;
  #closed = false;

  // A second connection for SUBSCRIBE, queueing commands while it reconnects so that ioredis can subscribe again.
  readonly #newSubscriber: () => Client;

  private constructor(client: Client, newSubscriber: () => Client, subscriberCheckMs: number | undefined) {
    this.#client = client;
    this.#newSubscriber = newSubscriber;
    this.#subscriberCheckMs = subscriberCheckMs;
  }

  /**
   * Connect. Commands never wait in an offline queue and are never resent after a reconnect: while Redis is
   * unreachable a call fails at once with `StoreUnavailableError`, and a write whose reply was lost is not applied
   * twice. The client reconnects by itself (every 50 ms growing to 1 s), so service resumes when Redis is back.
   */
  static async open(options: RedisConnectionOptions): Promise<RedisConnection> {
    const { Redis, Cluster } = await loadIoRedis();
    // Per connection: no command is resent after a reconnect, none retried, and every one has a deadline.
    const connectionOptions = {
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 5_000,
      commandTimeout: options.commandTimeoutMs ?? 10_000,
    };
    const retry = (times: number): number => Math.min(50 * times, 1_000);
    let client: Client;
    let newSubscriber: () => Client;
    // The database the URL names (single node; a cluster has database 0 only).
    let db = 0;
    if (options.cluster === true) {
      const u = new URL(options.url);
      const nodes = [{ host: u.hostname, port: Number(u.port === '' ? 6379 : u.port) }];
      // The cluster client sets each node's offline queue and reconnection itself: those are cluster options here.
      const redisOptions = {
        ...connectionOptions,
        ...(u.username === '' ? {} : { username: decodeURIComponent(u.username) }),
        ...(u.password === '' ? {} : { password: decodeURIComponent(u.password) }),
        ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
      };
      const clusterOptions = {
        lazyConnect: true,
        enableAutoPipelining: true,
        clusterRetryStrategy: retry,
      };
      client = new Cluster(nodes, { ...clusterOptions, enableOfflineQueue: false, redisOptions });
      newSubscriber = () =>
        new Cluster(nodes, {
          ...clusterOptions,
          enableOfflineQueue: true,
          redisOptions: { ...redisOptions, maxRetriesPerRequest: null },
        });
    } else {
      const single = new Redis(options.url, {
        ...connectionOptions,
        lazyConnect: true,
        enableOfflineQueue: false,
        enableAutoPipelining: true,
        retryStrategy: retry,
      });
      client = single;
      db = single.options.db ?? 0;
      newSubscriber = () =>
        single.duplicate({ lazyConnect: true, enableOfflineQueue: true, maxRetriesPerRequest: null });
    }
    // The library never logs; failures reach callers as typed errors, so the event only needs a listener.
    client.on('error', () => undefined);
    // ioredis rejects connect() with only "Connection is closed."; the reason (ECONNREFUSED, a host not found) came
    // as an error event before it, and is the cause worth reporting.
    let connectError: unknown;
    const noteError = (err: unknown): void => {
      connectError = err;
    };
    client.on('error', noteError);
    try {
      await client.connect();
    } catch (err) {
      client.disconnect();
      throw new StoreUnavailableError('redis', { cause: connectError ?? err });
    } finally {
      client.off('error', noteError);
    }
    // ioredis sends SELECT on connecting but goes on in database 0 when it fails (a number past the server's
    // `databases`): every key would land beside another application's. Asked again here, its failure is seen.
    if (db !== 0) {
      try {
        await client.select(db);
      } catch (err) {
        client.disconnect();
        const why = err instanceof Error ? err.message : String(err);
        throw new StorageError(`Redis has no database ${String(db)}: ${why}`, { cause: err });
      }
    }
    const checkMs = options.cluster === true ? undefined : (options.subscriberCheckMs ?? DEFAULT_SUBSCRIBER_CHECK_MS);
    return new RedisConnection(client, newSubscriber, checkMs);
  }

  /** True once {@link close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Run a script with the store's `:ver` key and string arguments; its reply as ioredis gives it. */
  async eval(s: LuaScript, key: string, args: readonly (string | number)[]): Promise<unknown[]> {
    this.#guard();
    let sha = this.#shas.get(s);
    if (sha === undefined) {
      sha = createHash('sha1').update(s.lua).digest('hex');
      this.#shas.set(s, sha);
    }
    // One array (ioredis flattens it) of strings: spread, the arguments of a large write would overflow the stack.
    const argv = [key, ...args.map(String)];
    try {
      try {
        return (await this.#client.evalsha(sha, 1, argv)) as unknown[];
      } catch (err) {
        if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
        // First use on this server (or after a restart emptied its script cache): EVAL loads it.
        return (await this.#client.eval(s.lua, 1, argv)) as unknown[];
      }
    } catch (err) {
      throw this.#failure(err);
    }
  }

  /** A server setting (`CONFIG GET`), or undefined when the server will not say (managed services disable CONFIG). */
  async configGet(name: string): Promise<string | undefined> {
    this.#guard();
    try {
      const value: unknown = (await this.#client.config('GET', name))[1];
      return typeof value === 'string' ? value : undefined;
    } catch {
      return undefined;
    }
  }

  /** The value of a string key, null when absent. */
  async get(key: string): Promise<string | null> {
    this.#guard();
    try {
      return await this.#client.get(key);
    } catch (err) {
      throw this.#failure(err);
    }
  }

  /** Values of hash fields, null where absent. */
  async hmget(key: string, fields: readonly string[]): Promise<(string | null)[]> {
    this.#guard();
    if (fields.length === 0) return [];
    try {
      return await this.#client.hmget(key, ...fields);
    } catch (err) {
      throw this.#failure(err);
    }
  }

  /** Number of fields of a hash. */
  async hlen(key: string): Promise<number> {
    this.#guard();
    try {
      return await this.#client.hlen(key);
    } catch (err) {
      throw this.#failure(err);
    }
  }

  /** One HSCAN step over a hash: the next cursor ('0' after the last step) and about `count` fields with values. */
  async hscan(key: string, cursor: string, count: number): Promise<[string, string[]]> {
    this.#guard();
    try {
      return await this.#client.hscan(key, cursor, 'COUNT', count);
    } catch (err) {
      throw this.#failure(err);
    }
  }

  /** Every field and value of a hash. */
  async hgetall(key: string): Promise<Record<string, string>> {
    this.#guard();
    try {
      return await this.#client.hgetall(key);
    } catch (err) {
      throw this.#failure(err);
    }
  }

  /** Set a hash field only when absent; true when it was set. */
  async hsetnx(key: string, field: string, value: string): Promise<boolean> {
    this.#guard();
    try {
      return (await this.#client.hsetnx(key, field, value)) === 1;
    } catch (err) {
      throw this.#failure(err);
    }
  }

  /** Members of a set. */
  async smembers(key: string): Promise<string[]> {
    this.#guard();
    try {
      return await this.#client.smembers(key);
    } catch (err) {
      throw this.#failure(err);
    }
  }

  /** Fields of several hashes in one round trip (a pipeline), null for a missing hash. */
  async hgetallMany(keys: readonly string[]): Promise<(Record<string, string> | null)[]> {
    this.#guard();
    if (keys.length === 0) return [];
    try {
      const p = this.#client.pipeline();
      for (const k of keys) p.hgetall(k);
      const replies = (await p.exec()) ?? [];
      return replies.map(([err, val]) => {
        if (err !== null) throw err;
        const rec = val as Record<string, string>;
        return Object.keys(rec).length === 0 ? null : rec;
      });
    } catch (err) {
      throw this.#failure(err);
    }
  }

  /**
   * Receive the messages of `channel` on a second connection (a subscribed connection can send nothing else);
   * resolves once Redis confirmed the subscription. When that connection drops and comes back, `onReset` runs once
   * it is subscribed again: messages published meanwhile were missed. Call once per connection.
   */
  async subscribe(channel: string, onMessage: (text: string) => void, onReset: () => void): Promise<void> {
    this.#guard();
    if (this.#subscriber !== undefined) throw new StorageError('This Redis connection is subscribed already');
    const sub = this.#newSubscriber();
    this.#subscriber = sub;
    sub.on('error', () => undefined);
    let dropped = false;
    sub.on('close', () => {
      dropped = true;
    });
    sub.on('ready', () => {
      if (!dropped) return;
      dropped = false;
      sub.subscribe(channel).then(onReset, () => undefined);
    });
    sub.on('message', (ch: string, text: string) => {
      if (ch === channel) onMessage(text);
    });
    try {
      await sub.connect();
      await sub.subscribe(channel);
      dropped = false;
    } catch (err) {
      this.#subscriber = undefined;
      sub.disconnect();
      throw this.#failure(err);
    }
    if (this.#subscriberCheckMs !== undefined) this.#checkSubscriber(sub, this.#subscriberCheckMs);
  }

  // A subscribed connection only receives: dropped silently, it would wait for messages that never come. A PING
  // unanswered in time drops it, and ioredis connects again (the 'ready' above subscribes and resets).
  #checkSubscriber(sub: Client, ms: number): void {
    let pending = false;
    this.#subscriberCheck = setInterval(() => {
      if (pending || sub.status !== 'ready') return;
      pending = true;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new Error('PING unanswered'));
        }, ms);
      });
      Promise.race([sub.ping(), late])
        .catch(() => {
          if (!this.#closed) sub.disconnect(true);
        })
        .finally(() => {
          clearTimeout(timer);
          pending = false;
        });
    }, ms);
    this.#subscriberCheck.unref();
  }

  /** Close the connections; closing twice is harmless. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#subscriberCheck !== undefined) clearInterval(this.#subscriberCheck);
    const clients = this.#subscriber === undefined ? [this.#client] : [this.#client, this.#subscriber];
    await Promise.all(clients.map(quit));
  }

  #guard(): void {
    if (this.#closed) throw closedError('redis');
  }

  // A Redis error reply that is not transient is a bug or a damaged store; anything else means Redis is out of reach.
  #failure(err: unknown): HaystackError {
    if (err instanceof HaystackError) return err;
    if (this.#closed) return closedError('redis');
    const reply = err instanceof Error && err.name === 'ReplyError';
    if (reply && !TRANSIENT_REPLY.test(err.message)) {
      return new StorageError(`Redis refused a store call: ${err.message}`, { cause: err });
    }
    return new StoreUnavailableError('redis', { cause: err });
  }
}

async function quit(client: Client): Promise<void> {
  try {
    await client.quit();
  } catch {
    // Already disconnected (Redis down): nothing is left to flush.
    client.disconnect();
  }
}
