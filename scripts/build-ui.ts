// Build the web UI (src/ui) with esbuild into content-hashed files plus the index.html that loads them.
// `npm run build` runs it after tsc; the browser tests call buildUi() into a temporary directory.
// Code splitting is on: what the first screen needs loads up front (the entry, the chunks it imports, the CSS, each
// preloaded by the page), and what only some screens need (uPlot with History, the Users screen, the rarer codecs)
// is a chunk fetched by `import()` when first used.

import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';

/** Where the UI's entry point is. */
export const UI_ENTRY: string = fileURLToPath(new URL('../src/ui/main.ts', import.meta.url));

/** One file of a build. */
export interface UiChunk {
  /** Its name, content-hashed. */
  readonly file: string;
  /** True when the page loads it before the first screen; false for a chunk loaded by `import()`. */
  readonly upFront: boolean;
  /** Bytes, raw and gzipped (level 9, as the server sends them). */
  readonly bytes: number;
  readonly gzipBytes: number;
  /** The source modules in it (paths as esbuild names them), for telling what a chunk holds. */
  readonly modules: readonly string[];
}

/** What a build wrote. */
export interface UiBuild {
  /** The directory (holds index.html). */
  readonly dir: string;
  /** Asset file names, content-hashed: the entry's script first. */
  readonly files: readonly string[];
  /** Bytes of all the JavaScript and CSS, raw and gzipped (level 9, as the server sends them). */
  readonly bytes: number;
  readonly gzipBytes: number;
  /** Gzipped bytes the page loads before its first screen (the entry, the chunks it imports, the CSS). */
  readonly upFrontGzipBytes: number;
  /** Every file, up front ones first. */
  readonly chunks: readonly UiChunk[];
}

/**
 * The page: no inline script or style (the server's Content-Security-Policy forbids them), the API root and the
 * login mode in meta tags the server fills in, and a `<noscript>` where the server lists the API links.
 */
function indexHtml(js: string, css: string | undefined, preload: readonly string[]): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="haystack-api" content="/api/">
<meta name="haystack-auth" content="scram">
<title>haystack-ts</title>
<link rel="icon" href="data:,">
${css === undefined ? '' : `<link rel="stylesheet" href="/ui/${css}">\n`}${preload.map((f) => `<link rel="modulepreload" href="/ui/${f}">\n`).join('')}<script type="module" src="/ui/${js}"></script>
</head>
<body>
<div id="app"></div>
<noscript><p>This page needs JavaScript. The Haystack API of this server:</p><!--haystack-links--></noscript>
</body>
</html>
`;
}

/** The entry and every chunk it reaches through static imports: what loads before any `import()` chunk. */
export function upFrontOutputs(meta: Metafile, entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const i of meta.outputs[file]?.imports ?? []) if (i.kind === 'import-statement') visit(i.path);
  };
  visit(entry);
  return seen;
}

/** Bundle, minify and write the UI into `outDir` (emptied first). */
export async function buildUi(outDir: string, options: { readonly minify?: boolean } = {}): Promise<UiBuild> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const result = await build({
    entryPoints: { main: UI_ENTRY },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome111', 'firefox111', 'safari16.4'],
    minify: options.minify ?? true,
    splitting: true,
    entryNames: '[name]-[hash]',
    chunkNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    outdir: outDir,
    write: true,
    metafile: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const meta = result.metafile;
  const outputs = Object.keys(meta.outputs);
  const entry = outputs.find((f) => meta.outputs[f]?.entryPoint !== undefined && f.endsWith('.js'));
  if (entry === undefined) throw new Error('esbuild wrote no JavaScript');
  const css = meta.outputs[entry]?.cssBundle;
  const upFront = upFrontOutputs(meta, entry);
  if (css !== undefined) upFront.add(css);
  const chunks: UiChunk[] = [];
  for (const f of outputs) {
    const body = await readFile(path.resolve(f));
    chunks.push({
      file: path.basename(f),
      upFront: upFront.has(f),
      bytes: body.length,
      gzipBytes: gzipSync(body, { level: 9 }).length,
      modules: Object.keys(meta.outputs[f]?.inputs ?? {}),
    });
  }
  const js = path.basename(entry);
  // Entry first, then the rest of what loads up front, then the lazy chunks: the order a reader wants them in.
  chunks.sort((a, b) => rank(a, js) - rank(b, js));
  const preload = chunks.filter((c) => c.upFront && c.file !== js && c.file.endsWith('.js')).map((c) => c.file);
  await writeFile(
    path.join(outDir, 'index.html'),
    indexHtml(js, css === undefined ? undefined : path.basename(css), preload),
  );
  const sum = (list: readonly UiChunk[], key: 'bytes' | 'gzipBytes'): number => list.reduce((n, c) => n + c[key], 0);
  return {
    dir: outDir,
    files: chunks.map((c) => c.file),
    bytes: sum(chunks, 'bytes'),
    gzipBytes: sum(chunks, 'gzipBytes'),
    upFrontGzipBytes: sum(
      chunks.filter((c) => c.upFront),
      'gzipBytes',
    ),
    chunks,
  };
}

function rank(c: UiChunk, entry: string): number {
  if (c.file === entry) return 0;
  return c.upFront ? 1 : 2;
}

// `tsx scripts/build-ui.ts [outDir]`: what `npm run build` runs (default dist/ui).
if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = path.resolve(process.argv[2] ?? fileURLToPath(new URL('../dist/ui', import.meta.url)));
  const built = await buildUi(out);
  const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;
  process.stdout.write(
    `web UI in ${path.relative(process.cwd(), out) || '.'}: ${kib(built.bytes)}, ${kib(built.gzipBytes)} gzipped, ` +
      `${kib(built.upFrontGzipBytes)} of it up front\n`,
  );
  for (const c of built.chunks)
    process.stdout.write(`  ${c.upFront ? 'up front' : 'lazy    '}  ${kib(c.gzipBytes).padStart(9)} gz  ${c.file}\n`);
}
