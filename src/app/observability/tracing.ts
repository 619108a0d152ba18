// OpenTelemetry spans per op and per store call, from the library's tracing channels, when a tracer is registered.

import { AsyncLocalStorage } from 'node:async_hooks';
import diagnostics from 'node:diagnostics_channel';
import {
  type Context,
  context,
  ProxyTracerProvider,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import type { OpTraceContext, StoreTraceContext } from '../../server/index.js';
import { PRODUCT_VERSION, TRACE_CHANNELS } from '../../server/index.js';

/** The instrumentation scope name of the spans. */
export const TRACER_NAME = 'haystack-ts';

/**
 * True when an OpenTelemetry SDK registered a global tracer provider (`trace.setGlobalTracerProvider`, which every
 * SDK's `register()` calls); the API alone answers with a no-op provider then.
 */
export function tracerRegistered(): boolean {
  const provider = trace.getTracerProvider();
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- the API's only public way to its no-op provider (API 1.x)
  const delegate = provider instanceof ProxyTracerProvider ? provider.getDelegate() : provider;
  return delegate !== NOOP_PROVIDER;
}

// The API's no-op provider: what a fresh proxy delegates to before any SDK registers.
// eslint-disable-next-line @typescript-eslint/no-deprecated -- see tracerRegistered
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();

interface TracedCall {
  error?: unknown;
}

/**
 * Start a span per op (`haystack <op>`, kind server) and per store call (`store <kind>`, kind client, a child of the
 * op's span), from `provider` (default: the global one). Returns the function that stops tracing. Nothing is
 * subscribed, and the pipeline runs no tracing code, until this is called.
 */
export function traceHaystack(provider: TracerProvider = trace.getTracerProvider()): () => void {
  const tracer = provider.getTracer(TRACER_NAME, PRODUCT_VERSION);
  const current = new AsyncLocalStorage<Context>();
  const spans = new WeakMap<object, Span>();
  const parent = (): Context => current.getStore() ?? context.active();

  const op = diagnostics.tracingChannel<unknown, OpTraceContext>(TRACE_CHANNELS.op);
  const store = diagnostics.tracingChannel<unknown, StoreTraceContext>(TRACE_CHANNELS.store);
  const detach: (() => void)[] = [];

  const bind = <C extends object>(
    channel: diagnostics.TracingChannel<unknown, C>,
    start: (c: C, parentContext: Context) => Span,
  ): void => {
    channel.start.bindStore(current, (message) => {
      const c = message;
      const parentContext = parent();
      const span = start(c, parentContext);
      spans.set(c, span);
      return trace.setSpan(parentContext, span);
    });
    const finish = (message: unknown): void => {
      const c = message as C & TracedCall;
      const span = spans.get(c);
      if (span === undefined) return;
      spans.delete(c);
      if (c.error !== undefined) {
        span.recordException(
          c.error instanceof Error ? c.error : { message: typeof c.error === 'string' ? c.error : 'thrown' },
        );
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    };
    // A promise settles with asyncEnd; a synchronous throw ends with `end` and an error already set.
    const subscribers = {
      asyncEnd: finish,
      end: (message: unknown) => {
        if ((message as TracedCall).error !== undefined) finish(message);
      },
    };
    channel.subscribe(subscribers as unknown as diagnostics.TracingChannelSubscribers<C>);
    detach.push(() => {
      channel.unsubscribe(subscribers as unknown as diagnostics.TracingChannelSubscribers<C>);
      channel.start.unbindStore(current);
    });
  };

  bind(op, (c, parentContext) =>
    tracer.startSpan(
      `haystack ${c.op}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'haystack.op': c.op,
          'haystack.transport': c.transport,
          'enduser.id': c.username,
          ...(c.requestId === undefined ? {} : { 'haystack.request_id': c.requestId }),
        },
      },
      parentContext,
    ),
  );
  bind(store, (c, parentContext) =>
    tracer.startSpan(
      `store ${c.kind}`,
      { kind: SpanKind.CLIENT, attributes: { 'db.system': c.backend, 'db.operation': c.kind } },
      parentContext,
    ),
  );
  return () => {
    for (const d of detach.splice(0)) d();
  };
}
