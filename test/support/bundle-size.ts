// What a browser app pays for what it imports: esbuild bundles (minified, browser ESM, code splitting on, as every
// app bundler does for `import()`) of a few typical imports of ours and of the peer (haystack-core), gzipped.
// Shared by bench/bundle-size.ts (prints) and test/package/bundle-size.test.ts (fails over a target).

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { upFrontOutputs } from '../../scripts/build-ui.js';

const ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** One bundle: what the entry imports, the size target from issue 13 (gzipped KB) and the peer's equivalent. */
export interface BundleCase {
  readonly name: string;
  readonly code: string;
  /** The target of issue 13, gzipped KB loaded up front. */
  readonly targetKb?: number;
  /**
   * What test/package/bundle-size.test.ts holds the bundle to when there is no target or it is not met yet: the
   * size reached, so that it cannot grow unnoticed. Absent when the target itself is enforced.
   */
  readonly ceilingKb?: number;
  /** The same imports from haystack-core, measured in the same run. */
  readonly peer?: string;
}

// haystack-core writes Zinc with each value's toZinc(); HGrid carries that for grids.
const PEER_CODEC =
  "import { ZincReader, HGrid, HDict, HFilter } from 'haystack-core'; console.log(ZincReader, HGrid, HDict, HFilter);";

/** The bundles issue 13 sets targets for, and the codec with the filter for comparison. */
export const BUNDLE_CASES: readonly BundleCase[] = [
  {
    name: 'HaystackClient',
    code: "import { HaystackClient } from './src/client/index.ts'; console.log(HaystackClient);",
    // 27.16 KB (27,808 B), 2.84 KB under the 30 KB target. The SCRAM login loads on first use (30.00 -> 27.01 KB);
    // option checks (Watch, the Zinc stream readers, the client's own through checkOptionNames) then cost 0.33 KB,
    // and keeping the login's HTTP side up front, so that its lazy chunk shares only core modules (one file fewer
    // up front, each gzipped on its own), saved 0.18 KB. The history byte writer loads with the lazy JSON codec
    // only (bundle-trim). Tests in test/package/bundle-size.test.ts keep both out of the up-front code. The ceiling
    // holds the bundle where it is: a client change that needs more raises it here, with its reason, out of the
    // headroom left under the target.
    targetKb: 30,
    // Raised from 27.2 for the Zinc reader's dict and empty-cell paths (zfast: +0.16 KB, decode 6.5 % faster).
    ceilingKb: 27.35,
    // haystack-core has no HTTP client; its nearest equivalent is its Zinc reader, grid, dict and filter.
    peer: PEER_CODEC,
  },
  {
    name: 'decodeZinc + encodeZinc + parseFilter + Dict',
    code:
      "import { decodeZinc, encodeZinc, parseFilter, Dict } from './src/core/index.ts';" +
      'console.log(decodeZinc, encodeZinc, parseFilter, Dict);',
    // Issue 13 sets its 15 KB target on the codec alone (next case); this one adds the filter parser and compiler.
    // The compiler (the 20 M evals/s feature) is 1.8 KB of it, Filter#toString's formatter 0.2 KB. Raised from 23.0
    // for the compiler's shared slot lookups of an `and`'s tag terms (ed15283): 0.5 KB for about 25 % more evals/s;
    // lowered from 23.5 by the lossless trims of the codec (bundle-trim and putBytes: 23.48 -> 23.30 KB).
    // Raised from 23.4 for the Zinc reader's dict and empty-cell paths (zfast: +0.17 KB, decode 6.5 % faster).
    ceilingKb: 23.6,
    peer: PEER_CODEC,
  },
  {
    name: 'decodeZinc + encodeZinc',
    code: "import { decodeZinc, encodeZinc } from './src/core/index.ts'; console.log(decodeZinc, encodeZinc);",
    // "The Zinc codec with the value kinds" of issue 13. Not met, and not reachable by trimming: gzip already
    // folds repeated code, so only dropping unique code counts, and what remains is features and public API.
    // Measured cost of each (KB gzipped): history encode fast path 1.3 (0.1 of it since it writes words and whole
    // numbers, 1.6x faster), Dict methods the codec never calls 0.95,
    // history decode fast path 0.85, Grid methods the codec never calls 0.7, Date/Time/DateTime parse 0.35 and
    // fromLocal 0.22 (parsing with the Zinc reader's date and time scanners instead measured 0.2 KB more: the
    // regexes are the compact form), reader error messages 0.55, ERROR_CODES table 0.4, `plain` option 0.25,
    // stream-reader methods 0.15. Lowered from 19.3 by lossless trims (bundle-trim, putBytes: 19.29 -> 19.12 KB).
    targetKb: 15,
    // Raised from 19.2 for the Zinc reader's dict and empty-cell paths (zfast: 19,646 -> 19,815 B): Alpha + Bravo
    // decode 6.5 % faster, which the ">= 5x peer" target of PRODUCT.md needed on a machine where it measured 4.7x.
    ceilingKb: 19.4,
    peer: "import { ZincReader, HGrid } from 'haystack-core'; console.log(ZincReader, HGrid);",
  },
];

/** Bytes of a bundle: what loads up front (the entry and the chunks it imports statically) and what loads lazily. */
export interface BundleSize {
  /** Minified bytes loaded up front. */
  readonly raw: number;
  /** Gzipped (level 9) bytes loaded up front, each file compressed on its own as a server sends it. */
  readonly gz: number;
  /** Gzipped bytes of the chunks loaded only through `import()` (0 when there are none). */
  readonly lazyGz: number;
  /** Minified bytes per source module in the up-front files, largest first. */
  readonly modules: readonly (readonly [string, number])[];
}

/** Bundle `code` (resolved from the repository root) and measure it. */
export async function measureBundle(code: string): Promise<BundleSize> {
  const out = await build({
    stdin: { contents: code, resolveDir: ROOT, loader: 'ts', sourcefile: 'entry.ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    splitting: true,
    outdir: path.join(ROOT, 'bundle-size-out'),
    write: false,
    metafile: true,
    logLevel: 'silent',
    // Node-only modules reached by dynamic import stay out of a browser bundle.
    external: ['node:*', 'undici'],
  });
  const entry = Object.keys(out.metafile.outputs).find((f) => out.metafile.outputs[f]?.entryPoint !== undefined);
  if (entry === undefined) throw new Error('esbuild produced no entry chunk');
  const initial = upFrontOutputs(out.metafile, entry);
  let raw = 0;
  let gz = 0;
  let lazyGz = 0;
  const modules = new Map<string, number>();
  for (const file of out.outputFiles) {
    const rel = path.relative(ROOT, file.path);
    const size = gzipSync(file.contents, { level: 9 }).length;
    if (!initial.has(rel)) {
      lazyGz += size;
      continue;
    }
    raw += file.contents.length;
    gz += size;
    for (const [m, i] of Object.entries(out.metafile.outputs[rel]?.inputs ?? {}))
      modules.set(m, (modules.get(m) ?? 0) + i.bytesInOutput);
  }
  return { raw, gz, lazyGz, modules: [...modules].sort((a, b) => b[1] - a[1]) };
}
