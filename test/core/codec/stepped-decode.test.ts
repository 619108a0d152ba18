// Stepped JSON and Trio grid decoders: the same grid as the one-shot readers at any slice size, a pause per slice,
// limits enforced between pauses, and the JSON grid object's `_kind` anywhere among its members.

import { describe, expect, it } from 'vitest';
import {
  decodeJson,
  decodeJson3GridSteps,
  decodeJsonGridSteps,
  encodeJson,
} from '../../../src/core/codec/json/index.js';
import type { DecodeLimits } from '../../../src/core/codec/limits.js';
import { type DecodeSteps, drainSteps } from '../../../src/core/codec/steps.js';
import { decodeTrio, decodeTrioSteps } from '../../../src/core/codec/trio/index.js';
import { decodeZincStream } from '../../../src/core/codec/zinc/zinc-stream.js';
import { LimitError, ParseError } from '../../../src/core/errors.js';
import { Grid } from '../../../src/core/grid/grid.js';
import { diffVals } from '../../support/hayson-compare.js';
import { loadSharedText, sharedAvailable } from '../../support/shared.js';

/** Run the steps to the end, counting the pauses. */
function run<T>(steps: DecodeSteps<T>): { value: T; pauses: number } {
  let pauses = 0;
  for (let r = steps.next(); ; r = steps.next()) {
    if (r.done === true) return { value: r.value, pauses };
    pauses++;
  }
}

/** The pauses a stepped decode made before it threw, and what it threw. */
function failure<T>(steps: DecodeSteps<T>): { error: unknown; pauses: number } {
  let pauses = 0;
  try {
    for (let r = steps.next(); r.done !== true; r = steps.next()) pauses++;
  } catch (error) {
    return { error, pauses };
  }
  throw new Error('expected the decode to fail');
}

type Limits = Partial<DecodeLimits>;

const STEPPED = [
  [
    'json',
    'alpha.json',
    (t: string, slice: number, limits?: Limits) => decodeJsonGridSteps(t, limits, slice),
    decodeJson,
  ],
  [
    'trio',
    'alpha.trio',
    (t: string, slice: number, limits?: Limits) => decodeTrioSteps(t, limits, slice),
    (t: string) => decodeTrio(t),
  ],
] as const;

describe.each(STEPPED.filter(([, file]) => sharedAvailable(`datasets/alpha/${file}`)))(
  '%s in steps',
  { timeout: 60_000 },
  (_, file, steps, oneShot) => {
    const text = loadSharedText(`datasets/alpha/${file}`);
    const whole = oneShot(text) as Grid;

    it.each([1, 4096, 64 * 1024, Number.POSITIVE_INFINITY])('gives the one-shot grid with slices of %d', (slice) => {
      const { value, pauses } = run(steps(text, slice));
      expect(diffVals(value, whole, '$')).toBeUndefined();
      expect(value.cols.map((c) => c.name)).toEqual(whole.cols.map((c) => c.name));
      // A pause at the first row (record) end after each slice of text: one per row at the smallest slice.
      if (slice === Number.POSITIVE_INFINITY) expect(pauses).toBe(0);
      else if (slice === 1) expect(pauses).toBeGreaterThanOrEqual(whole.rows.length - 1);
      else {
        expect(pauses).toBeGreaterThan(0);
        expect(pauses).toBeLessThanOrEqual(text.length / slice);
      }
    });

    it('stops at maxRows inside its loop, after a few slices of a long text', () => {
      const { error, pauses } = failure(steps(text, 16 * 1024, { maxRows: 100 }));
      expect(error).toBeInstanceOf(LimitError);
      expect(pauses).toBeLessThanOrEqual(2);
      expect(text.length / (16 * 1024)).toBeGreaterThan(20);
    });
  },
);

describe('the JSON grid object in steps', () => {
  const rows = (n: number): string => Array.from({ length: n }, (_, i) => `{"n":${i}}`).join(',');

  it('takes _kind after the other members, and meta, cols and rows in any order', () => {
    const text = `{"rows":[${rows(50)}],"cols":[{"name":"n"}],"meta":{"ver":"3.0","x":"y"},"other":[1,{}],"_kind":"grid"}`;
    const { value, pauses } = run(decodeJsonGridSteps(text, undefined, 64));
    expect(diffVals(value, decodeJson(text), '$')).toBeUndefined();
    expect(value.meta.get('x')).toBe('y');
    expect(value.rows).toHaveLength(50);
    expect(pauses).toBeGreaterThan(5);
  });

  it('reads a grid without rows, or with rows null, and ignores a byte-order mark', () => {
    for (const text of [
      '\uFEFF{"_kind":"grid","cols":[{"name":"a"}],"rows":[]}',
      '{"_kind":"grid","rows":null,"cols":[{"name":"a"}]} ',
    ]) {
      const g = drainSteps(decodeJsonGridSteps(text));
      expect(g).toBeInstanceOf(Grid);
      expect(g.cols.map((c) => c.name)).toEqual(['a']);
      expect(g.rows).toHaveLength(0);
    }
  });

  it.each([
    ['a list', '[{"_kind":"grid"}]', 1],
    ['a dict without _kind', '{"rows":[]}', 1],
    ['an empty object', '{}', 1],
    ['another kind', '{"_kind":"dict","a":1}', 10],
    ['a _kind that is no string', '{"_kind":1}', 10],
    ['two _kinds', '{"_kind":"grid","_kind":"grid"}', 25],
    ['rows that are no array', '{"_kind":"grid","rows":{}}', 24],
    ['a row that is no object', '{"_kind":"grid","rows":[1]}', 25],
    ['no separator after a row', '{"_kind":"grid","rows":[{} {}]}', 28],
    ['text after the grid', '{"_kind":"grid"} x', 18],
  ])('refuses %s with its position', (_, text, column) => {
    const { error } = failure(decodeJsonGridSteps(text, undefined, 1));
    expect(error).toBeInstanceOf(ParseError);
    expect((error as ParseError).column).toBe(column);
  });

  it('refuses a text longer than maxLength before reading it', () => {
    expect(() => decodeJsonGridSteps('{"_kind":"grid"}', { maxLength: 10 })).toThrow(LimitError);
  });
});

describe('the JSON v3 grid object in steps', () => {
  const v3 = (t: string) => decodeJson(t, { version: 3 });
  const rows = (n: number): string =>
    Array.from({ length: n }, (_, i) => `{"n":"n:${i} kW","s":"a\\"]}${i}"}`).join(',');

  it.skipIf(!sharedAvailable('datasets/alpha/alpha.json'))(
    'gives the one-shot grid of the alpha dataset written as v3, at any slice size',
    () => {
      const text = encodeJson(decodeJson(loadSharedText('datasets/alpha/alpha.json')), { version: 3 });
      const whole = v3(text) as Grid;
      for (const slice of [1, 4096, 64 * 1024, Number.POSITIVE_INFINITY]) {
        const { value, pauses } = run(decodeJson3GridSteps(text, undefined, slice));
        expect(diffVals(value, whole, '$')).toBeUndefined();
        expect(value.cols.map((c) => c.name)).toEqual(whole.cols.map((c) => c.name));
        if (slice === Number.POSITIVE_INFINITY) expect(pauses).toBe(0);
        else expect(pauses).toBeGreaterThan(0);
      }
    },
  );

  it('takes meta, cols and rows in any order, other members, escapes and duplicates as JSON.parse does', () => {
    const text = ` {"rows":[],"other":[1,{"a":"}"}],"rows" : [ ${rows(50)} ] ,"cols":[{"name":"n","u":"m:"},{"name":"s"}],"meta":{"ver":"3.0","x":"s:y"}}\n`;
    const { value, pauses } = run(decodeJson3GridSteps(text, undefined, 64));
    expect(diffVals(value, v3(text), '$')).toBeUndefined();
    expect(value.meta.get('x')).toBe('y');
    expect(value.rows).toHaveLength(50);
    expect(value.rows[7]?.get('s')).toBe('a"]}7');
    // Rows are parsed, then walked, each pausing after every 64 characters.
    expect(pauses).toBeGreaterThan(20);
  });

  it('reads a grid without rows and ignores a byte-order mark', () => {
    const g = drainSteps(decodeJson3GridSteps('\uFEFF{"meta":{"ver":"3.0"},"cols":[{"name":"a"}],"rows":[]}'));
    expect(g.cols.map((c) => c.name)).toEqual(['a']);
    expect(g.rows).toHaveLength(0);
  });

  it.each([
    ['a list', '[{"meta":{}}]', 1, 1, 'expected a JSON object holding a grid'],
    ['a dict', '{"meta":{"ver":"3.0"},"cols":[]}', 1, 1, 'expected a grid but found a dict'],
    ['an empty object', '{}', 1, 1, 'expected a grid but found a dict'],
    ['a member name that is no string', '{meta:{}}', 1, 2, 'expected a double-quoted member name'],
    ['no colon', '{"meta" {}}', 1, 9, "expected ':' after the member name"],
    ['no separator after a member', '{"meta":{} "cols":[]}', 1, 12, "expected ',' or '}'"],
    ['a missing value', '{"meta":}', 1, 9, 'expected a JSON value'],
    ['invalid JSON in a row', '{"meta":{},"cols":[],"rows":[{},\n {"a":tru}]}', 2, 10, "expected 'true'"],
    ['no separator after a row', '{"meta":{},"cols":[],"rows":[{} {}]}', 1, 33, "expected ',' or ']'"],
    ['a trailing comma', '{"meta":{},"cols":[],"rows":[{},]}', 1, 33, 'expected a JSON value'],
    ['text after the grid', '{"meta":{},"cols":[],"rows":[]} x', 1, 33, 'expected end of input'],
    ['a row that is no object', '{"meta":{},"cols":[],"rows":[{},\n 7]}', 2, 2, 'expected a row object at $.rows[1]'],
    [
      'a bad value in a row',
      '{"meta":{},"cols":[{"name":"a"}],"rows":[{"a":"n:1"},\n {"a":"n:x"}]}',
      2,
      7,
      'at $.rows[1].a',
    ],
    ['a bad column', '{"rows":[{}],"cols":[{"name":"a"},{"name":"B"}],"meta":{}}', 1, 43, 'at $.cols[1].name'],
    ['a bad version', '{"meta":{"ver":"9"},"cols":[],"rows":[]}', 1, 16, 'at $.meta.ver'],
  ])('refuses %s with its position', (_, text, line, column, message) => {
    const { error } = failure(decodeJson3GridSteps(text, undefined, 1));
    expect(error).toBeInstanceOf(ParseError);
    expect((error as ParseError).message).toContain(message);
    expect([(error as ParseError).line, (error as ParseError).column]).toEqual([line, column]);
  });

  it('stops at maxRows while it reads the rows, and refuses a text longer than maxLength before reading it', () => {
    const text = `{"meta":{},"cols":[{"name":"n"}],"rows":[${rows(5000)}]}`;
    const { error, pauses } = failure(decodeJson3GridSteps(text, { maxRows: 100 }, 1024));
    expect(error).toBeInstanceOf(LimitError);
    expect(pauses).toBeLessThanOrEqual(5);
    expect(() => decodeJson3GridSteps('{"meta":{}}', { maxLength: 10 })).toThrow(LimitError);
  });
});

describe('maxRowChars: a row is refused before it is decoded whole', () => {
  const list = (n: number): string => `[${'1,'.repeat(n - 1)}1]`;
  const GRIDS = {
    json: (pad: string, meta = '{}') =>
      decodeJsonGridSteps(
        `{"_kind":"grid","meta":${meta},"rows":[{"a":1},{"pad":${pad}},{"a":2}]}`,
        undefined,
        1,
        1000,
      ),
    json3: (pad: string, meta = '{}') =>
      decodeJson3GridSteps(`{"meta":${meta},"cols":[],"rows":[{"a":1},{"pad":${pad}},{"a":2}]}`, undefined, 1, 1000),
    trio: (pad: string) => decodeTrioSteps(`a: 1\n---\npad: ${pad}\n---\na: 2\n`, undefined, 1, 1000),
  } as const;

  it.each(Object.entries(GRIDS))('%s: rows up to the limit are read, a longer one is a LimitError', (_, grid) => {
    expect(drainSteps(grid(list(400))).rows).toHaveLength(3);
    const { error } = failure(grid(list(600)));
    expect(error).toBeInstanceOf(LimitError);
    expect((error as LimitError).limit).toBe('maxRowLength');
    expect((error as LimitError).message).toContain('a row is longer than 1000 characters');
    // A long string or trailing whitespace counts too, not only values.
    expect(failure(grid(`"${'x'.repeat(1200)}"`)).error).toBeInstanceOf(LimitError);
  });

  it.each(['json', 'json3'] as const)('%s: so is a grid meta longer than the limit', (format) => {
    const meta = `{"m":${format === 'json' ? list(600) : `"${'x'.repeat(1200)}"`}}`;
    expect(failure(GRIDS[format]('1', meta)).error).toBeInstanceOf(LimitError);
  });

  it('zinc: the stream refuses a row, unfinished or whole, longer than maxRowLength', async () => {
    const text = `ver:"3.0"\na\n1\n${list(600)}\n2\n`;
    const chunks = (size: number) =>
      Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size));
    for (const size of [64, 100_000]) {
      await expect(decodeZincStream(chunks(size), { maxRowLength: 1000 })).rejects.toThrow(
        'a row is longer than 1000 characters',
      );
    }
    expect((await decodeZincStream(chunks(64), { maxRowLength: 1300 })).rows).toHaveLength(3);
    // A row with a nested grid spans lines: it is held unfinished, never parsed again past the limit.
    const nested = `ver:"3.0"\na\n<<\nver:"3.0"\nb\n${'1\n'.repeat(2000)}>>\n`;
    await expect(decodeZincStream([nested.slice(0, 2000), nested.slice(2000)], { maxRowLength: 1000 })).rejects.toThrow(
      LimitError,
    );
  });
});
