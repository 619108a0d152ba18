// The `ui` option: `/` answers the UI's page (told the API root and login mode), `/ui/<name>` its hashed assets,
// with a strict content security policy; without the option `/` stays the home page.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValueError } from '../../src/core/errors.js';
import { createHandler } from '../../src/server/index.js';
import { createMemoryStore } from '../../src/storage/memory/index.js';
import { type Fixture, startFixture } from './support/server-fixture.js';

const PAGE = `<!doctype html><html><head>
<meta name="haystack-api" content="/api/">
<meta name="haystack-auth" content="scram">
<script type="module" src="/ui/main-ABCD2345.js"></script></head>
<body><div id="app"></div><noscript><!--haystack-links--></noscript></body></html>`;
const JS = `console.info(${JSON.stringify('x'.repeat(2000))});`;

let dir: string;
let ui: Fixture;
let plain: Fixture;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'haystack-ui-assets-'));
  writeFileSync(path.join(dir, 'index.html'), PAGE);
  writeFileSync(path.join(dir, 'main-ABCD2345.js'), JS);
  // A split build: chunks the entry imports and chunks fetched by import(), named by esbuild.
  writeFileSync(path.join(dir, 'chunk-EFGH6789.js'), JS);
  writeFileSync(path.join(dir, 'history-view-JKLM2345.js'), JS);
  writeFileSync(path.join(dir, 'notes.txt'), 'not served');
  mkdirSync(path.join(dir, 'sub.js'));
  ui = await startFixture({
    ui: { dir },
    basePath: '/haystack/',
    homePage: [{ href: '/docs/', label: 'Docs <here>' }],
  });
  plain = await startFixture();
});
afterAll(async () => {
  await ui.close();
  await plain.close();
  rmSync(dir, { recursive: true, force: true });
});

const origin = (f: Fixture): string => new URL(f.base).origin;

describe('the web UI option', () => {
  it('serves the page at / with the API root, the login mode and the home links filled in', async () => {
    const res = await fetch(`${origin(ui)}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe');
    const html = await res.text();
    expect(html).toContain('<meta name="haystack-api" content="/haystack/">');
    // The fixture serves without authentication: the page is told to skip its login form.
    expect(html).toContain('<meta name="haystack-auth" content="none">');
    expect(html).toContain('<li><a href="/haystack/about">API root: /haystack/</a></li>');
    expect(html).toContain('<a href="/docs/">Docs &lt;here&gt;</a>');
  });

  it('serves hashed assets for a year, gzipped when asked, and HEAD without a body', async () => {
    const gz = await fetch(`${origin(ui)}/ui/main-ABCD2345.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(gz.status).toBe(200);
    expect(gz.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(gz.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(gz.headers.get('vary')).toBe('accept-encoding');
    // fetch decodes the gzip itself; the length on the wire is the compressed one.
    expect(await gz.text()).toBe(JS);
    expect(Number(gz.headers.get('content-length'))).toBeLessThan(JS.length / 4);
    const head = await fetch(`${origin(ui)}/ui/main-ABCD2345.js`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('serves every chunk of a split build as it serves the entry', async () => {
    const entry = await fetch(`${origin(ui)}/ui/main-ABCD2345.js`);
    for (const name of ['chunk-EFGH6789.js', 'history-view-JKLM2345.js']) {
      const res = await fetch(`${origin(ui)}/ui/${name}`);
      expect(res.status, name).toBe(200);
      for (const h of ['cache-control', 'content-type', 'content-security-policy', 'x-content-type-options'])
        expect(res.headers.get(h), `${name} ${h}`).toBe(entry.headers.get(h));
      expect(await res.text()).toBe(JS);
    }
  });

  it('answers 404 for anything else under /ui/, and leaves the API alone', async () => {
    for (const p of ['/ui/notes.txt', '/ui/sub.js', '/ui/index.html', '/ui/../index.html', '/ui/nosuch.js']) {
      expect((await fetch(`${origin(ui)}${p}`)).status, p).toBe(404);
    }
    expect((await fetch(`${ui.base}about`)).status).toBe(200);
    expect((await fetch(`${origin(ui)}/ui/main-ABCD2345.js`, { method: 'POST', body: '' })).status).toBe(404);
  });

  it('keeps the home page at / when no UI is given', async () => {
    const html = await (await fetch(`${origin(plain)}/`)).text();
    expect(html).toContain('href="/api/about"');
    expect(html).not.toContain('haystack-auth');
  });

  it('refuses a directory without index.html when the handler is made', () => {
    const store = createMemoryStore();
    expect(() => createHandler({ store, noAuth: true, ui: { dir: path.join(dir, 'sub.js') } })).toThrow(ValueError);
    expect(() => createHandler({ store, noAuth: true, ui: 'dist/ui' as never })).toThrow(ValueError);
  });
});
