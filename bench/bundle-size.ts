// Benchmark: what a browser app pays for what it imports. esbuild bundles (minified, ESM, browser, code splitting)
// a few typical imports of ours and the peer's (haystack-core), measured in the same run, and prints gzipped sizes
// against the targets of issue 13 and against the peer. test/package/bundle-size.test.ts fails over a target.
// Run: npx tsx bench/bundle-size.ts [--modules]   (--modules: the largest source modules of each bundle)

import { BUNDLE_CASES, measureBundle } from '../test/support/bundle-size.js';

const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`;
const showModules = process.argv.includes('--modules');

console.log('bundle sizes (esbuild, minified, browser ESM, splitting; gzip -9; "up front" excludes import() chunks)');
console.log(
  `${'bundle'.padEnd(46)} ${'raw'.padStart(9)} ${'gzip'.padStart(9)} ${'lazy gz'.padStart(9)}  ${'target'.padEnd(30)} peer gz (ratio)`,
);
for (const c of BUNDLE_CASES) {
  const s = await measureBundle(c.code);
  const met = c.targetKb !== undefined && s.gz / 1024 <= c.targetKb;
  const ceiling = c.ceilingKb === undefined ? '' : ` (test: <= ${c.ceilingKb})`;
  const target = c.targetKb === undefined ? ceiling.trim() : `<= ${c.targetKb} KB ${met ? 'met' : 'OVER'}${ceiling}`;
  let peer = '';
  if (c.peer !== undefined) {
    const p = await measureBundle(c.peer);
    peer = `${kb(p.gz)} (${(s.gz / p.gz).toFixed(2)}x)`;
  }
  console.log(
    `${c.name.padEnd(46)} ${kb(s.raw).padStart(9)} ${kb(s.gz).padStart(9)} ${kb(s.lazyGz).padStart(9)}  ${target.padEnd(30)} ${peer}`,
  );
  if (showModules) for (const [m, b] of s.modules.slice(0, 15)) console.log(`    ${String(b).padStart(7)}  ${m}`);
}
