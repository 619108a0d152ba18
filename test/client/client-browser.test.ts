// The client bundled for browsers logs in with SCRAM (WebCrypto) and reads from our server in headless chromium.

import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dict } from '../../src/core/grid/dict.js';
import { HDateTime } from '../../src/core/kinds/date-time.js';
import { MARKER } from '../../src/core/kinds/marker.js';
import { Num } from '../../src/core/kinds/number.js';
import { Ref } from '../../src/core/kinds/ref.js';
import { bootstrapAdmin } from '../../src/server/auth/bootstrap-admin.js';
import { createHandler } from '../../src/server/index.js';
import { createSecurity } from '../../src/server/security.js';
import { createMemoryStore, createMemoryUserStore } from '../../src/storage/memory/index.js';
import { loadSharedJson } from '../support/shared.js';
import type { BrowserApi } from './browser/entry.js';
import { bundleClient, chromiumAvailable, launchChromium, startSite } from './browser/harness.js';

declare const haystack: BrowserApi;

describe.skipIf(!chromiumAvailable())('client in headless chromium', () => {
  let browser: Browser;
  let site: Awaited<ReturnType<typeof startSite>>;
  const now = Date.UTC(2026, 0, 15, 12, 0, 0);

  beforeAll(async () => {
    const store = createMemoryStore({ clock: () => now });
    await store.commit([
      { op: 'add', tags: dict({ id: new Ref('s1'), dis: 'Browser Site', site: MARKER, tz: 'New_York' }) },
      {
        op: 'add',
        tags: dict({
          id: new Ref('p1'),
          dis: 'Zone Temp',
          point: MARKER,
          his: MARKER,
          kind: 'Number',
          unit: '°F',
          tz: 'New_York',
          siteRef: new Ref('s1'),
        }),
      },
    ]);
    const start = HDateTime.fromEpochMs(now, 'New_York');
    await store.hisWrite(
      'p1',
      Array.from({ length: 24 }, (_, i) => ({ ts: start.epochMs - i * 900_000, val: new Num(70 + i / 10, '°F') })),
    );
    const users = createMemoryUserStore();
    // Few iterations keep the test quick; the browser still runs the whole PBKDF2/HMAC exchange on WebCrypto.
    await bootstrapAdmin({ users, username: 'ops', password: 'browser-secret-1', iterations: 4096 });
    const security = createSecurity({ users, serverSecret: new Uint8Array(randomBytes(32)), iterations: 4096 });
    const handler = createHandler({ store, clock: () => now, tz: 'New_York', ...security.serverOptions });
    site = await startSite(await bundleClient(), handler);
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser.close();
    await site.close();
  });

  it('logs in with SCRAM on WebCrypto and reads entities and history through the bundled client', async () => {
    const page = await browser.newPage();
    await page.goto(site.origin);
    await page.waitForFunction(() => 'haystack' in globalThis);
    const result = await page.evaluate(async (url) => {
      const { HaystackClient, HDate } = haystack;
      const anonymous = await new HaystackClient({ url })
        .about()
        .then(() => 'allowed')
        .catch((e: unknown) => (e as Error).name);
      const client = new HaystackClient({ url, username: 'ops', password: 'browser-secret-1' });
      const sites = await client.read('site');
      const his = await client.hisRead('p1', new HDate(2026, 1, 15));
      const loggedIn = client.authenticated;
      await client.close();
      return {
        anonymous,
        loggedIn,
        sites: sites.rows.map((r) => r.dis()),
        hisRows: his.size,
        first: his.first?.get('val')?.toString(),
      };
    }, `${site.origin}/api`);
    // An AuthError subclass: 401 and no credentials to log in with.
    expect(result.anonymous).toBe('LoginRequiredError');
    expect(result.loggedIn).toBe(true);
    expect(result.sites).toEqual(['Browser Site']);
    expect(result.hisRows).toBeGreaterThan(0);
    expect(result.first).toMatch(/°F$/);
    await page.close();
  });

  it("computes the SCRAM-SHA-256 conformance exchange with the browser's WebCrypto", async () => {
    const v = loadSharedJson<{ scram: Record<string, string> }>('conformance/auth-scram.json').scram;
    const page = await browser.newPage();
    await page.goto(site.origin);
    await page.waitForFunction(() => 'haystack' in globalThis);
    const out = await page.evaluate(async (vec) => {
      const scram = haystack.ScramClient.create({
        username: vec.username ?? '',
        password: vec.password ?? '',
        clientNonce: vec.clientNonce ?? '',
      });
      const first = scram.clientFirstMessage();
      const final = await scram.clientFinalMessage(vec.serverFirstMessage ?? '');
      scram.verifyServerFinal(vec.serverFinalMessage ?? '');
      return { first, final, subtle: typeof crypto.subtle.importKey };
    }, v);
    expect(out.subtle).toBe('function');
    expect(out.first).toBe(v.clientFirstMessage);
    expect(out.final).toBe(v.clientFinalMessage);
    await page.close();
  });
});
