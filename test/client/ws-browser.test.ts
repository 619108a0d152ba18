// The WebSocket client bundled for browsers: SCRAM over the socket, a batch and a pushed watch in headless chromium.

import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dict } from '../../src/core/grid/dict.js';
import { MARKER } from '../../src/core/kinds/marker.js';
import { Num } from '../../src/core/kinds/number.js';
import { Ref } from '../../src/core/kinds/ref.js';
import { bootstrapAdmin } from '../../src/server/auth/bootstrap-admin.js';
import { createHandler, type HaystackHandler } from '../../src/server/index.js';
import { createSecurity } from '../../src/server/security.js';
import { createMemoryStore, createMemoryUserStore } from '../../src/storage/memory/index.js';
import type { BrowserApi } from './browser/entry.js';
import { bundleClient, chromiumAvailable, launchChromium, startSite } from './browser/harness.js';

declare const haystack: BrowserApi;

describe.skipIf(!chromiumAvailable())('WebSocket client in headless chromium', () => {
  let browser: Browser;
  let handler: HaystackHandler;
  let site: Awaited<ReturnType<typeof startSite>>;

  beforeAll(async () => {
    const store = createMemoryStore();
    await store.commit([
      { op: 'add', tags: dict({ id: new Ref('s1'), dis: 'Browser Site', site: MARKER, tz: 'New_York' }) },
      {
        op: 'add',
        tags: dict({ id: new Ref('p1'), dis: 'Setpoint', point: MARKER, writable: MARKER, kind: 'Number' }),
      },
    ]);
    const users = createMemoryUserStore();
    await bootstrapAdmin({ users, username: 'ops', password: 'browser-secret-1', iterations: 4096 });
    const security = createSecurity({ users, serverSecret: new Uint8Array(randomBytes(32)), iterations: 4096 });
    handler = createHandler({ store, ...security.serverOptions });
    site = await startSite(await bundleClient(), handler, (req, socket, head) => {
      handler.handleUpgrade(req, socket, head);
    });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    handler.closeWebSockets();
    await browser.close();
    await site.close();
  });

  it('logs in with SCRAM over the socket, batches, and receives a pushed watch change', async () => {
    const page = await browser.newPage();
    await page.goto(site.origin);
    await page.waitForFunction(() => 'haystack' in globalThis);
    await page.evaluate(async (url) => {
      const ws = new haystack.WebSocketClient({ url, username: 'ops', password: 'browser-secret-1' });
      const [about, sites] = await ws.batch((b) => [b.about(), b.read('site')] as const);
      const watch = await ws.watch(['p1']);
      const changes = watch.changes()[Symbol.asyncIterator]();
      (globalThis as Record<string, unknown>).result = {
        product: about.get('productName'),
        sites: sites.rows.map((r) => r.dis()),
        pushed: changes.next().then(async (c) => {
          const val = String(c.value?.[0]?.get('writeVal'));
          await ws.close();
          return val;
        }),
      };
    }, `${site.origin}/api/`);
    await handler.store.pointWrite({ id: 'p1', level: 8, val: new Num(72), who: 'test' });
    const result = await page.evaluate(async () => {
      const r = (globalThis as Record<string, unknown>).result as {
        product: string;
        sites: string[];
        pushed: Promise<string>;
      };
      return { product: r.product, sites: r.sites, pushed: await r.pushed };
    });
    expect(result).toEqual({ product: 'haystack-ts', sites: ['Browser Site'], pushed: '72' });
    await page.close();
  });
});
