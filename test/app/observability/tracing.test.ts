// OpenTelemetry: a span per op with a child span per store call, from a tracer provider given to traceHaystack;
// and no tracing work at all when nobody traces (the tracing channels have no subscribers).

import diagnostics from 'node:diagnostics_channel';
import type { Context, Span, SpanContext, SpanOptions, Tracer, TracerProvider } from '@opentelemetry/api';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { traceHaystack, tracerRegistered } from '../../../src/app/index.js';
import { createServer, type HaystackServer, TRACE_CHANNELS } from '../../../src/server/index.js';
import { createMemoryStore } from '../../../src/storage/memory/index.js';

interface Recorded {
  readonly name: string;
  readonly id: string;
  readonly parentId: string | undefined;
  readonly attributes: Record<string, unknown>;
  ended: boolean;
  error: boolean;
}

/** A TracerProvider implementing the API's interfaces (no SDK): it records the spans started and ended. */
function recordingProvider(): { provider: TracerProvider; spans: Recorded[] } {
  const spans: Recorded[] = [];
  let next = 0;
  const tracer: Tracer = {
    startSpan(name: string, options?: SpanOptions, ctx?: Context): Span {
      next += 1;
      const id = next.toString(16).padStart(16, '0');
      const parent = ctx === undefined ? undefined : trace.getSpanContext(ctx);
      const rec: Recorded = {
        name,
        id,
        parentId: parent?.spanId,
        attributes: { ...options?.attributes },
        ended: false,
        error: false,
      };
      spans.push(rec);
      const spanContext: SpanContext = { traceId: '1'.repeat(32), spanId: id, traceFlags: 1 };
      const span: Span = {
        spanContext: () => spanContext,
        setAttribute: () => span,
        setAttributes: () => span,
        addEvent: () => span,
        addLink: () => span,
        addLinks: () => span,
        setStatus: (s) => {
          if (s.code === SpanStatusCode.ERROR) rec.error = true;
          return span;
        },
        updateName: () => span,
        end: () => {
          rec.ended = true;
        },
        isRecording: () => true,
        recordException: () => {
          rec.error = true;
        },
      };
      return span;
    },
    startActiveSpan: () => {
      throw new Error('not used');
    },
  };
  return { provider: { getTracer: () => tracer }, spans };
}

let server: HaystackServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function started(): Promise<string> {
  const store = createMemoryStore();
  server = createServer({ store, noAuth: true, responseCache: false });
  return (await server.listen(0, '127.0.0.1')).url;
}

describe('tracing', () => {
  it('makes a span per op, its store calls child spans of it, and an error status for a failing op', async () => {
    const url = await started();
    const { provider, spans } = recordingProvider();
    const stop = traceHaystack(provider);
    try {
      expect((await fetch(`${url}read?filter=site`)).status).toBe(200);
      await fetch(`${url}hisRead?id=@nosuch&range=%22today%22`);
    } finally {
      stop();
    }
    const read = spans.find((s) => s.name === 'haystack read');
    expect(read?.attributes).toMatchObject({ 'haystack.op': 'read', 'haystack.transport': 'http' });
    expect(read?.attributes['haystack.request_id']).toBeTypeOf('string');
    const storeRead = spans.find((s) => s.name === 'store read');
    expect(storeRead?.parentId).toBe(read?.id);
    expect(storeRead?.attributes).toMatchObject({ 'db.system': 'memory', 'db.operation': 'read' });
    const his = spans.find((s) => s.name === 'haystack hisRead');
    const storeHis = spans.filter((s) => s.parentId === his?.id);
    expect(storeHis.length).toBeGreaterThan(0);
    expect(his?.error).toBe(true);
    expect(read?.error).toBe(false);
    expect(spans.every((s) => s.ended)).toBe(true);
    // Once stopped, nothing subscribes: the pipeline skips the tracing channels entirely.
    expect(diagnostics.tracingChannel(TRACE_CHANNELS.op).hasSubscribers).toBe(false);
    expect(diagnostics.tracingChannel(TRACE_CHANNELS.store).hasSubscribers).toBe(false);
    const before = spans.length;
    await fetch(`${url}read?filter=site`);
    expect(spans.length).toBe(before);
  });

  it('finds no registered tracer provider when no SDK registered one', () => {
    expect(tracerRegistered()).toBe(false);
  });
});
