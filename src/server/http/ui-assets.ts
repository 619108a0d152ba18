// The web UI's files (a directory `npm run build` writes): `/` answers its page, `/ui/<name>` its hashed assets.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { ValueError } from '../../core/errors.js';
import { escapeHtml, type HomeLink } from './home-page.js';

/** Options of the web UI: where its built files are. */
export interface UiOptions {
  /** A directory holding `index.html` and the content-hashed files it loads (what `npm run build` writes to dist/ui). */
  readonly dir: string;
}

/** The URL path under which the UI's assets are served. */
export const UI_ASSET_PREFIX = '/ui/';

// The page loads only its own files: no inline script or style, no other origin, no framing.
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** One file as served: the bytes, gzipped too (assets are compressed once, at start-up). */
interface UiFile {
  readonly type: string;
  readonly body: Buffer;
  readonly gzip: Buffer;
  readonly immutable: boolean;
}

function uiFile(type: string, body: Buffer, immutable: boolean): UiFile {
  return { type, body, gzip: gzipSync(body, { level: 9 }), immutable };
}

/** The UI loaded into memory: its page and assets by URL path. */
export interface UiAssets {
  /** The file at a URL path (`/` or `/ui/<name>`), if the UI has one. */
  get(urlPath: string): UiFile | undefined;
}

/** What the page is told about the server it is served by. */
export interface UiPageFacts {
  /** The API root path (`/api/`). */
  readonly basePath: string;
  /** False on a server without authentication: the page skips its login form. */
  readonly auth: boolean;
  /** The home page's links, shown by the page's `<noscript>`. */
  readonly links: readonly HomeLink[];
}

/**
 * Load the UI from `options.dir` (eagerly: a missing page throws `ValueError` here, not on the first request).
 * The page learns the API root and whether to log in from `<meta>` tags, and its `<noscript>` shows the home
 * page's links (the API root first), so a browser without scripts still finds the API.
 */
export function loadUiAssets(options: UiOptions, facts: UiPageFacts): UiAssets {
  const { basePath, links } = facts;
  if (typeof options !== 'object' || typeof options.dir !== 'string') fail('ui must be { dir: string }');
  const page = path.join(options.dir, 'index.html');
  let html: string;
  try {
    html = readFileSync(page, 'utf8');
  } catch (cause) {
    fail(`ui.dir has no index.html (${page}): run npm run build`, cause);
  }
  const api: HomeLink = { href: `${basePath}about`, label: `API root: ${basePath}` };
  const noscript = [api, ...links]
    .map((l) => `<li><a href="${escapeHtml(l.href)}">${escapeHtml(l.label)}</a></li>`)
    .join('');
  html = html
    .replace(
      '<meta name="haystack-api" content="/api/">',
      `<meta name="haystack-api" content="${escapeHtml(basePath)}">`,
    )
    .replace(
      '<meta name="haystack-auth" content="scram">',
      `<meta name="haystack-auth" content="${facts.auth ? 'scram' : 'none'}">`,
    )
    .replace('<!--haystack-links-->', `<ul>${noscript}</ul>`);
  const files = new Map<string, UiFile>([['/', uiFile('text/html; charset=utf-8', Buffer.from(html, 'utf8'), false)]]);
  for (const name of readdirSync(options.dir)) {
    const type = TYPES[path.extname(name)];
    const full = path.join(options.dir, name);
    if (type === undefined || name === 'index.html' || !statSync(full).isFile()) continue;
    // Built names carry a content hash (`main-3HX2KQ.js`): a changed file has a new name, so caches may keep it.
    files.set(`${UI_ASSET_PREFIX}${name}`, uiFile(type, readFileSync(full), /-[A-Z0-9]{8}\./.test(name)));
  }
  return { get: (urlPath) => files.get(urlPath) };
}

function fail(message: string, cause?: unknown): never {
  throw new ValueError(`Server options: ${message}`, cause === undefined ? undefined : { cause });
}

/** Answer GET/HEAD for a UI file: gzipped when the client accepts it, with the UI's content security policy. */
export function sendUiFile(res: ServerResponse, file: UiFile, acceptEncoding: string | undefined, head: boolean): void {
  const gzip = /\bgzip\b/.test(acceptEncoding ?? '');
  const body = gzip ? file.gzip : file.body;
  res.writeHead(200, {
    'content-type': file.type,
    'content-length': body.length,
    // The page is small and names the current assets, so it is checked every time; hashed assets never change.
    'cache-control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'content-security-policy': CSP,
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    vary: 'accept-encoding',
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
  });
  res.end(head ? undefined : body);
}
