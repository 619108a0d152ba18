// Browser bundles stay within their size targets (issue 13): esbuild, minified, gzipped, what loads up front.
// Sizes are deterministic for a given esbuild, so a threshold is a fair test; bench/bundle-size.ts prints the
// figures beside haystack-core's.
import { describe, expect, it } from 'vitest';
import { BUNDLE_CASES, measureBundle } from '../support/bundle-size.js';

const limited = BUNDLE_CASES.flatMap((c) => {
  const limitKb = c.ceilingKb ?? c.targetKb;
  return limitKb === undefined ? [] : [{ ...c, limitKb }];
});

describe('bundle size', () => {
  it.each(limited)('$name is at most $limitKb KB gzipped up front', async ({ code, limitKb }) => {
    const size = await measureBundle(code);
    expect(size.gz / 1024).toBeLessThanOrEqual(limitKb);
  });

  it('HaystackClient loads the JSON and Trio codecs lazily, not up front', async () => {
    const client = BUNDLE_CASES.find((c) => c.name === 'HaystackClient');
    const size = await measureBundle(client?.code ?? '');
    const upFront = size.modules.map(([m]) => m);
    expect(upFront.some((m) => m.includes('/codec/json/') || m.includes('/codec/trio/'))).toBe(false);
    expect(size.lazyGz).toBeGreaterThan(0);
  });

  it('HaystackClient leaves the history byte writer (used by the lazy JSON writer) out of its up-front code', async () => {
    // A bundler splits by file: any up-front import of zinc-writer.ts or the Zinc door would bring these back.
    const client = BUNDLE_CASES.find((c) => c.name === 'HaystackClient');
    const size = await measureBundle(client?.code ?? '');
    const upFront = size.modules.map(([m]) => m);
    expect(upFront.filter((m) => m.endsWith('/zinc/byte-sink.ts') || m.endsWith('/zinc/his-writer.ts'))).toEqual([]);
  });

  it('HaystackClient loads the SCRAM login (handshake, headers, hashes) on first use, not up front', async () => {
    // Any static import of scram-login.ts from the client's modules (client-auth.ts loads it with import()) would
    // bring these back.
    const client = BUNDLE_CASES.find((c) => c.name === 'HaystackClient');
    const size = await measureBundle(client?.code ?? '');
    const upFront = size.modules.map(([m]) => m);
    expect(upFront.filter((m) => m.includes('/core/auth/') || m.endsWith('/client/scram-login.ts'))).toEqual([]);
  });
});
