// The web UI in Debian's chromium as an engineer uses it on the demo building: at phone width, with the keyboard,
// and while the server cannot be reached; fails on any console error it does not expect.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildUi, type UiBuild } from '../../scripts/build-ui.js';
import { type AppConfig, type RunningApp, startApp } from '../../src/app/index.js';
import { UsersClient } from '../../src/client/users-client.js';
import { dict } from '../../src/core/grid/dict.js';
import { MARKER } from '../../src/core/kinds/marker.js';
import { Num } from '../../src/core/kinds/number.js';
import { Ref } from '../../src/core/kinds/ref.js';
import { chromiumAvailable, launchChromium } from '../client/browser/harness.js';
import { QUIET, uiAppConfig } from '../support/ui-app.js';

const ADMIN = { username: 'ops', password: 'in-use-secret-1' };
const appConfig = (uiDir: string, auth = false): AppConfig => uiAppConfig(uiDir, auth, ADMIN);

/** A Number point tagged `his` (samples are written by each test), in `tz`, named `dis`. */
function hisPoint(id: string, dis: string, tz: string, unit: string) {
  return {
    op: 'add' as const,
    tags: dict({ id: new Ref(id), dis, point: MARKER, his: MARKER, kind: 'Number', tz, unit }),
  };
}

/**
 * How many pixels of the first series' colour (#1f77b4) the chart's canvas has in its column at `fraction` of the
 * plot's width: whether a line passes there.
 */
function linePixelsAt(p: Page, fraction: number): Promise<number> {
  return p.evaluate<number>(`(() => {
    const canvas = document.querySelector('.chart canvas');
    const over = document.querySelector('.chart .u-over').getBoundingClientRect();
    const box = canvas.getBoundingClientRect();
    const scale = canvas.width / box.width;
    const x = Math.round((over.left - box.left + ${fraction} * over.width) * scale);
    const px = canvas.getContext('2d').getImageData(x, 0, 1, canvas.height).data;
    let n = 0;
    for (let i = 0; i < px.length; i += 4) if (px[i + 2] > 150 && px[i] < 110 && px[i + 3] > 0) n++;
    return n;
  })()`);
}

/**
 * Records in the page each state of the live badge and of its reason (`text|open|reason`, `-` when not shown): a
 * failed retry may take it out of a state between two looks of the test, so the test reads what was shown instead.
 */
async function recordLive(p: Page): Promise<() => Promise<string[]>> {
  await p.addInitScript(`window.liveSeen = [];
    new MutationObserver(() => {
      const badge = document.querySelector('.live-badge');
      const why = document.getElementById('live-why');
      const seen = [badge ? badge.textContent : '', why ? (why.hidden ? 'closed' : 'open') : '-', why ? why.textContent : '']
        .join('|');
      if (window.liveSeen[window.liveSeen.length - 1] !== seen) window.liveSeen.push(seen);
    }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });`);
  return () => p.evaluate<string[]>('window.liveSeen');
}

/**
 * Routes the page's live sockets to the server until the test stops it: then its sockets close (1001, going away)
 * and new ones are refused with `why` (1013, try again later), until it starts again.
 */
async function stoppableSockets(p: Page): Promise<{ stop: (why: string) => Promise<void>; start: () => void }> {
  let refusal: string | undefined;
  const open = new Set<WebSocketRoute>();
  await p.routeWebSocket('**/api/ws', (ws) => {
    if (refusal !== undefined) {
      void ws.close({ code: 1013, reason: refusal });
      return;
    }
    ws.connectToServer();
    open.add(ws);
  });
  return {
    stop: async (why) => {
      refusal = why;
      for (const ws of open) await ws.close({ code: 1001, reason: 'shutting down' });
      open.clear();
    },
    start: () => {
      refusal = undefined;
    },
  };
}

describe.skipIf(!chromiumAvailable())('web UI in use, in headless chromium', () => {
  let built: UiBuild;
  let app: RunningApp;
  let browser: Browser;
  const problems: string[] = [];
  let origin = '';

  const watchConsole = (p: Page, expected: RegExp = /$^/): void => {
    p.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    p.on('console', (msg) => {
      if (msg.type() === 'error' && !expected.test(msg.text())) problems.push(`console: ${msg.text()}`);
    });
  };

  beforeAll(async () => {
    built = await buildUi(mkdtempSync(path.join(tmpdir(), 'haystack-ui-use-')));
    app = await startApp(appConfig(built.dir), QUIET);
    origin = `http://127.0.0.1:${app.address.port}`;
    // Names whose unit just fills a line at 390 px (37 and 72 letters): the remove button came next, alone on a line.
    await app.server.handler.store.commit([
      hisPoint('chip-a', 'Hudson Tower AHU-1 Discharge Air Temp', 'UTC', '°F'),
      hisPoint('chip-b', 'Hudson Tower AHU-1 Discharge Air Temperature Sensor Mixed Air Damper Pos', 'UTC', '°F'),
      hisPoint('chip-c', 'Hudson Tower AHU-1 Return Air Temp', 'UTC', '°F'),
    ]);
    browser = await launchChromium();
  }, 120_000);

  afterEach(() => {
    expect(problems.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    const started = { browser, app, built } as Partial<{ browser: Browser; app: RunningApp; built: UiBuild }>;
    await started.browser?.close();
    await started.app?.close();
    if (started.built !== undefined) rmSync(started.built.dir, { recursive: true, force: true });
  });

  it('at phone width, keeps the remove button of each plotted point on the line of its name', async () => {
    const p = await browser.newPage({ viewport: { width: 390, height: 844 } });
    watchConsole(p);
    await p.goto(`${origin}/#/history?ids=chip-a,chip-b,chip-c&range=today`);
    await p.getByRole('link', { name: 'Hudson Tower AHU-1 Return Air Temp' }).waitFor();
    interface Box {
      readonly top: number;
      readonly bottom: number;
      readonly left: number;
      readonly right: number;
    }
    // Per chip: the last line of its text (name and unit), and its x.
    const boxes = await p.evaluate<{ chip: Box; text: Box; x: Box }[]>(`[...document.querySelectorAll('.chips li')]
      .map((li) => {
        const x = li.querySelector('button');
        const text = document.createRange();
        text.setStartBefore(li.firstChild);
        text.setEndBefore(x);
        const lines = [...text.getClientRects()].filter((r) => r.width > 0);
        const bottom = Math.max(...lines.map((r) => r.bottom));
        const last = lines.filter((r) => r.bottom > bottom - 4);
        return {
          chip: li.getBoundingClientRect().toJSON(),
          text: { top: Math.min(...last.map((r) => r.top)), bottom, left: Math.min(...last.map((r) => r.left)),
            right: Math.max(...last.map((r) => r.right)) },
          x: x.getBoundingClientRect().toJSON(),
        };
      })`);
    expect(boxes.length).toBe(3);
    for (const { chip, text, x } of boxes) {
      // The x beside the end of the text, on its line, inside its chip: not alone on a line below it.
      expect(x.top).toBeLessThan(text.bottom);
      expect(x.bottom).toBeGreaterThan(text.top);
      expect(x.left).toBeGreaterThanOrEqual(text.right - 1);
      expect(x.right).toBeLessThanOrEqual(chip.right);
      expect(chip.right).toBeLessThanOrEqual(390);
    }
    expect(await p.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')).toBeLessThanOrEqual(0);
    await p.close();
  });

  it('follows the values on screen once the live socket connects, after their watch timed out meanwhile', async () => {
    const p = await browser.newPage();
    // A WebSocket the server side refuses (the server away, a proxy without WebSockets) until the test lets it through;
    // Chromium logs each refused one.
    watchConsole(p, /WebSocket/);
    let through = false;
    await p.routeWebSocket('**/api/ws', (ws) => {
      if (through) ws.connectToServer();
      else void ws.close({ code: 1011, reason: 'away' });
    });
    const seen = await recordLive(p);
    // The page's timers run on a clock the test moves: the watch's 30 s wait, the reconnect backoff.
    await p.clock.install();
    await p.goto(`${origin}/#/entity/hudson.vav1-02.zat`);
    await p.getByRole('heading', { name: 'Tags' }).waitFor();
    const badge = p.locator('.live-badge');
    // The watch's opening waited for the socket, then gave up.
    const timedOut = async (): Promise<boolean> => (await seen()).some((s) => s.startsWith('Live: offline|'));
    for (let i = 0; i < 40 && !(await timedOut()); i++) await p.clock.runFor(1_000);
    expect(await timedOut()).toBe(true);
    through = true;
    for (let i = 0; i < 120 && (await badge.textContent()) !== 'Live: connected'; i++) await p.clock.runFor(1_000);
    expect(await badge.textContent()).toBe('Live: connected');
    await app.server.handler.store.commit([
      { op: 'update', id: 'hudson.vav1-02.zat', changes: dict({ curVal: new Num(81.5, '°F') }) },
    ]);
    await expect.poll(() => p.locator('.cur-val').textContent()).toBe('81.5 °F');
    await p.close();
  });

  it('opens the reason the live values are offline only when asked, each time they go offline', async () => {
    const ctx = await browser.newContext();
    const p = await ctx.newPage();
    watchConsole(p, /Failed to load resource|WebSocket/);
    // First the socket's code cannot be fetched; then it can, but no socket gets through (the server away).
    const socketCode = (url: URL): boolean =>
      url.pathname.endsWith(
        `/ui/${built.chunks.find((c) => c.modules.some((m) => m.endsWith('src/client/ws-connection.ts')))?.file ?? 'none'}`,
      );
    await p.route(socketCode, (route) => route.abort());
    await p.routeWebSocket('**/api/ws', (ws) => {
      void ws.close({ code: 1011, reason: 'away' });
    });
    const seen = await recordLive(p);
    await p.clock.install();
    await p.goto(`${origin}/#/entity/hudson.vav1-01.zat`);
    const badge = p.locator('.live-badge');
    const why = p.getByRole('button', { name: 'Why offline?' });
    const reason = p.locator('#live-why');
    await why.waitFor();
    await why.focus();
    await p.keyboard.press('Enter');
    expect(await reason.isVisible()).toBe(true);
    // A retry: the code arrives with the next entity shown, the socket retries, and its watch gives up waiting.
    await p.unroute(socketCode);
    await p.evaluate("location.hash = '#/entity/hudson.vav1-02.zat'");
    await expect.poll(() => badge.textContent()).toBe('Live: reconnecting');
    const timedOut = async (): Promise<string[]> => (await seen()).filter((s) => s.includes('timed out'));
    for (let i = 0; i < 40 && (await timedOut()).length === 0; i++) await p.clock.runFor(1_000);
    // Offline again, for another reason: said on asking, not opened by itself.
    expect(await timedOut()).toEqual([
      'Live: offline|closed|Live values are not updated: WebSocket reconnect: timed out',
    ]);
    await ctx.close();
  });

  /**
   * A New_York point in °F logged every 5 minutes from 00:00 to 06:00 and from 12:00 to 18:00 on 2026-01-`day`
   * (the logger down in between), with `tags` besides, shown on the History screen for that day: its page.
   */
  async function plotTwoRuns(id: string, day: number, tags: Readonly<Record<string, string>> = {}): Promise<Page> {
    const midnight = Date.UTC(2026, 0, day, 5);
    const run = (from: number, base: number) =>
      Array.from({ length: 73 }, (_, i) => ({ ts: from + i * 300_000, val: new Num(base + (i % 10), '°F') }));
    const add = hisPoint(id, `${id} zone temp`, 'New_York', '°F');
    const all = Object.entries(tags).reduce((d, [k, v]) => d.set(k, v), add.tags);
    await app.server.handler.store.commit([{ ...add, tags: all }]);
    await app.server.handler.store.hisWrite(id, [...run(midnight, 50), ...run(midnight + 12 * 3_600_000, 60)]);
    const p = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    watchConsole(p);
    const date = `2026-01-${String(day).padStart(2, '0')}`;
    await p.goto(`${origin}/#/history?ids=${id}&range=custom&from=${date}&to=${date}`);
    await p.locator('.chart canvas').waitFor();
    await p.getByRole('status').filter({ hasText: '146 samples' }).waitFor();
    return p;
  }

  it('breaks a chart line where a point logged nothing for hours, instead of a ramp across the gap', async () => {
    const p = await plotTwoRuns('gappy', 7);
    // The line's colour (#1f77b4) in the column at 09:00, halfway along the plot (00:00 to 18:00), and at 03:00.
    await expect.poll(() => linePixelsAt(p, 1 / 6)).toBeGreaterThan(0);
    expect(await linePixelsAt(p, 0.5)).toBe(0);
    // The samples themselves are all there, for the keys and the table.
    await p.getByRole('application', { name: /History chart/ }).focus();
    await p.keyboard.press('End');
    await expect.poll(() => p.locator('.his-cursor').textContent()).toContain('(146 of 146)');
    await p.close();
  });

  it('holds a cov point (logged on change) at its last value across hours without a sample: steps, no break', async () => {
    const p = await plotTwoRuns('covpt', 8, { hisMode: 'cov' });
    // The line's colour in the column at 09:00, halfway along the plot: the 06:00 value is held until 12:00.
    await expect.poll(() => linePixelsAt(p, 1 / 6)).toBeGreaterThan(0);
    expect(await linePixelsAt(p, 0.5)).toBeGreaterThan(0);
    await p.close();
  });

  it('keeps the keyboard focus among the plotted points as they are removed, then in the box to add one', async () => {
    const p = await browser.newPage();
    watchConsole(p);
    await p.goto(`${origin}/#/history?ids=chip-a,chip-b,chip-c&range=today`);
    const removeOf = (name: string) => p.getByRole('button', { name: `Remove ${name}`, exact: true });
    const focused = (): Promise<string> =>
      p.evaluate<string>("document.activeElement.getAttribute('aria-label') ?? document.activeElement.id");
    await removeOf('Hudson Tower AHU-1 Discharge Air Temp').focus();
    await p.keyboard.press('Enter');
    // The next point's remove button takes the place of the one removed; after the last, the one before it.
    await expect.poll(() => p.url()).toContain('ids=chip-b%2Cchip-c');
    await expect.poll(focused).toBe('Remove Hudson Tower AHU-1 Discharge Air Temperature Sensor Mixed Air Damper Pos');
    await removeOf('Hudson Tower AHU-1 Return Air Temp').focus();
    await p.keyboard.press('Enter');
    await expect.poll(focused).toBe('Remove Hudson Tower AHU-1 Discharge Air Temperature Sensor Mixed Air Damper Pos');
    await p.keyboard.press('Enter');
    await expect.poll(focused).toBe('point-pick');
    await p.close();
  });

  it('says once that the server cannot be reached, without reading out each second of the wait to the next try', async () => {
    const ctx = await browser.newContext();
    const p = await ctx.newPage();
    watchConsole(p, /Failed to load resource/);
    await p.route('**/api/**', (route) => route.abort('connectionrefused'));
    await p.goto(`${origin}/`);
    await p.getByRole('alert').filter({ hasText: 'Cannot reach the server' }).waitFor();
    const wait = p.getByText(/Trying again in \d+ s/);
    await wait.waitFor();
    // The count changes every second: in a live region a screen reader would read each one out.
    const live = await wait.evaluate(
      (el) =>
        el.closest('[role=status], [role=alert], [role=log], [aria-live]:not([aria-live=off])')?.outerHTML ?? null,
    );
    expect(live).toBeNull();
    await p.getByRole('button', { name: 'Try now' }).waitFor();
    await ctx.close();
  });

  it('keeps the keyboard focus in the users table as users are deleted', async () => {
    const secured = await startApp(appConfig(built.dir, true), QUIET);
    const at = `http://127.0.0.1:${secured.address.port}`;
    try {
      const admin = await UsersClient.connect({ url: `${at}/api/`, credentials: ADMIN, fetch });
      for (const username of ['pia', 'quin', 'rolf'])
        await admin.create({ username, password: `${username}-secret-12`, role: 'viewer' });
      await admin.close();
      const p = await browser.newPage();
      // Chromium logs the login handshake's 401 challenge.
      watchConsole(p, /status of 401/);
      p.on('dialog', (d) => {
        void d.accept();
      });
      await p.goto(`${at}/#/users`);
      await p.getByLabel('Username').fill(ADMIN.username);
      await p.getByLabel('Password').fill(ADMIN.password);
      await p.getByRole('button', { name: 'Log in' }).click();
      const deletes = p.locator('.users-table tbody button');
      await expect.poll(() => deletes.count()).toBe(4);
      const names = await deletes.evaluateAll((bs) => bs.map((b) => b.getAttribute('aria-label') ?? ''));
      expect(names).toEqual(['Delete ops', 'Delete pia', 'Delete quin', 'Delete rolf']);
      const focused = (): Promise<string | null> =>
        p.evaluate<string | null>("document.activeElement.getAttribute('aria-label')");
      // A deleted row takes its focused button with it: the focus goes to the row now in its place, else the one before.
      const second = names[1] ?? '';
      await p.getByRole('button', { name: second, exact: true }).focus();
      await p.keyboard.press('Enter');
      await expect.poll(() => deletes.count()).toBe(3);
      await expect.poll(focused).toBe(names[2]);
      const last = names[3] ?? '';
      await p.getByRole('button', { name: last, exact: true }).focus();
      await p.keyboard.press('Enter');
      await expect.poll(() => deletes.count()).toBe(2);
      await expect.poll(focused).toBe(names[2]);
      await p.close();
    } finally {
      await secured.close();
    }
  });

  it('plots a point named twice in a pasted address once', async () => {
    const p = await browser.newPage();
    watchConsole(p);
    await p.goto(`${origin}/#/history?ids=hudson.vav1-01.zat,hudson.vav1-01.zatSp,hudson.vav1-01.zat&range=today`);
    await p.getByRole('link', { name: 'Hudson Tower VAV-1-01 Zone Temp Sp' }).waitFor();
    await p
      .getByRole('status')
      .filter({ hasText: /samples/ })
      .waitFor();
    // Not a second chip for it, nor a second line said to have no samples (a batch read answers a point once).
    expect(await p.getByRole('list', { name: 'Points plotted' }).getByRole('listitem').count()).toBe(2);
    expect(await p.getByRole('list', { name: 'Not drawn' }).count()).toBe(0);
    await p.getByRole('button', { name: 'Remove Hudson Tower VAV-1-01 Zone Temp Sp', exact: true }).click();
    await expect.poll(() => p.url()).toContain('ids=hudson.vav1-01.zat&');
    await p.close();
  });

  it('asks for the list of points again on the next action after it failed, and acts on it', async () => {
    const p = await browser.newPage();
    // The list of points with a history fails once (the server away for a moment); Chromium logs the failure.
    watchConsole(p, /Failed to load resource/);
    const list = (url: URL): boolean =>
      url.pathname.endsWith('/api/read') && (url.searchParams.get('filter') ?? '').includes('point and his');
    await p.route(list, (route) => route.abort('connectionrefused'));
    await p.goto(`${origin}/#/history?ids=hudson.vav1-01.zat&range=today`);
    await p.getByRole('alert').filter({ hasText: 'cannot reach' }).waitFor();
    await p.unroute(list);
    // Back again: adding a point fetches the list and adds it, and the chart of both is drawn.
    await p.getByLabel('Add a point').fill('Hudson Tower VAV-1-01 Zone Temp Sp');
    await p.getByRole('button', { name: 'Add', exact: true }).click();
    await expect.poll(() => p.url()).toContain('ids=hudson.vav1-01.zat%2Chudson.vav1-01.zatSp');
    await p.getByRole('application', { name: /History chart of Hudson Tower VAV-1-01 Zone Temp, / }).waitFor();
    expect(await p.getByRole('alert').count()).toBe(0);
    // So does another range chosen after a failure.
    await p.route(list, (route) => route.abort('connectionrefused'));
    await p.reload();
    await p.getByRole('alert').filter({ hasText: 'cannot reach' }).waitFor();
    await p.unroute(list);
    await p.getByLabel('Yesterday').check();
    await p.getByRole('application', { name: /History chart of/ }).waitFor();
    expect(await p.getByRole('alert').count()).toBe(0);
    await p.close();
  });

  // The socket is up and its watch open (a change pushed is shown): a drop before would fail the watch's opening.
  let pushed = 60;
  const watching = async (p: Page, id: string): Promise<void> => {
    pushed += 0.5;
    await p.getByRole('heading', { name: 'Tags' }).waitFor();
    await app.server.handler.store.commit([{ op: 'update', id, changes: dict({ curVal: new Num(pushed, '°F') }) }]);
    await expect.poll(() => p.locator('.cur-val').textContent()).toBe(`${pushed} °F`);
  };

  /**
   * A page on the Entity screen of hudson.vav1-03.zat with its live values connected and watched, its WebSocket in
   * the test's hands (`server`), the fake clock installed, and console lines matching `expected` allowed; with
   * `record`, every live state shown is recorded (see recordLive).
   */
  const connectedEntity = async (expected: RegExp, record = false) => {
    const p = await browser.newPage();
    watchConsole(p, expected);
    const server = await stoppableSockets(p);
    const seen = record ? await recordLive(p) : undefined;
    await p.clock.install();
    await p.goto(`${origin}/#/entity/hudson.vav1-03.zat`);
    const badge = p.locator('.live-badge');
    await expect.poll(() => badge.textContent()).toBe('Live: connected');
    await watching(p, 'hudson.vav1-03.zat');
    return { p, server, seen: seen ?? (() => Promise.resolve([])), badge };
  };

  it('takes the live values offline with why when the server stops after the socket connected, and keeps them so', async () => {
    const { p, server, seen, badge } = await connectedEntity(/WebSocket/, true);
    await server.stop('away');
    await expect.poll(() => badge.textContent()).toBe('Live: reconnecting');
    // The client's 30 s wait for a connection, then two minutes of retries refused.
    for (let i = 0; i < 150; i++) await p.clock.runFor(1_000);
    const after = (await seen()).slice((await seen()).findIndex((s) => s.startsWith('Live: reconnecting')));
    const offline = after.findIndex((s) => s.startsWith('Live: offline'));
    expect(after[offline]).toBe('Live: offline|closed|Live values are not updated: WebSocket reconnect: timed out');
    // Offline until the server is back: the retries behind it do not say "reconnecting" again.
    expect(after.slice(offline).filter((s) => !s.startsWith('Live: offline'))).toEqual([]);
    expect(await badge.textContent()).toBe('Live: offline');
    server.start();
    for (let i = 0; i < 60 && (await badge.textContent()) !== 'Live: connected'; i++) await p.clock.runFor(1_000);
    expect(await badge.textContent()).toBe('Live: connected');
    await p.close();
  });

  it('shows the latest reason the live values are offline while they stay offline', async () => {
    const { p, server, badge } = await connectedEntity(/WebSocket/);
    await server.stop('user store unreachable');
    for (let i = 0; i < 40 && (await badge.textContent()) !== 'Live: offline'; i++) await p.clock.runFor(1_000);
    await p.getByRole('button', { name: 'Why offline?' }).click();
    const reason = p.locator('#live-why');
    expect(await reason.textContent()).toContain('timed out');
    // The next refused retry says why the server cannot be reached now; the reason stays open as the user left it.
    for (let i = 0; i < 40 && !((await reason.textContent()) ?? '').includes('1013'); i++) await p.clock.runFor(1_000);
    expect(await reason.textContent()).toBe(
      'Live values are not updated: WebSocket closed (1013: user store unreachable)',
    );
    expect(await reason.isVisible()).toBe(true);
    expect(await badge.textContent()).toBe('Live: offline');
    await p.close();
  });

  it('reloads what the Entity and Explore screens failed to load once the connection is back', async () => {
    const { p, server, badge } = await connectedEntity(/WebSocket|Failed to load resource/);
    // The server stops (its HTTP calls fail too) while the user moves to `hash`, whose screen fails; then it is back.
    const http = (url: URL): boolean => url.pathname.startsWith('/api/');
    const outage = async (hash: string): Promise<void> => {
      await p.route(http, (route) => route.abort('connectionrefused'));
      await server.stop('away');
      await p.evaluate(`location.hash = '${hash}'`);
      await p.getByRole('alert').first().waitFor();
      await p.unroute(http);
      server.start();
      for (let i = 0; i < 60 && (await badge.textContent()) !== 'Live: connected'; i++) await p.clock.runFor(1_000);
    };
    await outage('#/entity/hudson.vav1-04.zat');
    // Without a move: the entity's page is read again.
    await p.getByRole('heading', { name: 'Tags' }).waitFor({ timeout: 10_000 });
    await expect.poll(() => p.getByRole('heading', { level: 1 }).textContent()).toContain('VAV-1-04');
    await expect.poll(() => p.getByRole('alert').count()).toBe(0);
    // So is the building tree.
    await outage('#/');
    await p.getByRole('tree', { name: 'Building' }).waitFor({ timeout: 10_000 });
    await expect.poll(() => p.getByRole('alert').count()).toBe(0);
    await p.close();
  });
});
