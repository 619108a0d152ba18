// Live values: one WebSocket watch shared by every screen, with the connection state the header shows.

import type { Watch } from '../client/watch.js';
import type { ReconnectEvent, ReconnectingWebSocketClient } from '../client/ws-reconnecting.js';
import { HaystackError } from '../core/errors.js';
import type { Dict } from '../core/grid/dict.js';
import { isRefId } from '../core/kinds/ref.js';
import { loadOnce } from './load-once.js';
import { errorText } from './use-async.js';

/** What the header says about the live connection. */
export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'offline';

type Listener = (d: Dict) => void;

/**
 * Subscriptions by entity id over one watch on one reconnecting WebSocket: screens subscribe to the ids they show
 * and get each pushed change; after a reconnect the watch is subscribed again and every entity is re-sent.
 */
export class LiveHub {
  // The socket's last fetch: what close() waits for, without fetching it again.
  #ws: Promise<ReconnectingWebSocketClient> | undefined;
  readonly #subs = new Map<string, Set<Listener>>();
  readonly #stateListeners = new Set<(s: LiveState) => void>();
  readonly #stop = new AbortController();
  #watch: Promise<Watch> | undefined;
  #current: Watch | undefined;
  // Subscription changes run one after another, so adds and removes reach the server in order.
  #queue: Promise<unknown> = Promise.resolve();
  #state: LiveState = 'connecting';
  #error: string | undefined;
  #sessionEnded = false;
  // After a reconnect the watch has a new id only once it is subscribed again: until then a subscription change
  // would name the old one, which a restarted server no longer knows, so the queue waits here.
  #resubscribed: Promise<void> = Promise.resolve();
  #release: (() => void) | undefined;
  readonly #socket: () => Promise<ReconnectingWebSocketClient>;

  constructor(api: string, token: string | undefined) {
    // The socket's code (the WebSocket client with its Hayson codec, a sixth of the UI's first screen) is a chunk of
    // its own, fetched as the session opens: the screen renders without waiting for it, saying "connecting". A
    // failed fetch leaves the values offline until the next subscription, which fetches it again.
    this.#socket = loadOnce(
      () =>
        (this.#ws = import('../client/ws-reconnecting.js').then(({ ReconnectingWebSocketClient }) => {
          // A socket after one whose code failed to arrive is a new try, not the offline one going on.
          this.#setState('connecting');
          return new ReconnectingWebSocketClient({
            url: api,
            ...(token === undefined ? {} : { token }),
            onReconnect: (e) => {
              this.#onEvent(e);
            },
          });
        })),
    );
    this.#wait();
  }

  // Waits for the connection within the client's timeout, as a call does: a server away for longer takes the values
  // offline with why, even when no call is waiting (a screen without live values, a watch already open).
  #wait(): void {
    this.#socket()
      .then((ws) => ws.connect())
      .catch((err: unknown) => {
        this.#fail(err);
      });
  }

  /** The connection state. */
  get state(): LiveState {
    return this.#state;
  }

  /** Why the connection is offline, when it is. */
  get error(): string | undefined {
    return this.#error;
  }

  /** True once the server closed the socket because the login session is over (expired, closed, user disabled). */
  get sessionEnded(): boolean {
    return this.#sessionEnded;
  }

  /** Be told of every state change; returns the unsubscribe. */
  onState(fn: (s: LiveState) => void): () => void {
    this.#stateListeners.add(fn);
    return () => this.#stateListeners.delete(fn);
  }

  #setState(s: LiveState): void {
    this.#state = s;
    for (const fn of this.#stateListeners) fn(s);
  }

  #onEvent(e: ReconnectEvent): void {
    if (e.type === 'connected') {
      this.#setState('live');
      // Without an open watch there is nothing to subscribe again; but one whose opening failed while the server was
      // away (timed out) is opened now for the ids on screen, or their values would never move again.
      if (this.#current === undefined || this.#current.closed) {
        this.#ready();
        if (this.#watch === undefined && this.#subs.size > 0)
          this.#enqueue(async () => {
            this.#deliver(await this.#add(''));
          });
      }
    } else if (e.type === 'disconnected' || e.type === 'retry') {
      if (this.#release === undefined) this.#resubscribed = new Promise((r) => (this.#release = r));
      // Offline ends when the socket connects: the retries behind it only say why it still cannot.
      if (e.type === 'retry' && this.#state === 'offline') {
        this.#error = errorText(e.error);
        this.#setState('offline');
      } else this.#setState('reconnecting');
      // After #dropped has started the reconnect: the wait is for the new connection, not the closed one.
      if (e.type === 'disconnected') this.#wait();
    } else if (e.type === 'resubscribed') this.#ready();
    else {
      this.#sessionEnded = e.error instanceof HaystackError && e.error.code === 'HS_ERR_AUTH';
      this.#fail(e.error);
    }
  }

  #ready(): void {
    this.#release?.();
    this.#release = undefined;
  }

  /** Follow `id`: `fn` gets its current state, then each change; returns the unsubscribe. */
  subscribe(id: string, fn: Listener): () => void {
    // A hand-edited address (`#/entity/bad id`) names no entity the server could watch; refused by the client
    // before any call, it would be taken for a broken connection and mark the live values offline.
    if (!isRefId(id)) return () => undefined;
    let set = this.#subs.get(id);
    const first = set === undefined;
    if (set === undefined) this.#subs.set(id, (set = new Set()));
    set.add(fn);
    if (first) {
      this.#enqueue(async () => {
        this.#deliver(await this.#add(id));
      });
    } else {
      const known = this.#known(id);
      if (known !== undefined) fn(known);
    }
    return () => {
      const s = this.#subs.get(id);
      if (s === undefined || !s.delete(fn) || s.size > 0) return;
      this.#subs.delete(id);
      this.#enqueue(async () => {
        const w = await this.#watch;
        if (w !== undefined && !w.closed) await w.remove([id]);
      });
    };
  }

  #known(id: string): Dict | undefined {
    return this.#current?.entities.get(id);
  }

  async #add(id: string): Promise<readonly Dict[]> {
    if (this.#watch === undefined) {
      // Every id followed by now (a failed open leaves earlier ones waiting too).
      const ids = [...this.#subs.keys()];
      if (ids.length === 0) return [];
      this.#watch = this.#socket().then((ws) => ws.watch(ids, { dis: 'haystack-ts web UI' }));
      let w: Watch;
      try {
        w = await this.#watch;
      } catch (err) {
        // The next subscription opens the watch again.
        this.#watch = undefined;
        throw err;
      }
      this.#current = w;
      void this.#pump(w);
      return [...w.entities.values()];
    }
    if (!this.#subs.has(id)) return [];
    return (await this.#watch).add([id]);
  }

  async #pump(w: Watch): Promise<void> {
    try {
      for await (const rows of w.changes({ signal: this.#stop.signal })) this.#deliver(rows);
    } catch (err) {
      if (!this.#stop.signal.aborted) this.#fail(err);
    }
  }

  #deliver(rows: readonly Dict[]): void {
    for (const row of rows) {
      const id = row.id?.id;
      if (id === undefined) continue;
      for (const fn of this.#subs.get(id) ?? []) fn(row);
    }
  }

  #enqueue(step: () => Promise<void>): void {
    this.#queue = this.#queue
      .then(() => this.#resubscribed)
      .then(step)
      .catch((err: unknown) => {
        this.#fail(err);
      });
  }

  #fail(err: unknown): void {
    this.#ready();
    if (this.#stop.signal.aborted) return;
    this.#error = errorText(err);
    this.#setState('offline');
  }

  /** Stop: close the socket without ending the login session (logout ends it over HTTP). */
  async close(): Promise<void> {
    this.#stop.abort();
    this.#ready();
    this.#stateListeners.clear();
    this.#subs.clear();
    // A socket whose code never arrived has nothing to close.
    const ws = await this.#ws?.catch(() => undefined);
    await ws?.disconnect();
  }
}
