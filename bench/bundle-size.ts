// Benchmark: what a browser app pays for what it imports. esbuild bundles (minified, ESM, browser) a few typical
// imports of ours and the peer's (haystack-core) and prints raw and gzipped sizes. Run: npx tsx bench/bundle-size.ts

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)));

/** One bundle: what the entry imports, and the size target from issue 13 (gzipped KB), if any. */
interface Case {
  readonly name: string;
  readonly code: string;
  readonly targetKb?: number;
}

const CASES: readonly Case[] = [
  {
    name: 'ours: HaystackClient',
    code: "import { HaystackClient } from './src/client/index.ts'; console.log(HaystackClient);",
    targetKb: 30,
  },
  {
    name: 'ours: decodeZinc + encodeZinc + parseFilter + Dict',
    code:
      "import { decodeZinc, encodeZinc, parseFilter, Dict } from './src/core/index.ts';" +
      'console.log(decodeZinc, encodeZinc, parseFilter, Dict);',
    targetKb: 15,
  },
  {
    name: 'ours: decodeZinc + encodeZinc only',
    code: "import { decodeZinc, encodeZinc } from './src/core/index.ts'; console.log(decodeZinc, encodeZinc);",
  },
  {
    name: 'peer: HClient (haystack-core has none; ZincReader + HGrid + HFilter)',
    code:
      "import { ZincReader, HGrid, HDict, HFilter } from 'haystack-core';" +
      'console.log(ZincReader, HGrid, HDict, HFilter);',
  },
];

async function size(code: string): Promise<{ raw: number; gz: number }> {
  const out = await build({
    stdin: { contents: code, resolveDir: ROOT, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
    // Node-only modules reached by dynamic import stay out of a browser bundle.
    external: ['node:*', 'undici'],
  });
  const bytes = out.outputFiles[0]?.contents ?? new Uint8Array();
  return { raw: bytes.length, gz: gzipSync(bytes, { level: 9 }).length };
}

const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`;
console.log('bundle sizes (esbuild, minified, browser ESM; gzip -9)');
console.log(`${'bundle'.padEnd(72)} ${'raw'.padStart(10)} ${'gzip'.padStart(10)}  target`);
for (const c of CASES) {
  const s = await size(c.code);
  const target = c.targetKb === undefined ? '' : `<= ${c.targetKb} KB ${s.gz / 1024 <= c.targetKb ? 'met' : 'NO'}`;
  console.log(`${c.name.padEnd(72)} ${kb(s.raw).padStart(10)} ${kb(s.gz).padStart(10)}  ${target}`);
}
