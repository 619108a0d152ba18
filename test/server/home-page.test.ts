// GET / answers a person at a browser with a page that links to the API root and the docs, even when login is on.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, startFixture } from './support/server-fixture.js';

let open: Fixture;
let locked: Fixture;
let none: Fixture;
let custom: Fixture;
beforeAll(async () => {
  open = await startFixture();
  locked = await startFixture({ noAuth: false, authenticate: () => Promise.reject(new Error('no login here')) });
  none = await startFixture({ homePage: false });
  custom = await startFixture({ homePage: [{ href: '/ui/', label: 'Web <UI>' }] });
});
afterAll(async () => {
  for (const f of [open, locked, none, custom]) await f.close();
});

const origin = (f: Fixture): string => new URL(f.base).origin;

describe('the home page', () => {
  it('is HTML that links to the API root and the documentation', async () => {
    const res = await fetch(`${origin(open)}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    expect(html).toContain('href="/api/about"');
    expect(html).toContain('href="https://project-haystack.org/doc/docHaystack/HttpApi"');
    expect(html).toMatch(/<title>haystack-ts<\/title>/);
  });

  it('needs no login (it holds no data), while the API behind it still does', async () => {
    expect((await fetch(`${origin(locked)}/`)).status).toBe(200);
    expect((await fetch(`${origin(locked)}/api/about`)).status).not.toBe(200);
  });

  it('answers HEAD without a body, and other methods as before', async () => {
    const head = await fetch(`${origin(open)}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect((await fetch(`${origin(open)}/`, { method: 'POST', body: '' })).status).toBe(404);
  });

  it('is off with homePage: false, and shows given links (escaped) instead of the defaults', async () => {
    expect((await fetch(`${origin(none)}/`)).status).toBe(404);
    const html = await (await fetch(`${origin(custom)}/`)).text();
    expect(html).toContain('<a href="/ui/">Web &lt;UI&gt;</a>');
    expect(html).not.toContain('project-haystack.org');
  });
});
