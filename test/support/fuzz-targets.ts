// Fuzz targets: every parser that takes outside input, with fast-check arbitraries of raw text and of mutated real
// data (../shared/datasets), and the one property they share: a typed error or a value, never anything else.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { parseAuthenticationInfo, parseAuthorization, parseWwwAuthenticate } from '../../src/core/auth/auth-header.js';
import {
  parseClientFinal,
  parseClientFirst,
  parseServerFinal,
  parseServerFirst,
} from '../../src/core/auth/scram-messages.js';
import { DEFAULT_LIMITS } from '../../src/core/codec/limits.js';
import { AuthError, HaystackError, LimitError, ParseError } from '../../src/core/errors.js';
import { decodeJson, decodeTrio, decodeZincGrid, parseFilter } from '../../src/core/index.js';
import { queryGrid } from '../../src/server/http/request-grid.js';
import { sharedPath } from './shared.js';

/** One parser under fuzz. */
export interface FuzzTarget {
  /** Name used on the command line and in reports. */
  readonly name: string;
  /** Parse one input (the result is ignored: only what it throws matters). */
  readonly parse: (input: string) => unknown;
  /** True for the errors a bad input may raise: typed parser errors (a limit is one too). */
  readonly expected: (err: unknown) => boolean;
  /** Inputs: mutations of real documents and of valid examples, plus raw text. */
  readonly inputs: fc.Arbitrary<string>;
}

const CODEC_ERRORS = (err: unknown): boolean => err instanceof ParseError || err instanceof LimitError;
const AUTH_ERRORS = (err: unknown): boolean => CODEC_ERRORS(err) || err instanceof AuthError;
// A query string's bad parameter is a bad request (HS_ERR_BAD_REQUEST), raised as a plain HaystackError.
const QUERY_ERRORS = (err: unknown): boolean =>
  CODEC_ERRORS(err) || (err instanceof HaystackError && err.code === 'HS_ERR_BAD_REQUEST');

// Real data, cut to pieces of at most 4 KB so that a run covers many documents' shapes, not one long parse.
function datasetPieces(file: string): string[] {
  const text = readFileSync(sharedPath(path.join('datasets', file)), 'utf8');
  const pieces: string[] = [];
  for (let i = 0; i < text.length && pieces.length < 400; i += 1500) pieces.push(text.slice(i, i + 4000));
  return pieces;
}

// A Zinc/Trio piece must start at its header to parse at all: keep the header and a run of whole lines after it.
function withHeader(file: string): string[] {
  const text = readFileSync(sharedPath(path.join('datasets', file)), 'utf8');
  const lines = text.split('\n');
  const head = lines.slice(0, 2).join('\n');
  const out: string[] = [];
  for (let i = 2; i < lines.length && out.length < 300; i += 7)
    out.push(`${head}\n${lines.slice(i, i + 6).join('\n')}\n`);
  return out;
}

/** Text mutated the way fuzzers do: flip, insert, delete, duplicate and splice characters, nasty ones included. */
export function mutated(seeds: readonly string[]): fc.Arbitrary<string> {
  const nasty = fc.constantFrom(
    '"',
    '\\',
    '\n',
    '\r',
    '\u0000',
    '{',
    '}',
    '[',
    ']',
    ',',
    ':',
    '@',
    '^',
    '`',
    '__proto__',
    'constructor',
    '"__proto__"',
    '{"__proto__":{"polluted":1}}',
    '\uD800',
    '\u2028',
    '9'.repeat(40),
    '1e999',
    '-',
    'T',
    'Z',
    'ver:"3.0"',
    '_kind',
    'n,,',
    '=',
    '%',
    '%zz',
  );
  const edit = fc.record({
    at: fc.nat(),
    kind: fc.constantFrom('flip', 'insert', 'delete', 'dup'),
    text: fc.oneof(nasty, fc.string({ maxLength: 8, unit: 'binary' })),
    len: fc.integer({ min: 1, max: 64 }),
  });
  return fc.tuple(fc.constantFrom(...seeds), fc.array(edit, { minLength: 1, maxLength: 6 })).map(([seed, edits]) => {
    let s = seed;
    for (const e of edits) {
      const at = s.length === 0 ? 0 : e.at % (s.length + 1);
      if (e.kind === 'flip')
        s = s.slice(0, at) + String.fromCharCode((s.charCodeAt(at) ^ (1 << (e.len % 16))) & 0xffff) + s.slice(at + 1);
      else if (e.kind === 'insert') s = s.slice(0, at) + e.text + s.slice(at);
      else if (e.kind === 'delete') s = s.slice(0, at) + s.slice(at + e.len);
      else s = s.slice(0, at) + s.slice(at, at + e.len).repeat(3) + s.slice(at);
    }
    return s;
  });
}

const raw = fc.oneof(
  fc.string({ maxLength: 200, unit: 'binary' }),
  fc.string({ maxLength: 200, unit: 'grapheme-ascii' }),
);
const inputs = (seeds: readonly string[]): fc.Arbitrary<string> =>
  fc.oneof({ weight: 4, arbitrary: mutated(seeds) }, { weight: 1, arbitrary: raw });

const FILTERS = [
  'point and his and siteRef->dis == "Alpha" and kind == "Number"',
  'site or (equip and not ahu)',
  'temp > 70°F and curVal < 100',
  'id == @p:demo:r:23a8 and mod >= 2020-01-01T00:00:00Z',
  'a->b->c->d == `http://x/`',
];
const CLIENT_FIRST = ['n,,n=user,r=rOprNGfwEbeRWgbNEkqO', 'n,,n=us=2Cer=3D,r=abcdefghijklmnop'];
const SERVER_FIRST = ['r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096'];
const CLIENT_FINAL = [
  'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
];
const SERVER_FINAL = ['v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4='];
const AUTH_HEADERS = [
  'HELLO username=dXNlcg',
  'SCRAM handshakeToken=aabbcc, data=biwsbj11c2VyLHI9YWJj',
  'BEARER authToken=xyz-123',
  'SCRAM hash=SHA-256, handshakeToken=aabbcc, data=cj1hYmMscz1zYWx0LGk9NDA5Ng',
  'authToken=xyz, hash=SHA-256, data=dj1hYmM',
];
const QUERIES = [
  'filter=site&limit=10',
  'filter=%22point%20and%20his%22',
  'id=@a&range=%22today%22',
  'navId=@site1',
  'filter=point&limit=1e3',
];

/** Every target, with its seeds (real datasets where the format has them). */
export function fuzzTargets(): readonly FuzzTarget[] {
  const limits = DEFAULT_LIMITS;
  return [
    {
      name: 'zinc',
      parse: (s) => decodeZincGrid(s),
      expected: CODEC_ERRORS,
      inputs: inputs([...withHeader('alpha/alpha.zinc'), ...withHeader('bravo/bravo.zinc')]),
    },
    {
      name: 'json-v4',
      parse: (s) => decodeJson(s),
      expected: CODEC_ERRORS,
      inputs: inputs([
        ...datasetPieces('alpha/alpha.json'),
        '{"_kind":"grid","meta":{"ver":"3.0"},"cols":[],"rows":[]}',
      ]),
    },
    {
      name: 'json-v3',
      parse: (s) => decodeJson(s, { version: 3 }),
      expected: CODEC_ERRORS,
      inputs: inputs([
        '{"meta":{"ver":"2.0"},"cols":[{"name":"a"}],"rows":[{"a":"r:x Dis"},{"a":"n:12 kW"}]}',
        '"t:2020-01-01T00:00:00Z UTC"',
      ]),
    },
    {
      name: 'trio',
      parse: (s) => decodeTrio(s),
      expected: CODEC_ERRORS,
      inputs: inputs([...datasetPieces('alpha/alpha.trio'), ...datasetPieces('bravo/bravo.trio')]),
    },
    { name: 'filter', parse: (s) => parseFilter(s), expected: CODEC_ERRORS, inputs: inputs(FILTERS) },
    {
      name: 'scram',
      parse: (s) => {
        // Every message parser sees each input: one message kind's input is another's fuzz.
        for (const p of [parseClientFirst, parseServerFirst, parseClientFinal, parseServerFinal]) {
          try {
            p(s);
          } catch (err) {
            if (!AUTH_ERRORS(err)) throw err;
          }
        }
      },
      expected: AUTH_ERRORS,
      inputs: inputs([...CLIENT_FIRST, ...SERVER_FIRST, ...CLIENT_FINAL, ...SERVER_FINAL]),
    },
    {
      name: 'auth-header',
      parse: (s) => {
        for (const p of [parseAuthorization, parseWwwAuthenticate, parseAuthenticationInfo]) {
          try {
            p(s);
          } catch (err) {
            if (!AUTH_ERRORS(err)) throw err;
          }
        }
      },
      expected: AUTH_ERRORS,
      inputs: inputs(AUTH_HEADERS),
    },
    { name: 'query', parse: (s) => queryGrid(s, limits), expected: QUERY_ERRORS, inputs: inputs(QUERIES) },
  ];
}

/** What one input did wrong, or undefined when it behaved. */
export function checkOne(target: FuzzTarget, input: string): string | undefined {
  const protoKeys = Object.getOwnPropertyNames(Object.prototype).length;
  try {
    target.parse(input);
  } catch (err) {
    if (!target.expected(err)) {
      return `${target.name}: ${err instanceof Error ? `${err.constructor.name}: ${err.message}` : String(err)}`;
    }
  }
  if (Object.getOwnPropertyNames(Object.prototype).length !== protoKeys || '' in ({} as object) || 'polluted' in {}) {
    return `${target.name}: Object.prototype changed`;
  }
  return undefined;
}
