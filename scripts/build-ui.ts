// Build the web UI (src/ui) with esbuild into content-hashed files plus the index.html that loads them.
// `npm run build` runs it after tsc; the browser tests call buildUi() into a temporary directory.

import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/** Where the UI's entry point is. */
export const UI_ENTRY: string = fileURLToPath(new URL('../src/ui/main.ts', import.meta.url));

/** What a build wrote. */
export interface UiBuild {
  /** The directory (holds index.html). */
  readonly dir: string;
  /** Asset file names, content-hashed. */
  readonly files: readonly string[];
  /** Bytes of the JavaScript and CSS, raw and gzipped (level 9, as the server sends them). */
  readonly bytes: number;
  readonly gzipBytes: number;
}

/**
 * The page: no inline script or style (the server's Content-Security-Policy forbids them), the API root and the
 * login mode in meta tags the server fills in, and a `<noscript>` where the server lists the API links.
 */
function indexHtml(js: string, css: string | undefined): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="haystack-api" content="/api/">
<meta name="haystack-auth" content="scram">
<title>haystack-ts</title>
<link rel="icon" href="data:,">
${css === undefined ? '' : `<link rel="stylesheet" href="/ui/${css}">\n`}<script type="module" src="/ui/${js}"></script>
</head>
<body>
<div id="app"></div>
<noscript><p>This page needs JavaScript. The Haystack API of this server:</p><!--haystack-links--></noscript>
</body>
</html>
`;
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
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    outdir: outDir,
    write: true,
    metafile: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const files = Object.keys(result.metafile.outputs).map((f) => path.basename(f));
  const js = files.find((f) => f.endsWith('.js'));
  if (js === undefined) throw new Error('esbuild wrote no JavaScript');
  await writeFile(
    path.join(outDir, 'index.html'),
    indexHtml(
      js,
      files.find((f) => f.endsWith('.css')),
    ),
  );
  let bytes = 0;
  let gzipBytes = 0;
  for (const f of await readdir(outDir)) {
    if (f === 'index.html') continue;
    const body = await readFile(path.join(outDir, f));
    bytes += body.length;
    gzipBytes += gzipSync(body, { level: 9 }).length;
  }
  return { dir: outDir, files, bytes, gzipBytes };
}

// `tsx scripts/build-ui.ts [outDir]`: what `npm run build` runs (default dist/ui).
if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = path.resolve(process.argv[2] ?? fileURLToPath(new URL('../dist/ui', import.meta.url)));
  const built = await buildUi(out);
  process.stdout.write(
    `web UI: ${built.files.join(', ')} in ${path.relative(process.cwd(), out) || '.'}: ` +
      `${(built.bytes / 1024).toFixed(1)} KiB, ${(built.gzipBytes / 1024).toFixed(1)} KiB gzipped\n`,
  );
}
