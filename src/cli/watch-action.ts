// What `haystack watch` does: subscribe by polling or over the WebSocket, then print each batch of changes.

import type { HaystackClient } from '../client/index.js';
import { type Dict, Grid, Ref } from '../core/index.js';
import { parseFilterArg } from './filter-arg.js';
import { CliExit, type CliIo } from './io.js';
import { gridPrinter } from './output.js';
import { type RemoteLogin, withClient } from './remote.js';
import type { WatchFlags } from './watch-command.js';

/** How a feed is opened: the ids to watch and the timing the flags asked for. */
export interface WatchFeedRequest {
  /** Entities to watch. */
  readonly ids: readonly Ref[];
  /** Poll interval in milliseconds (a push feed may ignore it). */
  readonly intervalMs: number;
  /** Lease to ask for, in milliseconds. */
  readonly leaseMs?: number;
}

/**
 * Where watched changes come from: {@link openPollingFeed} polls `watchPoll` over HTTP, {@link openPushFeed}
 * (`--ws`) receives the server's pushes over its WebSocket endpoint.
 */
export interface WatchFeed {
  /** Current state of every watched entity that exists, as the subscription answered it. */
  readonly initial: readonly Dict[];
  /** Batches of changed entities, until `signal` aborts. */
  changes(signal: AbortSignal): AsyncIterable<readonly Dict[]>;
  /** End the subscription on the server. */
  close(): Promise<void>;
}

/** A watch over HTTP: `watchSub`, then `watchPoll` every `intervalMs`, `watchUnsub` on close. */
export async function openPollingFeed(client: HaystackClient, req: WatchFeedRequest): Promise<WatchFeed> {
  const watch = await client.watch(req.ids, {
    dis: 'haystack watch',
    ...(req.leaseMs === undefined ? {} : { leaseMs: req.leaseMs }),
  });
  return {
    initial: [...watch.entities.values()],
    changes: (signal) => watch.changes({ intervalMs: req.intervalMs, signal }),
    close: () => watch.close(),
  };
}

function positive(flag: string, raw: string, whole: boolean): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n <= 0 || (whole && !Number.isInteger(n)))
    throw new CliExit(2, `haystack watch: ${flag} must be a positive ${whole ? 'whole ' : ''}number, not ${raw}`);
  return n;
}

/** Watch what `targets` name and print their state and changes until Ctrl-C or `--count` batches. */
export async function runWatch(targets: readonly string[], flags: WatchFlags, io: CliIo): Promise<void> {
  const print = await gridPrinter('watch', flags.to, io);
  const intervalMs = positive('--interval', flags.interval, false) * 1000;
  const leaseMs = flags.lease === undefined ? undefined : positive('--lease', flags.lease, false) * 1000;
  const count = flags.count === undefined ? Number.POSITIVE_INFINITY : positive('--count', flags.count, true);
  const byId = targets.every((t) => t.startsWith('@'));
  if (!byId && targets.length > 1)
    throw new CliExit(2, "haystack watch: give one filter (quoted: 'point and his') or ids that start with @");
  // A malformed filter is a usage error (2), found before any connection.
  const filter = byId ? undefined : await parseFilterArg('watch', targets[0] ?? '');
  await withClient(
    'watch',
    flags,
    io,
    async (client, login) => {
      const ids = byId ? targets.map((t) => new Ref(t.slice(1))) : await idsOf(client, filter?.toString() ?? '');
      if (ids.length === 0) throw new CliExit(1, `haystack watch: nothing matches ${targets.join(' ')}`);
      const req = { ids, intervalMs, ...(leaseMs === undefined ? {} : { leaseMs }) };
      const feed = flags.ws === true ? await openPushFeed(login, req) : await openPollingFeed(client, req);
      try {
        // watchSub leaves out ids that name no entity: say which, and do not wait forever on none.
        const known = new Set(feed.initial.flatMap((d) => (d.id === undefined ? [] : [d.id.id])));
        const unknown = ids.filter((id) => !known.has(id.id)).map((id) => `@${id.id}`);
        if (unknown.length === ids.length) throw new CliExit(1, `haystack watch: no entity ${unknown.join(' ')}`);
        if (unknown.length > 0) io.stderr.write(`haystack watch: no entity ${unknown.join(' ')}; watching the rest\n`);
        print(Grid.fromDicts(feed.initial));
        let batches = 0;
        for await (const changed of feed.changes(io.signal)) {
          print(Grid.fromDicts(changed));
          if (++batches >= count) break;
        }
      } catch (err) {
        // Ctrl-C during a poll aborts that request: that is the normal way to stop.
        if (!io.signal.aborted) throw err;
      } finally {
        await feed.close().catch(() => undefined);
      }
    },
    // Ctrl-C is how a watch without --count ends: exit 0, the loop above stops on it.
    true,
  );
}

async function idsOf(client: HaystackClient, filter: string): Promise<Ref[]> {
  const ids: Ref[] = [];
  for (const row of await client.read(filter)) if (row.id !== undefined) ids.push(row.id);
  return ids;
}

/**
 * A watch over the WebSocket endpoint: `watchSub` on the socket, then the changes the server pushes; closing
 * unsubscribes and ends the socket's session. It logs in on the socket itself (SCRAM), with the same credentials.
 */
export async function openPushFeed(login: RemoteLogin, req: WatchFeedRequest): Promise<WatchFeed> {
  const { WebSocketClient } = await import('../client/index.js');
  const ws = new WebSocketClient(login);
  try {
    const watch = await ws.watch(req.ids, {
      dis: 'haystack watch',
      ...(req.leaseMs === undefined ? {} : { leaseMs: req.leaseMs }),
    });
    return {
      initial: [...watch.entities.values()],
      changes: (signal) => watch.changes({ signal }),
      close: async () => {
        try {
          await watch.close();
        } finally {
          await ws.close();
        }
      },
    };
  } catch (err) {
    await ws.close().catch(() => undefined);
    throw err;
  }
}
