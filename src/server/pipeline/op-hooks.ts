// Stage hooks of the op pipeline (fastify-style lifecycle) and the per-op event on `haystack:server:op`.

import type { ErrorCode } from '../../core/errors.js';
import type { Grid } from '../../core/grid/grid.js';
import type { Principal } from '../principal.js';

/** What every hook sees of the call it runs for. */
export interface OpHookContext {
  /** Op name as the transport received it (it may name no op: `onRequest` runs before the lookup fails). */
  readonly op: string;
  /** The authenticated caller. */
  readonly principal: Principal;
  /**
   * Transport of the call: `http`, `ws`, `ws-push` (the server's own `watchPoll` for a watch it pushes), or any
   * name an embedding app gives.
   */
  readonly transport: string;
  /** Id of the request, when the transport gave one (HTTP: `X-Request-Id`). */
  readonly requestId: string | undefined;
  /** When the pipeline started the call, from `performance.now()`. */
  readonly started: number;
}

/** How a call ended, as `onResponse` hooks and `haystack:server:op` subscribers see it. */
export interface OpEvent {
  /** Op name as received. */
  readonly op: string;
  /** Transport of the call. */
  readonly transport: string;
  /** User name of the caller. */
  readonly username: string;
  /** Id of the request, when the transport gave one. */
  readonly requestId: string | undefined;
  /** The connection the call came on (WebSocket: the `connectionId` of its connection events), when one did. */
  readonly connectionId: number | undefined;
  /** The caller's address (of the TCP connection), when the transport gave it. */
  readonly address: string | undefined;
  /** Error code when the call answered an error grid. */
  readonly errorCode: ErrorCode | undefined;
  /** True when the encoded response came from the response cache. */
  readonly cached: boolean;
  /** Time in the pipeline, in milliseconds (from `performance.now`). */
  readonly durationMs: number;
}

/**
 * Hooks at the stages of the op pipeline, in call order. `onRequest` and `preHandler` may throw (or reject) to
 * refuse the call: the error is answered like any op error (an error grid). `onResponse` runs exactly once per
 * call, success or failure; it must not throw (a throw is reported on `haystack:server:error`, never answered).
 */
export interface OpHooks {
  /** The caller is known, before the op lookup, the side-effect rule and the role check. */
  readonly onRequest?: (ctx: OpHookContext) => void | Promise<void>;
  /** The op is allowed and its request grid read, just before the handler (not run for cached responses). */
  readonly preHandler?: (ctx: OpHookContext, request: Grid) => void | Promise<void>;
  /** The call ended (after the response was made, before the transport sends it). */
  readonly onResponse?: (ctx: OpHookContext, event: OpEvent) => void;
}

/** The hooks added to a pipeline, by stage, each list in the order added. */
export class HookSet {
  /** `onRequest` hooks. */
  onRequest: readonly NonNullable<OpHooks['onRequest']>[] = [];
  /** `preHandler` hooks. */
  preHandler: readonly NonNullable<OpHooks['preHandler']>[] = [];
  /** `onResponse` hooks. */
  onResponse: readonly NonNullable<OpHooks['onResponse']>[] = [];

  /** Add every hook of `hooks`; the returned function removes exactly these again. */
  add(hooks: OpHooks): () => void {
    const { onRequest, preHandler, onResponse } = hooks;
    // Lists are replaced, never mutated, so a call in flight keeps the list it started with.
    if (onRequest !== undefined) this.onRequest = [...this.onRequest, onRequest];
    if (preHandler !== undefined) this.preHandler = [...this.preHandler, preHandler];
    if (onResponse !== undefined) this.onResponse = [...this.onResponse, onResponse];
    return () => {
      if (onRequest !== undefined) this.onRequest = this.onRequest.filter((h) => h !== onRequest);
      if (preHandler !== undefined) this.preHandler = this.preHandler.filter((h) => h !== preHandler);
      if (onResponse !== undefined) this.onResponse = this.onResponse.filter((h) => h !== onResponse);
    };
  }
}

/** Run hooks in order, awaiting only those that return a promise (most are synchronous: no microtask per hook). */
export async function runHooks<A extends unknown[]>(
  hooks: readonly ((...args: A) => void | Promise<void>)[],
  ...args: A
): Promise<void> {
  for (const hook of hooks) {
    const r = hook(...args);
    if (r !== undefined) await r;
  }
}
