// README, Limits: "Error messages quote client input cut to 64 characters". Every error that names what the client
// sent (an op, a record, a watch, an action, a user, a field, a query parameter) quotes at most 64 characters of it.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeZinc } from '../../src/core/codec/zinc/index.js';
import type { Grid } from '../../src/core/grid/grid.js';
import { startWsFixture, type WsFixture } from './ws/ws-fixture.js';

let fx: WsFixture;
let token = '';

beforeAll(async () => {
  fx = await startWsFixture();
  token = await fx.token('admin');
});

afterAll(async () => {
  await fx.close();
});

const LONG = 200;

/** The error grid's `dis` (Zinc answers) or the JSON error's text (users API) of a request. */
async function errorText(path: string, init: RequestInit = {}): Promise<string> {
  const res = await fetch(new URL(path, fx.url), {
    ...init,
    headers: { authorization: `BEARER authToken=${token}`, ...(init.headers as Record<string, string>) },
  });
  const text = await res.text();
  if ((res.headers.get('content-type') ?? '').startsWith('text/zinc')) {
    const dis = (decodeZinc(text) as Grid).meta.get('dis');
    return typeof dis === 'string' ? dis : text;
  }
  return text;
}

function zincPost(grid: string): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'text/zinc' }, body: grid };
}

describe('error messages quote at most 64 characters of client input', () => {
  /** One request whose error names `input`. */
  interface Case {
    readonly what: string;
    readonly input: string;
    readonly path: string;
    readonly init?: RequestInit;
  }
  const cases: readonly Case[] = [
    { what: 'an unknown op', input: 'o'.repeat(LONG), path: 'o'.repeat(LONG) },
    // Tag names start lower-case: the upper-case Q makes the parameter no tag name.
    {
      what: 'a query parameter that is not a tag name',
      input: `Q${'q'.repeat(LONG - 1)}`,
      path: `read?Q${'q'.repeat(LONG - 1)}=1`,
    },
    {
      what: 'an unknown record',
      input: 'r'.repeat(LONG),
      path: 'hisRead',
      init: zincPost(`ver:"3.0"\nid,range\n@${'r'.repeat(LONG)},"today"\n`),
    },
    {
      what: 'an unknown record to write',
      input: 'w'.repeat(LONG),
      path: 'pointWrite',
      init: zincPost(`ver:"3.0"\nid\n@${'w'.repeat(LONG)}\n`),
    },
    {
      what: 'an unknown watch',
      input: 'x'.repeat(LONG),
      path: 'watchPoll',
      init: zincPost(`ver:"3.0" watchId:"${'x'.repeat(LONG)}"\nempty\n`),
    },
    {
      what: 'an unknown action',
      input: 'a'.repeat(LONG),
      path: 'invokeAction',
      init: zincPost(`ver:"3.0" id:@p1 action:"${'a'.repeat(LONG)}"\nempty\n`),
    },
    {
      what: 'a query parameter given twice',
      input: 'd'.repeat(LONG),
      path: `read?${'d'.repeat(LONG)}=1&${'d'.repeat(LONG)}=2`,
    },
    {
      what: 'an Accept header',
      input: 'v'.repeat(LONG),
      path: 'about',
      init: { headers: { accept: 'v'.repeat(LONG) } },
    },
    {
      what: 'a Content-Type',
      input: 'c'.repeat(LONG),
      path: 'read',
      init: { method: 'POST', headers: { 'content-type': 'c'.repeat(LONG) }, body: 'x' },
    },
    { what: 'an unknown user', input: 'u'.repeat(LONG), path: `users/${'u'.repeat(LONG)}` },
    {
      what: 'an unknown field of the users API',
      input: 'f'.repeat(LONG),
      path: 'users/admin',
      init: { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: `{"${'f'.repeat(LONG)}":1}` },
    },
  ];

  it.each(cases)('$what', async ({ input, path, init }) => {
    const text = await errorText(path, init);
    // The message names the input, then stops: its first 64 characters and its length.
    expect(text).toContain(input.slice(0, 64));
    expect(text).not.toContain(input.slice(0, 65));
    expect(text).toContain(`(${LONG} chars)`);
  });
});
