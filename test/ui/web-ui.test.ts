// The web UI in Debian's chromium against a real app (demo building, memory store): log in, query, open a point,
// plot a day of history, write a value and see it change live, create a user; fails on any console error.

import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildUi, type UiBuild } from '../../scripts/build-ui.js';
import { type AppConfig, type RunningApp, startApp } from '../../src/app/index.js';
import { HaystackClient, WebSocketClient } from '../../src/client/index.js';
import { UsersClient } from '../../src/client/users-client.js';
import { dict } from '../../src/core/grid/dict.js';
import { MARKER } from '../../src/core/kinds/marker.js';
import { Num } from '../../src/core/kinds/number.js';
import { Ref } from '../../src/core/kinds/ref.js';
import { chromiumAvailable, launchChromium } from '../client/browser/harness.js';
import { QUIET, uiAppConfig } from '../support/ui-app.js';

/** Screenshots go here (gitignored): CI keeps them as artifacts. */
const ARTIFACTS = fileURLToPath(new URL('../../artifacts/ui/', import.meta.url));
const ADMIN = { username: 'ops', password: 'web-ui-secret-1' };
const BULK = 10_000;

const appConfig = (uiDir: string, auth: boolean): AppConfig => uiAppConfig(uiDir, auth, ADMIN);

const origin = (app: RunningApp): string => `http://127.0.0.1:${app.address.port}`;

describe.skipIf(!chromiumAvailable())('web UI in headless chromium', () => {
  let built: UiBuild;
  let app: RunningApp;
  let open: RunningApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];
  // Every asset the page asked for, by URL: the lazy chunks must not be among them before their screen opens.
  const requested: string[] = [];
  /** The file of the chunk that holds `module`. */
  const chunkOf = (module: string): string =>
    built.chunks.find((c) => c.modules.some((m) => m.endsWith(module)))?.file ?? 'none';
  const fetchedChunkOf = (module: string): boolean => requested.some((u) => u.endsWith(`/ui/${chunkOf(module)}`));

  // Every console error and uncaught page error fails the test, except the answers of the Haystack login handshake
  // that chromium logs as failed loads: the 401 challenges (HELLO, SCRAM first message) and 403 for a bad password.
  const watchConsole = (p: Page): void => {
    p.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    p.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const handshake = /status of 40[13]/.test(msg.text()) && msg.location().url.endsWith('/api/about');
      if (!handshake) problems.push(`console: ${msg.text()} (${msg.location().url})`);
    });
  };
  const shot = async (name: string): Promise<void> => {
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    built = await buildUi(mkdtempSync(path.join(tmpdir(), 'haystack-ui-')));
    app = await startApp(appConfig(built.dir, true), QUIET);
    open = await startApp(appConfig(built.dir, false), QUIET);
    // Enough entities to prove the grid stays virtual: only the rows in view are in the DOM.
    await app.server.handler.store.commit(
      Array.from({ length: BULK }, (_, i) => ({
        op: 'add' as const,
        tags: dict({
          id: new Ref(`bulk-${i}`),
          dis: `Bulk ${String(i).padStart(5, '0')}`,
          bulk: MARKER,
          n: new Num(i),
        }),
      })),
    );
    // A Str point with history (the CSV must carry its text), a Bool command, and a value too long for one line.
    const hourly = Array.from({ length: 72 }, (_, i) => ({
      ts: Date.now() - i * 3_600_000,
      val: i % 2 === 0 ? 'occupied' : 'unoccupied',
    }));
    await app.server.handler.store.commit([
      {
        op: 'add',
        tags: dict({
          id: new Ref('occ-mode'),
          dis: 'Occupancy mode',
          point: MARKER,
          his: MARKER,
          kind: 'Str',
          tz: 'New_York',
        }),
      },
      {
        op: 'add',
        tags: dict({ id: new Ref('fan-cmd'), dis: 'Fan command', point: MARKER, writable: MARKER, kind: 'Bool' }),
      },
    ]);
    await app.server.handler.store.hisWrite('occ-mode', hourly);
    await open.server.handler.store.commit([
      { op: 'add', tags: dict({ id: new Ref('blob'), dis: 'Blob', note: 'x'.repeat(3000) }) },
      { op: 'add', tags: dict({ id: new Ref('csrf-sp'), point: MARKER, writable: MARKER, kind: 'Number' }) },
    ]);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 860 }, acceptDownloads: true });
    page = await context.newPage();
    watchConsole(page);
    page.on('request', (r) => requested.push(r.url()));
  }, 120_000);

  afterEach(() => {
    expect(problems.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    // beforeAll may have failed half way: close what it started.
    const started = { browser, app, open, built } as Partial<{
      browser: Browser;
      app: RunningApp;
      open: RunningApp;
      built: UiBuild;
    }>;
    await started.browser?.close();
    await started.app?.close();
    await started.open?.close();
    if (started.built !== undefined) rmSync(started.built.dir, { recursive: true, force: true });
  });

  it('serves the page with a strict CSP, and hashed assets gzipped and cached for a year', async () => {
    const res = await fetch(`${origin(app)}/`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const html = await res.text();
    expect(html).not.toMatch(/<script>|<style>| style=/);
    // The page without scripts still points at the API.
    expect(html).toContain('<a href="/api/about">API root: /api/</a>');
    // Every file of the split build, up front or lazy, is served alike; the page preloads the up-front chunks.
    for (const c of built.chunks) {
      const asset = await fetch(`${origin(app)}/ui/${c.file}`, { headers: { 'accept-encoding': 'gzip' } });
      expect(asset.status, c.file).toBe(200);
      expect(asset.headers.get('cache-control'), c.file).toBe('public, max-age=31536000, immutable');
      expect(asset.headers.get('content-security-policy'), c.file).toBe(res.headers.get('content-security-policy'));
      if (c.file.endsWith('.js')) expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      if (c.upFront && c.file.endsWith('.js') && c !== built.chunks[0])
        expect(html).toContain(`<link rel="modulepreload" href="/ui/${c.file}">`);
    }
    expect(built.chunks.some((c) => !c.upFront)).toBe(true);
    expect((await fetch(`${origin(app)}/ui/nosuch-AAAAAAAA.js`)).status).toBe(404);
    // The API behind it is unchanged.
    expect((await fetch(`${origin(app)}/api/about`)).status).toBe(401);
  });

  it('logs in with SCRAM and shows the building as a tree', async () => {
    await page.goto(`${origin(app)}/`);
    await expect.poll(() => page.title()).toBe('Log in \u2013 haystack-ts');
    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBeTruthy();
    // The login page has no session, so no socket and no users API: their code stays on the server.
    expect(fetchedChunkOf('src/client/ws-connection.ts')).toBe(false);
    expect(fetchedChunkOf('src/client/users-client.ts')).toBe(false);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('tree', { name: 'Building' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Live: connected' }).waitFor();
    // The header says who is logged in, with the role the server gives them.
    await expect.poll(() => page.getByRole('banner').locator('.user').textContent()).toBe('ops (admin)');
    const site = page.getByRole('treeitem').first();
    await site.getByRole('button', { name: /^Expand/ }).click();
    await site.getByRole('group').getByRole('treeitem').first().waitFor();
    expect(await page.getByRole('treeitem').count()).toBeGreaterThan(2);
    // The first screen did not fetch the chart's code (uPlot) nor the Users screen's.
    expect(fetchedChunkOf('uPlot.esm.js')).toBe(false);
    expect(fetchedChunkOf('src/ui/users-view.ts')).toBe(false);
    await shot('explore');
  });

  it('runs a filter into a virtual grid that sorts and keeps only the rows in view in the DOM', async () => {
    await page.getByRole('link', { name: 'Query' }).click();
    await page.getByRole('combobox', { name: 'Filter' }).fill('bulk');
    await page.getByRole('button', { name: 'Run' }).click();
    const grid = page.getByRole('grid', { name: 'Entities matching bulk' });
    await grid.waitFor();
    expect(await grid.getAttribute('aria-rowcount')).toBe(String(BULK + 1));
    expect(await page.locator('.grid-body [role="row"]').count()).toBeLessThan(80);
    await grid.getByRole('button', { name: 'n' }).click();
    await grid.getByRole('button', { name: 'n' }).click();
    await expect
      .poll(() => grid.getByRole('columnheader', { name: /^n/ }).getAttribute('aria-sort'))
      .toBe('descending');
    await expect.poll(() => page.locator('.grid-body [role="row"]').first().textContent()).toContain('Bulk 09999');
    // Keyboard: Control+End jumps to the last row, which the grid scrolls into view.
    await page.locator('.grid-scroll').focus();
    await page.keyboard.press('Control+End');
    await page.locator('.grid-row.active').filter({ hasText: 'Bulk 00000' }).waitFor();
    // The filter is remembered.
    await page.getByRole('navigation', { name: 'Recent queries' }).getByRole('link', { name: 'bulk' }).waitFor();
    await shot('query');
  });

  let pointId = '';
  let otherId = '';
  it('opens a point: tags by kind with units, Refs as links, related entities', async () => {
    await page.getByRole('combobox', { name: 'Filter' }).fill('point and writable and kind=="Number"');
    await page.getByRole('button', { name: 'Run' }).click();
    // The previous query's rows stay until the answer comes: wait for them to go, or their ids would be read.
    await page.locator('.grid-body [role="row"]').filter({ hasText: 'Bulk' }).first().waitFor({ state: 'detached' });
    const firstRow = page.locator('.grid-body [role="row"]').first();
    await firstRow.waitFor();
    const idOf = async (i: number): Promise<string> =>
      ((await page.locator('.grid-body [role="row"]').nth(i).locator('a.k-ref').first().textContent()) ?? '').slice(1);
    pointId = await idOf(0);
    otherId = await idOf(1);
    expect(pointId).not.toBe('');
    expect(otherId).not.toBe(pointId);
    await page.locator('.grid-scroll').focus();
    // Control+Home goes to the header; the first row is one down from it.
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Tags' }).waitFor();
    expect(page.url()).toContain(`#/entity/${pointId}`);
    const tags = page.locator('table.tags');
    // Each part of the page renders when its own answer arrives: poll rather than count once.
    await expect.poll(() => tags.locator('.k-ref').count()).toBeGreaterThan(0);
    await expect.poll(() => tags.locator('tr', { hasText: 'curVal' }).locator('.k-number').textContent()).toMatch(/\d/);
    await page.getByRole('heading', { name: 'Priority array' }).waitFor();
    await expect.poll(() => page.locator('table.priority tbody tr').count()).toBe(17);
    await page.locator('.refs-out a').first().waitFor();
    await shot('entity');
  });

  it('plots a day of history for two points and downloads it as CSV', async () => {
    // Query and entity screens came first: none of them needed uPlot.
    expect(fetchedChunkOf('uPlot.esm.js')).toBe(false);
    await page.goto(`${origin(app)}/#/history?ids=${pointId},${otherId},occ-mode&range=yesterday`);
    await page.getByRole('application', { name: /History chart/ }).waitFor();
    expect(fetchedChunkOf('uPlot.esm.js')).toBe(true);
    await page.locator('.chart canvas').waitFor();
    const status = (await page.locator('.his-status').textContent()) ?? '';
    expect(Number(status.replace(/,/g, '').match(/(\d+) samples/)?.[1])).toBeGreaterThan(90);
    await expect.poll(() => page.locator('.u-legend .u-series').count()).toBe(4);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    const csv = readFileSync(await download.path(), 'utf8')
      .trim()
      .split('\n');
    expect(csv[0]).toMatch(/^ts,.*,Occupancy mode$/);
    expect(csv.length).toBeGreaterThan(90);
    // The Str point cannot be plotted, but its samples are in the CSV as recorded.
    expect(csv.filter((line) => /,(un)?occupied$/.test(line)).length).toBeGreaterThan(20);
    // Named for the day it holds (yesterday in the chart's zone, the date of its first sample), not "yesterday".
    expect(download.suggestedFilename()).toBe(`history-${csv[1]?.slice(0, 10) ?? ''}.csv`);
    await page.getByLabel('Today').check();
    await expect.poll(() => page.url()).toContain('range=today');
    await page.getByRole('application', { name: /History chart/ }).waitFor();
    await shot('history');
  });

  it('keeps the custom range boxes on the range in the address', async () => {
    const at = (from: string, to: string): string =>
      `${origin(app)}/#/history?ids=${pointId}&range=custom&from=${from}&to=${to}`;
    await page.goto(at('2026-01-02', '2026-01-02'));
    await page.getByRole('textbox', { name: 'From', exact: true }).waitFor();
    await page.goto(at('2026-01-05', '2026-01-06'));
    await expect.poll(() => page.getByRole('textbox', { name: 'From', exact: true }).inputValue()).toBe('2026-01-05');
    expect(await page.getByRole('textbox', { name: 'To', exact: true }).inputValue()).toBe('2026-01-06');
  });

  it('writes a value and sees it change live, from the UI and from elsewhere', async () => {
    await page.goto(`${origin(app)}/#/entity/${pointId}`);
    await page.getByRole('heading', { name: 'Priority array' }).waitFor();
    await page.getByLabel('Level').selectOption('8');
    await page.getByLabel(/^Value/).fill('61.5');
    await page.getByRole('button', { name: 'Write' }).click();
    // The entity on the page is only ever updated by the watch: the written value arrives pushed.
    await expect.poll(() => page.locator('.write-val').textContent()).toMatch(/^61\.5/);
    await expect.poll(() => page.locator('table.priority tr.set').count()).toBeGreaterThan(0);
    // A change made by another client arrives too.
    await app.server.handler.store.commit([{ op: 'update', id: pointId, changes: dict({ curVal: new Num(42.25) }) }]);
    await expect.poll(() => page.locator('.cur-val').textContent()).toMatch(/^42\.25/);
    await page.getByRole('button', { name: 'Release level' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Released level 8' }).count()).toBe(1);
    await shot('entity-written');
  });

  it('writes a Bool only once true or false is chosen', async () => {
    await page.goto(`${origin(app)}/#/entity/fan-cmd`);
    await page.getByRole('heading', { name: 'Priority array' }).waitFor();
    const value = page.getByLabel(/^Value/);
    await page.getByRole('button', { name: 'Write' }).click();
    // The select still says "choose": the form is not sent, so nothing (least of all false) is written.
    expect(await page.locator('.write-form select[name="value"]:invalid').count()).toBe(1);
    await value.selectOption('false');
    await page.getByRole('button', { name: 'Write' }).click();
    await page.getByRole('status').filter({ hasText: 'Wrote false at level 8' }).waitFor();
    await expect.poll(() => page.locator('table.priority tr.set').count()).toBe(1);
  });

  it('lets an admin create a user, change its role and disable it', async () => {
    expect(fetchedChunkOf('src/ui/users-view.ts')).toBe(false);
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    expect(fetchedChunkOf('src/ui/users-view.ts')).toBe(true);
    const form = page.getByRole('form', { name: 'New user' });
    await form.getByLabel('Username').fill('viewer1');
    await form.getByLabel('Password').fill('viewer-secret-1');
    await form.getByLabel('Role').selectOption('operator');
    await form.getByRole('button', { name: 'Create user' }).click();
    const row = page.locator('.users-table tr', { hasText: 'viewer1' });
    await row.waitFor();
    expect(await row.getByLabel('Role of viewer1').inputValue()).toBe('operator');
    // The new user logs in (here from Node) with the password the form set.
    const client = new HaystackClient({ url: `${origin(app)}/api`, username: 'viewer1', password: 'viewer-secret-1' });
    expect((await client.about()).get('serverName')).toBeTruthy();
    await client.close();
    await row.getByLabel('Role of viewer1').selectOption('viewer');
    await page.getByRole('status').filter({ hasText: 'viewer1 is now viewer' }).waitFor();
    await row.getByRole('checkbox').click();
    await page.getByRole('status').filter({ hasText: 'viewer1 disabled' }).waitFor();
    await expect.poll(() => row.getByRole('checkbox').isChecked()).toBe(false);
    await shot('users');
  });

  it('works at phone width with the keyboard, and logs out', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('link', { name: 'Explore' }).click();
    await page.getByRole('tree', { name: 'Building' }).waitFor();
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await shot('phone-explore');
    // On a fresh page the first Tab reaches the skip link, the next ones the screens in order.
    await page.reload();
    await page.getByRole('tree', { name: 'Building' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement.textContent')).toBe('Skip to content');
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement.textContent')).toBe('Explore');
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement.textContent')).toBe('Query');
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    // The session is over on the server: its token no longer works, and a reload asks for the login again.
    await page.reload();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it('asks for the login again when the session ends, then returns to the screen', async () => {
    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('tree', { name: 'Building' }).waitFor();
    await page.goto(`${origin(app)}/#/query?filter=site`);
    const filter = page.getByRole('combobox', { name: 'Filter' });
    await expect.poll(() => filter.inputValue()).toBe('site');
    // A recent query run from its link is the one the box shows.
    await page.getByRole('navigation', { name: 'Recent queries' }).getByRole('link', { name: 'bulk' }).click();
    await expect.poll(() => filter.inputValue()).toBe('bulk');
    // The session ends on the server (as after the idle limit): the next call is refused.
    const kept = JSON.parse(
      (await page.evaluate<string | null>("sessionStorage.getItem('haystack-ui.session')")) ?? '{}',
    ) as { token: string };
    await new HaystackClient({ url: `${origin(app)}/api`, token: kept.token }).close();
    // The server ends the page's live socket on that session at once, so the page asks for the login without
    // waiting for its next call to be refused.
    await page.getByRole('status').filter({ hasText: 'Your session has ended' }).waitFor();
    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('grid', { name: 'Entities matching bulk' }).waitFor();
    // The screen is the one left, and works: a new query runs.
    await filter.fill('site');
    await page.getByRole('button', { name: 'Run' }).click();
    await page.getByRole('grid', { name: 'Entities matching site' }).waitFor();
    // Chromium logs the refused call; that one is expected.
    const refused = problems.findIndex((p) => /status of 401/.test(p) && p.includes('/api/read'));
    if (refused >= 0) problems.splice(refused, 1);
  });

  it('on a reload while the server cannot be reached, says so and retries, keeping the session', async () => {
    const p = await context.newPage();
    watchConsole(p);
    await p.goto(`${origin(app)}/`);
    await p.getByLabel('Username').fill(ADMIN.username);
    await p.getByLabel('Password').fill(ADMIN.password);
    await p.getByRole('button', { name: 'Log in' }).click();
    await p.getByRole('tree', { name: 'Building' }).waitFor();
    // The server goes away (down, or restarting): every API request fails to connect.
    await p.route('**/api/**', (route) => route.abort('connectionrefused'));
    await p.reload();
    await p.getByRole('alert').filter({ hasText: 'Cannot reach the server' }).waitFor();
    expect(await p.getByRole('heading', { name: 'Log in' }).count()).toBe(0);
    expect(await p.evaluate<string | null>("sessionStorage.getItem('haystack-ui.session')")).not.toBeNull();
    // Back again: a retry finds it and the same session goes on, without a login.
    await p.unroute('**/api/**');
    await p.getByRole('tree', { name: 'Building' }).waitFor({ timeout: 15_000 });
    expect(await p.getByRole('heading', { name: 'Log in' }).count()).toBe(0);
    // Chromium logs the refused requests; those are expected.
    for (let i = problems.length - 1; i >= 0; i--) {
      if (/ERR_CONNECTION_REFUSED|ERR_FAILED/.test(problems[i] ?? '')) problems.splice(i, 1);
    }
    await p.close();
  });

  it('asks for the login again when the session ends while only live values are on screen', async () => {
    await page.goto(`${origin(app)}/#/entity/${pointId}`);
    await page.getByRole('heading', { name: 'Priority array' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Live: connected' }).waitFor();
    const kept = JSON.parse(
      (await page.evaluate<string | null>("sessionStorage.getItem('haystack-ui.session')")) ?? '{}',
    ) as { token: string };
    // Closed over a socket, the session's other sockets (the page's) end at once; the page makes no HTTP call.
    const ws = new WebSocketClient({ url: `${origin(app)}/api/`, token: kept.token });
    await ws.about();
    await ws.close();
    await page.getByRole('status').filter({ hasText: 'Your session has ended' }).waitFor();
    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Priority array' }).waitFor();
  });

  it('opens without a login on a server without authentication', async () => {
    const p = await context.newPage();
    watchConsole(p);
    await p.goto(`${origin(open)}/`);
    await p.getByRole('tree', { name: 'Building' }).waitFor();
    await p.getByText('no login').waitFor();
    expect(await p.getByRole('button', { name: 'Log out' }).count()).toBe(0);
    // A value too long for one line wraps in its cell instead of widening the page.
    await p.goto(`${origin(open)}/#/entity/blob`);
    await p.getByRole('heading', { name: 'Tags' }).waitFor();
    expect(await p.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')).toBeLessThanOrEqual(0);
    // An address cut off mid-escape is shown as typed (the problems list catches a page error).
    await p.goto(`${origin(open)}/#/entity/%E0`);
    await p.getByRole('alert').filter({ hasText: 'Invalid Ref id "%E0"' }).waitFor();
    await p.close();
  });

  it('says when a screen or the live socket cannot be fetched, and fetches each again on the next try', async () => {
    // A context of its own, so that nothing comes from the main page's cache; the blocked loads are the console
    // errors expected here, and a page error is still a failure.
    const ctx = await browser.newContext();
    const p = await ctx.newPage();
    p.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    const blocked = [chunkOf('src/ui/history-view.ts'), chunkOf('src/client/ws-connection.ts')];
    await p.route(
      (url) => blocked.some((f) => url.pathname.endsWith(`/ui/${f}`)),
      (route) => route.abort(),
    );
    await p.goto(`${origin(open)}/#/history`);
    await p.getByRole('alert').filter({ hasText: 'Cannot load the history screen' }).waitFor();
    await p.getByRole('status').filter({ hasText: 'Live: offline' }).waitFor();
    await p.unrouteAll();
    await p.getByRole('link', { name: 'Explore' }).click();
    await p.getByRole('tree', { name: 'Building' }).waitFor();
    await p.getByRole('link', { name: 'History' }).click();
    await p.getByRole('heading', { name: 'History' }).waitFor();
    expect(await p.getByRole('alert').count()).toBe(0);
    // The socket's code too: the next live value shown fetches it again (Chromium does not keep a failed import()
    // of a URL), and the values are live without a reload.
    await p.evaluate("location.hash = '#/entity/blob'");
    await p.getByRole('heading', { name: 'Tags' }).waitFor();
    await p.getByRole('status').filter({ hasText: 'Live: connected' }).waitFor();
    await open.server.handler.store.commit([{ op: 'update', id: 'blob', changes: dict({ note: 'refetched' }) }]);
    await p.getByRole('cell', { name: 'refetched' }).waitFor();
    await ctx.close();
  });

  it('fetches the login and users API chunks again after a failed load, without a reload', async () => {
    const ctx = await browser.newContext();
    const p = await ctx.newPage();
    p.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    const blockedLogin = (url: URL): boolean => url.pathname.endsWith(`/ui/${chunkOf('src/client/scram-login.ts')}`);
    // The users client's own module, which its import() entry imports: a failed static import is fetched again too.
    // The login's chunk does not arrive (a network failure); this one is answered by a server restarting (503).
    const usersFile = chunkOf('src/client/users-client.ts');
    await p.route(blockedLogin, (route) => route.abort());
    await p.route(
      (url) => url.pathname.endsWith(`/ui/${usersFile}`),
      (route) => route.fulfill({ status: 503, body: 'restarting' }),
    );
    await p.goto(`${origin(app)}/`);
    await p.getByLabel('Username').fill(ADMIN.username);
    await p.getByLabel('Password').fill(ADMIN.password);
    await p.getByRole('button', { name: 'Log in' }).click();
    await p.getByRole('alert').waitFor();
    await p.unroute(blockedLogin);
    const usersFailed = p.waitForEvent('response', (r) => r.url().endsWith(`/ui/${usersFile}`) && r.status() === 503);
    await p.getByRole('button', { name: 'Log in' }).click();
    await p.getByRole('tree', { name: 'Building' }).waitFor();
    await usersFailed;
    const user = p.getByRole('banner').locator('.user');
    expect(await user.textContent()).toBe('ops');
    // The header asks for the role again on the next screen: the users client's code is fetched this time.
    await p.unrouteAll();
    await p.getByRole('link', { name: 'Query' }).click();
    await expect.poll(() => user.textContent()).toBe('ops (admin)');
    await ctx.close();
  });

  it('keeps the live values connected after an address with an invalid id', async () => {
    const p = await context.newPage();
    watchConsole(p);
    await p.goto(`${origin(open)}/#/entity/blob`);
    const badge = p.locator('.live-badge');
    await expect.poll(() => badge.textContent()).toBe('Live: connected');
    await p.goto(`${origin(open)}/#/entity/bad%20id`);
    await p.getByRole('alert').filter({ hasText: 'Invalid Ref id "bad id"' }).waitFor();
    await p.goto(`${origin(open)}/#/entity/blob`);
    await p.getByRole('heading', { name: 'Tags' }).waitFor();
    expect(await badge.textContent()).toBe('Live: connected');
    await p.close();
  });

  it('runs the filter again on Run when the address already holds it', async () => {
    const p = await context.newPage();
    watchConsole(p);
    await p.goto(`${origin(open)}/#/query?filter=rerun`);
    const count = p.locator('.result-count');
    await expect.poll(() => count.textContent()).toMatch(/^No entity matches rerun/);
    await open.server.handler.store.commit([{ op: 'add', tags: dict({ id: new Ref('rerun-1'), rerun: MARKER }) }]);
    // Same filter, same address: the new entity is found all the same.
    await p.getByRole('button', { name: 'Run' }).click();
    await expect.poll(() => count.textContent()).toMatch(/^1 entities/);
    await p.close();
  });

  it('stays live across a server restart when a screen was left while the server was away', async () => {
    const first = await startApp(appConfig(built.dir, false), QUIET);
    const port = first.address.port;
    const p = await context.newPage();
    watchConsole(p);
    let second: RunningApp | undefined;
    try {
      await p.goto(`${origin(first)}/#/entity/hudson.vav1-01.zatSp`);
      await p.getByRole('heading', { name: 'Priority array' }).waitFor();
      const badge = p.locator('.live-badge');
      await expect.poll(() => badge.textContent()).toBe('Live: connected');
      await first.close();
      await expect.poll(() => badge.textContent()).toBe('Live: reconnecting');
      // Leaving the page unsubscribes its point: that waits for the new server, which never knew the old watch.
      await p.getByRole('link', { name: 'Query' }).click();
      second = await startApp({ ...appConfig(built.dir, false), port }, QUIET);
      await expect.poll(() => badge.textContent(), { timeout: 20_000 }).toBe('Live: connected');
      await p.goto(`${origin(second)}/#/entity/hudson.vav1-01.zat`);
      await p.getByRole('heading', { name: 'Tags' }).waitFor();
      await second.server.handler.store.commit([
        { op: 'update', id: 'hudson.vav1-01.zat', changes: dict({ curVal: new Num(77.75) }) },
      ]);
      await expect.poll(() => p.locator('.cur-val').textContent(), { timeout: 10_000 }).toMatch(/^77\.75/);
      expect(await badge.textContent()).toBe('Live: connected');
    } finally {
      await p.close();
      await second?.close();
    }
    // Chromium logs the refused connections while the server was away.
    const refused = (s: string): boolean => /ERR_CONNECTION_REFUSED/.test(s);
    const rest = problems.filter((s) => !refused(s));
    problems.splice(0, problems.length, ...rest);
  }, 60_000);

  it('shows tiny and infinite Numbers and the values inside a Dict', async () => {
    const tags = dict({
      id: new Ref('odd-vals'),
      tiny: new Num(0.00015, 'kW'),
      inf: new Num(Number.NEGATIVE_INFINITY),
      cfg: dict({ mode: 'auto', on: MARKER, sp: new Num(72, '°F') }),
    });
    await open.server.handler.store.commit([{ op: 'add', tags }]);
    const p = await context.newPage();
    watchConsole(p);
    await p.goto(`${origin(open)}/#/entity/odd-vals`);
    const cell = (tag: string) =>
      p
        .locator('table.tags tr', { has: p.getByRole('rowheader', { name: tag }) })
        .locator('td')
        .first();
    await expect.poll(() => cell('tiny').textContent()).toBe('0.00015 kW');
    expect(await cell('inf').textContent()).toBe('-INF');
    expect(await cell('cfg').textContent()).toBe('{mode:auto on sp:72 °F}');
    await p.close();
  });

  // Pixels of the chart's canvas near a series' colour: how much of its line the chart drew.
  const inkOf = async (p: Page, [r, g, b]: readonly [number, number, number]): Promise<number> =>
    await p.evaluate<number>(`(() => {
      const c = document.querySelector('.chart canvas');
      const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < px.length; i += 4) {
        if (Math.abs(px[i] - ${r}) + Math.abs(px[i + 1] - ${g}) + Math.abs(px[i + 2] - ${b}) < 60) n++;
      }
      return n;
    })()`);

  it('draws each point of a chart as a line when their samples fall at different times', async () => {
    // Two meters logged 5 minutes apart, one 150 s after the other: no timestamp holds a sample of both.
    const day = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 86_400_000;
    const his = (id: string, offsetMs: number) => ({
      op: 'add' as const,
      tags: dict({ id: new Ref(id), dis: id, point: MARKER, his: MARKER, kind: 'Number', tz: 'UTC' }),
      items: Array.from({ length: 288 }, (_, i) => ({ ts: day + offsetMs + i * 300_000, val: new Num(50 + (i % 40)) })),
    });
    const a = his('stagger-a', 0);
    const b = his('stagger-b', 150_000);
    await open.server.handler.store.commit([a, b].map(({ op, tags }) => ({ op, tags })));
    await open.server.handler.store.hisWrite('stagger-a', a.items);
    await open.server.handler.store.hisWrite('stagger-b', b.items);
    const p = await context.newPage();
    watchConsole(p);
    await p.goto(`${origin(open)}/#/history?ids=stagger-a,stagger-b&range=yesterday`);
    await expect.poll(() => p.locator('.his-status').textContent(), { timeout: 10_000 }).toBe('576 samples (UTC)');
    await p.locator('.chart canvas').waitFor();
    // A line across the plot is well over a thousand pixels; each sample alone between gaps draws none.
    await expect.poll(() => inkOf(p, [31, 119, 180])).toBeGreaterThan(1000);
    expect(await inkOf(p, [214, 39, 40])).toBeGreaterThan(1000);
    await p.close();
  });

  it('plots a Bool history as steps between false and true', async () => {
    // A fan on for the odd hours of yesterday: each sample holds until the next, it never runs half on.
    const day = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 86_400_000;
    await open.server.handler.store.commit([
      {
        op: 'add',
        tags: dict({ id: new Ref('fan-run'), dis: 'Fan run', point: MARKER, his: MARKER, kind: 'Bool', tz: 'UTC' }),
      },
    ]);
    await open.server.handler.store.hisWrite(
      'fan-run',
      Array.from({ length: 24 }, (_, i) => ({ ts: day + i * 3_600_000, val: i % 2 === 1 })),
    );
    const p = await context.newPage();
    watchConsole(p);
    await p.goto(`${origin(open)}/#/history?ids=fan-run&range=yesterday`);
    await expect.poll(() => p.locator('.his-status').textContent(), { timeout: 10_000 }).toBe('24 samples (UTC)');
    await p.locator('.chart canvas').waitFor();
    // Columns of the canvas where the line is between its lowest and highest quarter: a ramp from one sample to
    // the next crosses there in every column, a step only where the value changes (24 narrow places).
    const crossing = async (): Promise<{ inked: number; between: number }> =>
      await p.evaluate<{ inked: number; between: number }>(`(() => {
        const c = document.querySelector('.chart canvas');
        const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        const blue = (x, y) => {
          const i = (y * c.width + x) * 4;
          return Math.abs(px[i] - 31) + Math.abs(px[i + 1] - 119) + Math.abs(px[i + 2] - 180) < 60;
        };
        let top = c.height, bottom = 0;
        for (let y = 0; y < c.height; y++) for (let x = 0; x < c.width; x++) {
          if (blue(x, y)) { top = Math.min(top, y); bottom = Math.max(bottom, y); }
        }
        const lo = top + (bottom - top) / 4, hi = bottom - (bottom - top) / 4;
        let inked = 0, between = 0;
        for (let x = 0; x < c.width; x++) {
          let any = false, mid = false;
          for (let y = top; y <= bottom; y++) if (blue(x, y)) { any = true; if (y > lo && y < hi) mid = true; }
          if (any) inked++;
          if (mid) between++;
        }
        return { inked, between };
      })()`);
    await expect.poll(async () => (await crossing()).inked).toBeGreaterThan(500);
    const { inked, between } = await crossing();
    expect(between / inked).toBeLessThan(0.2);
    // The legend reads the value under the pointer as the Bool it is.
    const over = p.locator('.u-over');
    const box = await over.boundingBox();
    await p.mouse.move((box?.x ?? 0) + (box?.width ?? 0) / 2, (box?.y ?? 0) + (box?.height ?? 0) / 2);
    await expect
      .poll(() => p.locator('.u-legend .u-series').nth(1).locator('.u-value').textContent())
      .toMatch(/^(true|false)$/);
    await p.close();
  });

  it('reads the samples of a chart with the keys, in its legend and in words, and as a table a page at a time', async () => {
    // 250 samples five minutes apart, worth 50 to 299 °F: each says which one it is.
    const day = Date.UTC(2026, 0, 5);
    await open.server.handler.store.commit([
      {
        op: 'add',
        tags: dict({
          id: new Ref('kbd-temp'),
          dis: 'Kbd temp',
          point: MARKER,
          his: MARKER,
          kind: 'Number',
          tz: 'UTC',
          unit: '°F',
        }),
      },
    ]);
    await open.server.handler.store.hisWrite(
      'kbd-temp',
      Array.from({ length: 250 }, (_, i) => ({ ts: day + i * 300_000, val: new Num(50 + i, '°F') })),
    );
    const p = await context.newPage();
    watchConsole(p);
    await p.goto(`${origin(open)}/#/history?ids=kbd-temp&range=custom&from=2026-01-05&to=2026-01-05`);
    await expect.poll(() => p.locator('.his-status').textContent(), { timeout: 10_000 }).toBe('250 samples (UTC)');
    await p.locator('.chart canvas').waitFor();
    // The chart is in the Tab order, after the buttons above it, and tells how its keys work.
    await p.getByRole('button', { name: 'Download CSV' }).focus();
    await p.keyboard.press('Tab');
    const chart = p.getByRole('application', { name: 'History chart of Kbd temp: 250 samples' });
    expect(await p.evaluate<string | null>('document.activeElement.getAttribute("aria-label")')).toBe(
      'History chart of Kbd temp: 250 samples',
    );
    const described = await p.evaluate<string>(
      'document.getElementById(document.activeElement.getAttribute("aria-describedby")).textContent',
    );
    expect(described.replace(/\s+/g, ' ')).toMatch(/Left and Right arrows move from sample to sample/);
    const said = p.locator('.his-cursor');
    expect(await said.getAttribute('aria-live')).toBe('polite');
    expect(await said.textContent()).toBe('');
    const legend = async (): Promise<string[]> => await p.locator('.u-legend .u-series .u-value').allTextContents();
    await p.keyboard.press('End');
    await expect.poll(() => said.textContent()).toBe('2026-01-05 20:45:00: Kbd temp 299 °F (250 of 250)');
    await p.keyboard.press('Home');
    await expect.poll(() => said.textContent()).toBe('2026-01-05 00:00:00: Kbd temp 50 °F (1 of 250)');
    await p.keyboard.press('ArrowLeft');
    await p.keyboard.press('ArrowRight');
    await expect.poll(() => said.textContent()).toBe('2026-01-05 00:05:00: Kbd temp 51 °F (2 of 250)');
    // The legend follows: uPlot's cursor is on the same sample.
    await expect.poll(async () => (await legend())[1]).toBe('51');
    expect((await legend())[0]).toMatch(/12:05/);
    await p.keyboard.press('PageUp');
    await expect.poll(() => said.textContent()).toBe('2026-01-05 02:10:00: Kbd temp 76 °F (27 of 250)');
    await expect.poll(async () => (await legend())[1]).toBe('76');
    await p.keyboard.press('PageDown');
    await p.keyboard.press('PageDown');
    await expect.poll(() => said.textContent()).toBe('2026-01-05 00:00:00: Kbd temp 50 °F (1 of 250)');
    await p.keyboard.press('End');
    await p.keyboard.press('ArrowLeft');
    await expect.poll(() => said.textContent()).toMatch(/Kbd temp 298 °F \(249 of 250\)$/);
    // The same samples as a table, opened at the page of the cursor, 100 rows a page.
    const toggle = p.getByRole('button', { name: 'Show as table' });
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    await toggle.focus();
    await p.keyboard.press('Enter');
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    const table = p.getByRole('table', { name: 'Samples (UTC)' });
    await table.waitFor();
    expect(await chart.count()).toBe(0);
    expect(await table.getByRole('columnheader').allTextContents()).toEqual(['Time', 'Kbd temp (°F)']);
    const rows = table.locator('tbody tr');
    // The pager is above the table and below it: a long page need not be scrolled through to turn it. Two landmarks
    // with names of their own, one live region (a turn is said once), no id twice.
    const top = p.getByRole('navigation', { name: 'Sample pages, top' });
    const pages = p.getByRole('navigation', { name: 'Sample pages, bottom' });
    const range = (nav: typeof top): Promise<string | null> => nav.locator('.pager-range').textContent();
    await expect.poll(() => range(pages)).toBe('Samples 201\u2013250 of 250');
    expect(await range(top)).toBe('Samples 201\u2013250 of 250');
    expect(await p.locator('.samples [aria-live]').count()).toBe(1);
    expect(
      await p.evaluate<boolean>(
        '[...document.querySelectorAll("[id]")].every((e, _, all) => all.filter((o) => o.id === e.id).length === 1)',
      ),
    ).toBe(true);
    const topBox = await top.boundingBox();
    const tableBox = await table.boundingBox();
    expect(topBox !== null && tableBox !== null && topBox.y + topBox.height <= tableBox.y).toBe(true);
    // The top one by the keyboard: from the buttons above, Tab reaches First; Previous there turns the page, and the
    // focus stays on the button that was pressed.
    await p.getByRole('button', { name: 'Download CSV' }).focus();
    await p.keyboard.press('Tab');
    expect(await p.evaluate<string>('document.activeElement.textContent')).toBe('First');
    await p.keyboard.press('Tab');
    await p.keyboard.press('Enter');
    await expect.poll(() => range(top)).toBe('Samples 101\u2013200 of 250');
    expect(await range(pages)).toBe('Samples 101\u2013200 of 250');
    expect(await p.evaluate<boolean>('document.activeElement.closest("nav") !== null')).toBe(true);
    expect(await p.evaluate<string>('document.activeElement.textContent')).toBe('Previous');
    await p.keyboard.press('Shift+Tab');
    await p.keyboard.press('Enter');
    await expect.poll(() => range(top)).toBe('Samples 1\u2013100 of 250');
    // Last, at the top, and back to where the cursor left the table.
    await top.getByRole('button', { name: 'Last' }).click();
    await expect.poll(() => range(pages)).toBe('Samples 201\u2013250 of 250');
    expect(await rows.count()).toBe(50);
    expect(await rows.first().getByRole('rowheader').textContent()).toBe('2026-01-05 16:40:00');
    expect(await rows.first().getByRole('cell').textContent()).toBe('250 °F');
    // Next on the last page does nothing and keeps the focus; Previous goes back a page.
    const next = pages.getByRole('button', { name: 'Next' });
    expect(await next.getAttribute('aria-disabled')).toBe('true');
    await next.focus();
    await p.keyboard.press('Enter');
    expect(await p.evaluate<string>('document.activeElement.textContent')).toBe('Next');
    await p.keyboard.press('Shift+Tab');
    expect(await p.evaluate<string>('document.activeElement.textContent')).toBe('Previous');
    await p.keyboard.press('Enter');
    await expect.poll(() => range(pages)).toBe('Samples 101\u2013200 of 250');
    expect(await rows.count()).toBe(100);
    expect(await rows.first().getByRole('rowheader').textContent()).toBe('2026-01-05 08:20:00');
    // Back to the chart, still on the sample the keys left it at.
    await toggle.click();
    await chart.waitFor();
    await expect.poll(async () => (await legend())[1]).toBe('298');
    expect(await said.textContent()).toMatch(/\(249 of 250\)$/);
    // Another range is other samples: the keys start again.
    await p.goto(`${origin(open)}/#/history?ids=kbd-temp&range=custom&from=2026-01-04&to=2026-01-05`);
    await expect.poll(() => p.locator('.his-status').textContent()).toBe('250 samples (UTC)');
    await chart.waitFor();
    await expect.poll(() => said.textContent()).toBe('');
    await chart.focus();
    await p.keyboard.press('ArrowRight');
    await expect.poll(() => said.textContent()).toBe('2026-01-05 00:00:00: Kbd temp 50 °F (1 of 250)');
    await p.close();
  });

  it('says which points of a chart have nothing to draw: text samples, or none in the range', async () => {
    const day = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 86_400_000;
    const point = (id: string, kind: string) => ({
      op: 'add' as const,
      tags: dict({ id: new Ref(id), dis: id, point: MARKER, his: MARKER, kind, tz: 'UTC' }),
    });
    await open.server.handler.store.commit([point('mode-text', 'Str'), point('never-logged', 'Number')]);
    await open.server.handler.store.hisWrite(
      'mode-text',
      Array.from({ length: 12 }, (_, i) => ({ ts: day + i * 7_200_000, val: i % 2 === 0 ? 'occupied' : 'standby' })),
    );
    const p = await context.newPage();
    watchConsole(p);
    await p.goto(`${origin(open)}/#/history?ids=mode-text,never-logged&range=yesterday`);
    await expect.poll(() => p.locator('.his-status').textContent(), { timeout: 10_000 }).toBe('12 samples (UTC)');
    const notes = p.getByRole('list', { name: 'Not drawn' });
    await expect
      .poll(() => notes.getByRole('listitem').allTextContents())
      .toEqual([
        'mode-text: 12 text samples, not plotted (Download CSV has them)',
        'never-logged: no samples in this range',
      ]);
    await p.close();
  });

  it('shows the keyboard focus with a ring that contrasts with the page, and none around the whole screen', async () => {
    // WCAG's relative luminance of `rgb(r, g, b)` and the contrast ratio of two colours.
    const luminance = (css: string): number => {
      const [r = 0, g = 0, b = 0] = (css.match(/\d+/g) ?? []).map((c) => {
        const v = Number(c) / 255;
        return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const contrast = (a: string, b: string): number => {
      const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
      return ((hi ?? 0) + 0.05) / ((lo ?? 0) + 0.05);
    };
    const focused = async (p: Page): Promise<{ tag: string; style: string; color: string }> =>
      await p.evaluate<{ tag: string; style: string; color: string }>(`(() => {
        const el = document.activeElement;
        const cs = getComputedStyle(el);
        return { tag: el.tagName, style: cs.outlineStyle, color: cs.outlineColor };
      })()`);
    const p = await context.newPage();
    watchConsole(p);
    await p.goto(`${origin(open)}/`);
    await p.getByRole('tree', { name: 'Building' }).waitFor();
    // Skip link, Explore, Query: Enter moves to the query screen, whose content takes the focus.
    for (let i = 0; i < 3; i++) await p.keyboard.press('Tab');
    await p.keyboard.press('Enter');
    await p.getByRole('heading', { name: 'Query' }).waitFor();
    await expect.poll(async () => (await focused(p)).tag).toBe('MAIN');
    expect((await focused(p)).style).toBe('none');
    await p.keyboard.press('Tab');
    const input = await focused(p);
    expect(input).toMatchObject({ tag: 'INPUT', style: 'solid' });
    // Non-text contrast (WCAG 1.4.11): at least 3:1 against the white page.
    expect(contrast(input.color, 'rgb(255, 255, 255)')).toBeGreaterThanOrEqual(3);
    await p.close();
  });

  it('shows a viewer why the users screen is closed to them, without a form that cannot work', async () => {
    const admin = await UsersClient.connect({ url: `${origin(app)}/api/`, credentials: ADMIN, fetch });
    await admin.create({ username: 'vera', password: 'vera-secret-12', role: 'viewer' });
    await admin.close();
    // A new tab has its own sessionStorage: a login of its own.
    const p = await context.newPage();
    watchConsole(p);
    await p.goto(`${origin(app)}/#/users`);
    await p.getByLabel('Username').fill('vera');
    await p.getByLabel('Password').fill('vera-secret-12');
    await p.getByRole('button', { name: 'Log in' }).click();
    await p.getByRole('heading', { name: 'Users' }).waitFor();
    await p.getByText('Only an admin can see and change users; you are logged in as vera.').waitFor();
    await expect.poll(() => p.getByRole('banner').locator('.user').textContent()).toBe('vera (viewer)');
    expect(await p.getByRole('form', { name: 'New user' }).count()).toBe(0);
    expect(await p.getByRole('table').count()).toBe(0);
    // Chromium logs the refused call; that one is expected.
    const refused = problems.findIndex((s) => /status of 403/.test(s) && s.includes('/api/users/'));
    if (refused >= 0) problems.splice(refused, 1);
    // A viewer's write could only be refused: the page says so instead of offering the form.
    await p.goto(`${origin(app)}/#/entity/fan-cmd`);
    await p.getByRole('heading', { name: 'Priority array' }).waitFor();
    await p.getByText('Only an operator or an admin can write; you are logged in as vera (viewer).').waitFor();
    expect(await p.getByRole('button', { name: 'Write' }).count()).toBe(0);
    await p.close();
  });

  it('adds either of two points with the same name to a chart', async () => {
    // Real sites have these (Alpha: 13 names shared by two points each).
    const valve = (id: string) => ({
      op: 'add' as const,
      tags: dict({ id: new Ref(id), dis: 'AHU-5 Hot Water Valve', point: MARKER, his: MARKER, kind: 'Number' }),
    });
    await open.server.handler.store.commit([valve('hwv-1'), valve('hwv-2')]);
    const p = await context.newPage();
    watchConsole(p);
    await p.goto(`${origin(open)}/#/history`);
    const values = async (): Promise<string[]> =>
      (
        await p.evaluate<string[]>(
          "[...document.querySelectorAll('#point-list option')].map((o) => o.getAttribute('value'))",
        )
      ).filter((v) => v.startsWith('AHU-5 Hot Water Valve'));
    // Each suggestion names one point.
    await expect.poll(values).toEqual(['AHU-5 Hot Water Valve @hwv-1', 'AHU-5 Hot Water Valve @hwv-2']);
    const pick = p.getByLabel('Add a point');
    // The name alone is not enough to know which one.
    await pick.fill('AHU-5 Hot Water Valve');
    await p.getByRole('button', { name: 'Add', exact: true }).click();
    await p.getByRole('alert').filter({ hasText: '2 points are named AHU-5 Hot Water Valve' }).waitFor();
    await pick.fill('AHU-5 Hot Water Valve @hwv-2');
    await p.getByRole('button', { name: 'Add', exact: true }).click();
    await expect.poll(() => p.url()).toContain('ids=hwv-2');
    expect(await p.getByRole('alert').count()).toBe(0);
    await p.close();
  });

  it('says a server without authentication has no users to manage', async () => {
    const p = await context.newPage();
    watchConsole(p);
    await p.goto(`${origin(open)}/#/users`);
    await p.getByText('This server runs without logins: it has no users to manage.').waitFor();
    expect(await p.getByRole('button', { name: 'Create user' }).count()).toBe(0);
    // Chromium logs the call the server does not know; that one is expected.
    const unknown = problems.findIndex((s) => /status of 404/.test(s) && s.includes('/api/users/'));
    if (unknown >= 0) problems.splice(unknown, 1);
    await p.close();
  });

  it('moves through the building tree with the arrow keys, as a tree does', async () => {
    const p = await context.newPage();
    watchConsole(p);
    await p.goto(`${origin(open)}/`);
    const tree = p.getByRole('tree', { name: 'Building' });
    await tree.waitFor();
    const active = async (): Promise<string> => await p.evaluate<string>('document.activeElement.textContent');
    const site = tree.getByRole('treeitem').first();
    const siteName = (await site.getAttribute('aria-label')) ?? '';
    await site.getByRole('link', { name: siteName }).focus();
    // Right opens the site, Right again goes to its first child, Down to the next one.
    await p.keyboard.press('ArrowRight');
    await expect.poll(() => site.getAttribute('aria-expanded')).toBe('true');
    const kids = site.getByRole('group').getByRole('treeitem');
    await kids.nth(1).waitFor();
    await p.keyboard.press('ArrowRight');
    expect(await active()).toBe(await kids.nth(0).getAttribute('aria-label'));
    await p.keyboard.press('ArrowDown');
    expect(await active()).toBe(await kids.nth(1).getAttribute('aria-label'));
    await p.keyboard.press('ArrowUp');
    expect(await active()).toBe(await kids.nth(0).getAttribute('aria-label'));
    // Left goes up to the site, Left again closes it.
    await p.keyboard.press('ArrowLeft');
    expect(await active()).toBe(siteName);
    await p.keyboard.press('ArrowLeft');
    await expect.poll(() => site.getAttribute('aria-expanded')).toBe('false');
    // End and Home reach the last and first items.
    await p.keyboard.press('End');
    expect(await active()).toBe(await tree.getByRole('treeitem').last().getAttribute('aria-label'));
    await p.keyboard.press('Home');
    expect(await active()).toBe(siteName);
    await p.close();
  });

  it('keeps each kind in the tag table whole at phone width', async () => {
    const p = await context.newPage();
    watchConsole(p);
    await p.setViewportSize({ width: 360, height: 740 });
    await p.goto(`${origin(open)}/#/entity/hudson.vav1-01.zatSp`);
    await p.getByRole('heading', { name: 'Tags' }).waitFor();
    await expect.poll(() => p.locator('table.tags tbody tr').count()).toBeGreaterThan(10);
    // Kinds whose text the browser laid out on more than one line ("marke" / "r").
    const broken = await p.evaluate<string[]>(`[...document.querySelectorAll('table.tags tbody td:last-child')]
      .filter((td) => { const r = document.createRange(); r.selectNodeContents(td); return r.getClientRects().length > 1; })
      .map((td) => td.textContent)`);
    expect(broken).toEqual([]);
    expect(await p.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')).toBeLessThanOrEqual(0);
    await p.close();
  });

  it('comes Back from an entity to the results where they were: same row, same scroll, same sort', async () => {
    await open.server.handler.store.commit(
      Array.from({ length: 600 }, (_, i) => ({
        op: 'add' as const,
        tags: dict({ id: new Ref(`back-${i}`), dis: `Back ${String(i).padStart(3, '0')}`, backTest: MARKER }),
      })),
    );
    const p = await context.newPage();
    watchConsole(p);
    await p.goto(`${origin(open)}/#/query?filter=backTest`);
    const grid = p.getByRole('grid', { name: 'Entities matching backTest' });
    await grid.waitFor();
    await grid.getByRole('button', { name: 'dis' }).click();
    await grid.getByRole('button', { name: 'dis' }).click();
    await expect
      .poll(() => grid.getByRole('columnheader', { name: /^dis/ }).getAttribute('aria-sort'))
      .toBe('descending');
    // Down the list by keyboard to the 151st row (Back 449), and open it.
    await p.locator('.grid-scroll').focus();
    for (let i = 0; i < 150; i++) await p.keyboard.press('ArrowDown');
    await p.locator('.grid-row.active').filter({ hasText: 'Back 449' }).waitFor();
    const scrollTop = async (): Promise<number> =>
      await p.evaluate<number>("document.querySelector('.grid-scroll').scrollTop");
    const scrolled = await scrollTop();
    expect(scrolled).toBeGreaterThan(2000);
    await p.keyboard.press('Enter');
    await p.getByRole('heading', { name: 'Back 449' }).waitFor();
    await p.goBack();
    await grid.waitFor();
    await p.locator('.grid-row.active').filter({ hasText: 'Back 449' }).waitFor({ timeout: 5_000 });
    expect(await grid.getByRole('columnheader', { name: /^dis/ }).getAttribute('aria-sort')).toBe('descending');
    expect(await scrollTop()).toBe(scrolled);
    await p.close();
  });

  it('renders only the columns in view of a wide grid, with the header over its cells', async () => {
    // Like a read of `point` on a real site: every entity with 60 tags of its own.
    const WIDE = 60;
    await open.server.handler.store.commit(
      Array.from({ length: 200 }, (_, i) => ({
        op: 'add' as const,
        tags: dict({
          id: new Ref(`wide-${i}`),
          dis: `Wide ${String(i).padStart(3, '0')}`,
          wideTest: MARKER,
          ...Object.fromEntries(
            Array.from({ length: WIDE }, (_, t) => [`tag${String(t).padStart(2, '0')}`, new Num(t)]),
          ),
        }),
      })),
    );
    const p = await context.newPage();
    watchConsole(p);
    await p.goto(`${origin(open)}/#/query?filter=wideTest`);
    const grid = p.getByRole('grid', { name: 'Entities matching wideTest' });
    await grid.waitFor();
    // Every column is there to scroll to (id, dis, mod, wideTest and the 60 tags) ...
    expect(await grid.getAttribute('aria-colcount')).toBe(String(WIDE + 4));
    const rows = p.locator('.grid-body [role="row"]');
    await rows.first().waitFor();
    // ... but a row holds only the cells in view and a margin, and the grid's DOM shrinks with it.
    expect(await rows.first().getByRole('gridcell').count()).toBeLessThan(20);
    const nodes = await p.evaluate<number>("document.querySelector('.result-grid').querySelectorAll('*').length");
    expect(nodes).toBeLessThan((await rows.count()) * 20 * 2 + 200);
    // The header's cells sit over the cells of their column, before and after a scroll to the far right.
    const aligned = async (): Promise<number> =>
      await p.evaluate<number>(`(() => {
        const head = [...document.querySelectorAll('.grid-head [role="columnheader"]')];
        const cells = [...document.querySelector('.grid-body [role="row"]').querySelectorAll('[role="gridcell"]')];
        let off = 0;
        for (const h of head) {
          const c = cells.find((x) => x.getAttribute('aria-colindex') === h.getAttribute('aria-colindex'));
          if (c === undefined) return -1;
          off = Math.max(off, Math.abs(h.getBoundingClientRect().left - c.getBoundingClientRect().left));
        }
        return off;
      })()`);
    expect(await aligned()).toBeLessThan(1);
    await p.evaluate("document.querySelector('.grid-scroll').scrollLeft = 1e6");
    await expect
      .poll(() => p.locator('.grid-head [role="columnheader"]').last().getAttribute('aria-colindex'))
      .toBe(String(WIDE + 4));
    expect(await aligned()).toBeLessThan(1);
    expect(await rows.first().getByRole('gridcell').count()).toBeLessThan(20);
    // Back from an entity opened there, the grid is scrolled as far right as it was.
    const scrollLeft = async (): Promise<number> =>
      await p.evaluate<number>("document.querySelector('.grid-scroll').scrollLeft");
    const right = await scrollLeft();
    expect(right).toBeGreaterThan(1000);
    await rows.first().getByRole('gridcell').last().click();
    await p.keyboard.press('Enter');
    await p.getByRole('heading', { name: 'Tags' }).waitFor();
    await p.goBack();
    await grid.waitFor();
    await expect.poll(scrollLeft).toBe(right);
    await p.close();
  });

  it('is a WAI-ARIA grid: one tab stop, arrow keys move the active cell, Enter on a header sorts', async () => {
    const p = await context.newPage();
    watchConsole(p);
    await p.goto(`${origin(open)}/#/query?filter=wideTest`);
    const grid = p.getByRole('grid', { name: 'Entities matching wideTest' });
    await grid.waitFor();
    await p.locator('.grid-body [role="row"]').first().waitFor();
    // The element with the focus is the grid, and it names its active cell.
    await grid.focus();
    const activeCell = async (): Promise<{ role: string; row: string; col: string; text: string }> =>
      await p.evaluate<{ role: string; row: string; col: string; text: string }>(`(() => {
        const g = document.activeElement;
        if (g.getAttribute('role') !== 'grid') return { role: 'not a grid: ' + g.tagName, row: '', col: '', text: '' };
        const c = document.getElementById(g.getAttribute('aria-activedescendant') ?? '');
        if (c === null) return { role: 'none', row: '', col: '', text: '' };
        return { role: c.getAttribute('role'), row: c.parentElement.getAttribute('aria-rowindex'),
          col: c.getAttribute('aria-colindex'), text: c.textContent.trim() };
      })()`);
    expect(await activeCell()).toMatchObject({ role: 'gridcell', row: '2', col: '1' });
    await p.keyboard.press('ArrowRight');
    expect(await activeCell()).toMatchObject({ role: 'gridcell', row: '2', col: '2', text: 'Wide 000' });
    await p.keyboard.press('ArrowDown');
    expect(await activeCell()).toMatchObject({ row: '3', col: '2', text: 'Wide 001' });
    // End and Home stay in the row; with Control they go to the last cell of the last row and to the first cell of
    // the first row, which is the header (a row of the grid), scrolled back to the top.
    await p.keyboard.press('End');
    const cols = (await grid.getAttribute('aria-colcount')) ?? '';
    await expect.poll(async () => (await activeCell()).col).toBe(cols);
    expect(await activeCell()).toMatchObject({ role: 'gridcell', row: '3' });
    await p.keyboard.press('Control+End');
    await expect.poll(async () => (await activeCell()).row).toBe('201');
    expect((await activeCell()).col).toBe(cols);
    const scrollTop = async (): Promise<number> => await grid.evaluate((el) => el.scrollTop);
    expect(await scrollTop()).toBeGreaterThan(0);
    await p.keyboard.press('Control+Home');
    await expect.poll(async () => (await activeCell()).row).toBe('1');
    expect(await activeCell()).toMatchObject({ role: 'columnheader', col: '1', text: 'id' });
    expect(await scrollTop()).toBe(0);
    // Page Down from the header moves a page of rows; Page Up stops at the first row, the header, as Up does.
    await p.keyboard.press('PageDown');
    const paged = Number((await activeCell()).row);
    expect(paged).toBeGreaterThan(6);
    // A page away, the active row is drawn only once the grid has scrolled to it: until then there is no cell.
    await p.keyboard.press('PageDown');
    await expect.poll(async () => Number((await activeCell()).row) - paged).toBe(paged - 1);
    await p.keyboard.press('PageUp');
    await expect.poll(async () => (await activeCell()).row).toBe(String(paged));
    await p.keyboard.press('PageUp');
    expect(await activeCell()).toMatchObject({ role: 'columnheader', row: '1' });
    await p.keyboard.press('ArrowDown');
    expect((await activeCell()).row).toBe('2');
    // Up from the first row reaches the header; Enter there sorts by that column.
    await p.keyboard.press('ArrowRight');
    await p.keyboard.press('ArrowUp');
    expect(await activeCell()).toMatchObject({ role: 'columnheader', row: '1', col: '2' });
    await p.keyboard.press('Enter');
    await p.keyboard.press('Enter');
    await expect
      .poll(() => grid.getByRole('columnheader', { name: /^dis/ }).getAttribute('aria-sort'))
      .toBe('descending');
    await p.keyboard.press('ArrowDown');
    expect(await activeCell()).toMatchObject({ row: '2', text: 'Wide 199' });
    // The grid is one stop of the Tab order: the links in its cells are not.
    await p.keyboard.press('Tab');
    expect(await p.evaluate<boolean>('document.activeElement.closest(\'[role="grid"]\') === null')).toBe(true);
    await p.close();
  });

  it('at phone width, shows a point name whole in the grid and the full text of a cut-off cell on hover', async () => {
    const p = await context.newPage();
    watchConsole(p);
    await p.setViewportSize({ width: 360, height: 740 });
    await p.goto(`${origin(open)}/#/query?filter=${encodeURIComponent('point and equipRef')}`);
    await p.getByRole('grid').waitFor();
    const dis = p.locator('.grid-body [role="row"]').first().locator('[aria-colindex="2"]');
    await dis.waitFor();
    // The names of a site's points share their start ("Hudson Tower VAV-1-01 ..."): cut after 15 characters, every
    // row looked the same.
    const cut = async (): Promise<boolean> =>
      await dis.evaluate((el) => {
        const inner = el.firstElementChild ?? el;
        return inner.getBoundingClientRect().width > el.clientWidth;
      });
    expect((await dis.textContent())?.trim().length).toBeGreaterThan(25);
    expect(await cut()).toBe(false);
    expect(await p.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')).toBeLessThanOrEqual(0);
    // A cell too narrow for its text offers all of it as its title.
    const id = p.locator('.grid-body [role="row"]').first().locator('[aria-colindex="1"]');
    expect(await id.getAttribute('title')).toBe((await id.textContent())?.trim());
    await p.close();
  });

  it('says that no entity matches a filter, rather than showing nothing', async () => {
    const p = await context.newPage();
    watchConsole(p);
    await p.goto(`${origin(open)}/#/query?filter=noSuchTagAnywhere`);
    await p.getByRole('status').filter({ hasText: 'No entity matches noSuchTagAnywhere' }).waitFor();
    expect(await p.getByRole('grid').count()).toBe(0);
    await p.close();
  });

  it('without authentication, lets only its own pages write or open a socket (no CSRF from other sites)', async () => {
    // What any page can do to a server on this machine: a no-cors POST of text/plain (read as Zinc), a WebSocket.
    const attack = async (target: string, level: number): Promise<{ post: number; socket: string }> =>
      await p.evaluate<{ post: number; socket: string }>(
        `(async () => {
          const r = await fetch('${target}/api/pointWrite', { method: 'POST', mode: 'no-cors',
            headers: { 'content-type': 'text/plain' }, body: 'ver:"3.0"\\nid,level,val\\n@csrf-sp,${level},99\\n' });
          const socket = await new Promise((resolve) => {
            const ws = new WebSocket('${target.replace('http', 'ws')}/api/ws', 'haystack');
            ws.onopen = () => { ws.close(); resolve('open'); };
            ws.onerror = () => resolve('refused');
          });
          return { post: r.status, socket };
        })()`,
      );
    const levels = async (): Promise<unknown> =>
      (await open.server.handler.store.readByIds(['csrf-sp']))[0]?.get('writeLevel');
    const p = await context.newPage();
    // A page of another origin, with no CSP of ours to stop its requests (its refused socket is logged, as it should be).
    const elsewhere = createServer((_req, res) => res.end('<!doctype html><title>elsewhere</title>'));
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    try {
      await p.goto(`http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/`);
      expect(await attack(origin(open), 8)).toEqual({ post: 0, socket: 'refused' });
    } finally {
      elsewhere.close();
    }
    expect(await levels()).toBeNull();
    // The server's own page may (the UI writes this way, and keeps its socket).
    await p.goto(`${origin(open)}/`);
    expect(await attack(origin(open), 9)).toEqual({ post: 200, socket: 'open' });
    expect(String(await levels())).toBe('9');
    await p.close();
  });

  it('comes Back from an entity to the building tree as it was left: the same nodes open, on the same point', async () => {
    const p = await context.newPage();
    watchConsole(p);
    await p.setViewportSize({ width: 1280, height: 600 });
    await p.goto(`${origin(open)}/`);
    const tree = p.getByRole('tree', { name: 'Building' });
    const site = tree.getByRole('treeitem').first();
    await site.getByRole('button', { name: /^Expand/ }).click();
    // An equipment far enough down for its points to be below the first screen.
    const equip = site.getByRole('group').getByRole('treeitem').nth(10);
    const equipName = (await equip.getAttribute('aria-label')) ?? '';
    await equip.getByRole('button', { name: /^Expand/ }).click();
    const point = equip.getByRole('group').getByRole('link').nth(3);
    const pointName = (await point.textContent()) ?? '';
    await point.click();
    await p.getByRole('heading', { name: 'Tags' }).waitFor();
    await p.goBack();
    // The site and the equipment are open again, and the point the user left by has the focus, in view.
    await expect.poll(() => p.evaluate<string | null>('document.activeElement.textContent')).toBe(pointName);
    expect(await tree.locator('[role="treeitem"][aria-expanded="true"]').evaluateAll((els) => els.length)).toBe(2);
    expect(await equip.getAttribute('aria-expanded')).toBe('true');
    const box = await p.getByRole('link', { name: pointName, exact: true }).boundingBox();
    expect(box !== null && box.y >= 0 && box.y + box.height <= 600).toBe(true);
    // A node closed stays closed the next time the tree is shown; the focus moves only if the user has not moved it.
    await p.getByRole('button', { name: `Collapse ${equipName}` }).click();
    await p.getByRole('link', { name: 'Query' }).click();
    await p.getByRole('link', { name: 'Explore' }).click();
    await site.getByRole('group').waitFor();
    expect(await equip.getAttribute('aria-expanded')).toBe('false');
    expect(await site.getAttribute('aria-expanded')).toBe('true');
    await p.close();
  });

  it('names each screen in the page title, for the tabs, the bookmarks and the list of Back', async () => {
    const p = await context.newPage();
    watchConsole(p);
    const title = (): Promise<string> => p.title();
    await p.goto(`${origin(open)}/`);
    await p.getByRole('tree', { name: 'Building' }).waitFor();
    await expect.poll(title).toBe('Explore \u2013 haystack-ts');
    await p.getByRole('link', { name: 'Query' }).click();
    await expect.poll(title).toBe('Query \u2013 haystack-ts');
    await p.getByLabel('Filter').fill('site');
    await p.getByRole('button', { name: 'Run' }).click();
    await expect.poll(title).toBe('Query: site \u2013 haystack-ts');
    // An entity by its name once it has arrived; by its id until then.
    await p.evaluate("location.hash = '#/entity/hudson.vav1-01.zat'");
    await expect.poll(title).toBe('Hudson Tower VAV-1-01 Zone Temp \u2013 haystack-ts');
    await p.evaluate("location.hash = '#/entity/no-such-entity'");
    await expect.poll(title).toBe('@no-such-entity \u2013 haystack-ts');
    await p.getByRole('link', { name: 'History' }).click();
    await expect.poll(title).toBe('History \u2013 haystack-ts');
    await p.getByRole('link', { name: 'Explore' }).click();
    await expect.poll(title).toBe('Explore \u2013 haystack-ts');
    // Back to a screen names it again.
    await p.goBack();
    await p.goBack();
    await p.goBack();
    await expect.poll(title).toBe('Hudson Tower VAV-1-01 Zone Temp \u2013 haystack-ts');
    await p.goBack();
    await expect.poll(title).toBe('Query: site \u2013 haystack-ts');
    await p.close();
  });
  it('says why the live values are offline behind a focusable disclosure, and to reload for a new server version', async () => {
    // A server updated since the page was loaded has no file of the old build: the socket's and the History
    // screen's chunks answer 404 every time. A context of its own, so that nothing comes from another page's cache;
    // the 404s are the console errors expected here, and a page error is still a failure.
    const ctx = await browser.newContext();
    const p = await ctx.newPage();
    p.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    const gone = [chunkOf('src/ui/history-view.ts'), chunkOf('src/client/ws-connection.ts')];
    await p.route(
      (url) => gone.some((f) => url.pathname.endsWith(`/ui/${f}`)),
      (route) => route.fulfill({ status: 404, body: 'not found' }),
    );
    await p.goto(`${origin(open)}/#/history`);
    await p.getByRole('status').filter({ hasText: 'Live: offline' }).waitFor();
    // The reason is not in a hover tooltip: a button discloses it, and describes itself with it.
    expect(await p.locator('[title]').count()).toBe(0);
    const why = p.getByRole('button', { name: 'Why offline?' });
    const reasonId = (await why.getAttribute('aria-describedby')) ?? '';
    const reason = p.locator(`[id="${reasonId}"]`);
    expect(await reason.textContent()).toContain('ws-reconnecting');
    expect(await why.getAttribute('aria-expanded')).toBe('false');
    expect(await reason.isVisible()).toBe(false);
    await why.focus();
    await p.keyboard.press('Enter');
    expect(await why.getAttribute('aria-expanded')).toBe('true');
    expect(await reason.isVisible()).toBe(true);
    await p.keyboard.press('Space');
    expect(await reason.isVisible()).toBe(false);
    // A 404 is for good: the page says a reload is what helps, and offers it.
    const notice = p.getByRole('alert').filter({ hasText: 'A new version of the server is running: reload' });
    await notice.waitFor();
    await p.getByText('Cannot load the history screen').waitFor();
    await p.unrouteAll();
    await notice.getByRole('button', { name: 'Reload' }).click();
    await p.getByRole('status').filter({ hasText: 'Live: connected' }).waitFor();
    await p.getByRole('heading', { name: 'History' }).waitFor();
    expect(await p.getByRole('alert').count()).toBe(0);
    expect(await p.getByRole('button', { name: 'Why offline?' }).count()).toBe(0);
    await ctx.close();
  });

  it('tells of a new server version on the login screen when the login code is gone (404)', async () => {
    const ctx = await browser.newContext();
    const p = await ctx.newPage();
    p.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    const login = (url: URL): boolean => url.pathname.endsWith(`/ui/${chunkOf('src/client/scram-login.ts')}`);
    await p.route(login, (route) => route.fulfill({ status: 404, body: 'not found' }));
    await p.goto(`${origin(app)}/`);
    await p.getByLabel('Username').fill(ADMIN.username);
    await p.getByLabel('Password').fill(ADMIN.password);
    await p.getByRole('button', { name: 'Log in' }).click();
    const notice = p.getByRole('alert').filter({ hasText: 'A new version of the server is running: reload' });
    await notice.waitFor();
    await p.getByRole('alert').filter({ hasText: 'login code could not be loaded' }).waitFor();
    await p.unrouteAll();
    await notice.getByRole('button', { name: 'Reload' }).click();
    await p.getByLabel('Username').fill(ADMIN.username);
    await p.getByLabel('Password').fill(ADMIN.password);
    await p.getByRole('button', { name: 'Log in' }).click();
    await p.getByRole('tree', { name: 'Building' }).waitFor();
    expect(await p.getByRole('alert').count()).toBe(0);
    await ctx.close();
  });

  it('does not tell a server restarting (503) for a new version', async () => {
    const ctx = await browser.newContext();
    const p = await ctx.newPage();
    p.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    const history = chunkOf('src/ui/history-view.ts');
    const answered = p.waitForEvent(
      'response',
      (r) => r.url().endsWith(`/ui/${history}`) && r.request().method() === 'HEAD',
    );
    await p.route(
      (url) => url.pathname.endsWith(`/ui/${history}`),
      (route) => route.fulfill({ status: 503, body: 'restarting' }),
    );
    await p.goto(`${origin(open)}/#/history`);
    await p.getByRole('alert').filter({ hasText: 'Cannot load the history screen' }).waitFor();
    // The page asked whether the file is gone, and heard it is not.
    expect((await answered).status()).toBe(503);
    expect(await p.getByText('A new version of the server is running').count()).toBe(0);
    await ctx.close();
  });

  it('at phone width, keeps each chart legend label on one line with its value, and the pager clear of the tools', async () => {
    const day = Date.UTC(2026, 0, 7);
    const long = (id: string, dis: string) => ({
      op: 'add' as const,
      tags: dict({ id: new Ref(id), dis, point: MARKER, his: MARKER, kind: 'Number', tz: 'UTC', unit: '°F' }),
    });
    await open.server.handler.store.commit([
      long('phone-a', 'Hudson Tower AHU-1 Discharge Air Temperature Sensor'),
      long('phone-b', 'Hudson Tower AHU-1 Return Air Temp'),
    ]);
    for (const id of ['phone-a', 'phone-b'])
      await open.server.handler.store.hisWrite(
        id,
        Array.from({ length: 150 }, (_, i) => ({ ts: day + i * 300_000, val: new Num(55.25 + i, '°F') })),
      );
    const p = await context.newPage();
    watchConsole(p);
    await p.setViewportSize({ width: 360, height: 740 });
    await p.goto(`${origin(open)}/#/history?ids=phone-a,phone-b&range=custom&from=2026-01-07&to=2026-01-07`);
    await p.locator('.chart canvas').waitFor();
    // The keys place the cursor, so the legend shows a value beside each label.
    await p.getByRole('application', { name: /History chart/ }).focus();
    await p.keyboard.press('End');
    await expect.poll(() => p.locator('.u-legend .u-series td.u-value').last().textContent()).toContain('204.25');
    interface Box {
      readonly top: number;
      readonly height: number;
      readonly left: number;
      readonly right: number;
    }
    const rows = await p.evaluate<
      { label: Box; value: Box; line: number }[]
    >(`[...document.querySelectorAll('.u-legend .u-series')].map((tr) => ({
      label: tr.querySelector('th').getBoundingClientRect().toJSON(),
      value: tr.querySelector('td').getBoundingClientRect().toJSON(),
      line: parseFloat(getComputedStyle(tr.querySelector('td')).lineHeight) || 20,
    }))`);
    expect(rows.length).toBe(3);
    for (const { label, value, line } of rows) {
      // One line each (the label with its colon), side by side: neither sits below the other.
      expect(label.height).toBeLessThan(line * 1.6 + 8);
      expect(Math.abs(label.top + label.height / 2 - (value.top + value.height / 2))).toBeLessThan(4);
      expect(value.left).toBeGreaterThanOrEqual(label.right - 1);
      expect(value.right).toBeLessThanOrEqual(360);
    }
    expect(await p.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')).toBeLessThanOrEqual(0);
    // The table's top pager stands clear of the buttons above it.
    await p.getByRole('button', { name: 'Show as table' }).click();
    const tools = await p.locator('.his-tools').boundingBox();
    const pager = await p.getByRole('navigation', { name: 'Sample pages, top' }).boundingBox();
    expect((pager?.y ?? 0) - ((tools?.y ?? 0) + (tools?.height ?? 0))).toBeGreaterThanOrEqual(8);
    await p.close();
  });

  it('adds a point typed while the point list is still loading, once it has loaded', async () => {
    const p = await context.newPage();
    watchConsole(p);
    // The list of points with a history is held back until the test lets it go.
    let release = (): void => undefined;
    const held = new Promise<void>((r) => (release = r));
    let asked = (): void => undefined;
    const askedFor = new Promise<void>((r) => (asked = r));
    await p.route(
      (url) => url.pathname.endsWith('/api/read') && (url.searchParams.get('filter') ?? '').includes('point and his'),
      async (route) => {
        asked();
        await held;
        await route.continue();
      },
    );
    await p.goto(`${origin(open)}/#/history`);
    await askedFor;
    const pick = p.getByLabel('Add a point');
    await pick.fill('Hudson Tower VAV-1-01 Zone Temp');
    await p.getByRole('button', { name: 'Add', exact: true }).click();
    // Not "no point is named": the list is not there yet to say so.
    await p.getByRole('status').filter({ hasText: 'Waiting for the list of points' }).waitFor({ timeout: 10_000 });
    expect(await p.getByRole('alert').count()).toBe(0);
    expect(p.url()).not.toContain('ids=hudson');
    release();
    await expect.poll(() => p.url()).toContain('ids=hudson.vav1-01.zat');
    await p.getByRole('link', { name: 'Hudson Tower VAV-1-01 Zone Temp' }).waitFor();
    expect(await p.getByRole('alert').count()).toBe(0);
    expect(await pick.inputValue()).toBe('');
    await p.unrouteAll();
    await p.close();
  });
});
