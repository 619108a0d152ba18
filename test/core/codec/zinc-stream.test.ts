// Streaming Zinc: chunk boundaries anywhere give the whole-text result, memory stays flat, limits hold.

import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  decodeZinc,
  decodeZincStream,
  encodeZinc,
  encodeZincChunks,
  encodeZincStream,
  readZincStream,
  type ZincStreamEvent,
  ZincStreamReader,
} from '../../../src/core/codec/zinc/index.js';
import {
  Dict,
  Grid,
  HaystackError,
  HDateTime,
  LimitError,
  Num,
  ParseError,
  TimeZone,
} from '../../../src/core/index.js';
import { diffVals } from '../../support/hayson-compare.js';

const SAMPLE = [
  'ver:"3.0" hisStart:2012-10-01T00:00:00-04:00 New_York dis:"Säge ✓ 日本 😀"',
  'ts,v0 id:@hisA unit:"°F",v1,v2',
  '2012-10-01T00:15:00-04:00 New_York,72.1°F,"a,b \\"q\\" 😀",[1,2,{x:`u\\`v`}]',
  '2012-10-01T00:30:00-04:00 New_York,N,,<<',
  'ver:"3.0"',
  'a,b',
  '1,2',
  '>>',
  '2012-10-01T00:45:00.123456-04:00 New_York,-5.4e-7m²,T,C(37.55,-77.45)',
  '',
].join('\n');

function gridFrom(events: readonly ZincStreamEvent[]): Grid {
  let meta = Dict.EMPTY;
  let cols: Grid['cols'] = [];
  const rows: Dict[] = [];
  for (const e of events) {
    if (e.type === 'header') {
      meta = e.meta;
      cols = e.cols;
    } else rows.push(e.row);
  }
  return Grid.fromTrustedParts(meta, cols, rows);
}

function readChunks(chunks: readonly (string | Uint8Array)[]): Grid {
  const r = new ZincStreamReader();
  const events: ZincStreamEvent[] = [];
  for (const c of chunks) events.push(...r.push(c));
  events.push(...r.end());
  return gridFrom(events);
}

function expectSame(actual: Grid, expected: Grid): void {
  expect(diffVals(actual, expected)).toBeUndefined();
}

describe('ZincStreamReader', () => {
  const whole = decodeZinc(SAMPLE) as Grid;

  it('gives the whole-text result for a split at every char position', () => {
    for (let i = 0; i <= SAMPLE.length; i++) expectSame(readChunks([SAMPLE.slice(0, i), SAMPLE.slice(i)]), whole);
  });

  it('gives the whole-text result for a split at every byte, inside multi-byte chars too', () => {
    const bytes = new TextEncoder().encode(SAMPLE);
    for (let i = 0; i <= bytes.length; i++) expectSame(readChunks([bytes.subarray(0, i), bytes.subarray(i)]), whole);
  });

  it('gives the whole-text result for one char or one byte at a time', () => {
    expectSame(readChunks(Array.from({ length: SAMPLE.length }, (_c, i) => SAMPLE.charAt(i))), whole);
    const bytes = new TextEncoder().encode(SAMPLE);
    expectSame(readChunks(Array.from(bytes, (_b, i) => bytes.subarray(i, i + 1))), whole);
  });

  it('yields the header before any row is complete, and each row once its line is', () => {
    const r = new ZincStreamReader();
    expect(r.push('ver:"3.0"\na,b\n1,')).toEqual([expect.objectContaining({ type: 'header' })]);
    expect(r.push('2')).toEqual([]);
    const ev = r.push('\n3,');
    expect(ev).toHaveLength(1);
    expect(ev[0]?.type === 'row' && ev[0].row.get('b')).toEqual(new Num(2));
    expect(r.push('4')).toEqual([]);
    expect(r.end()).toHaveLength(1);
    expect(r.rowCount).toBe(2);
  });

  it('gives the rows of every chunk one shape, and rows with the same cells one layout', () => {
    const r = new ZincStreamReader();
    const rows = [...r.push('ver:"3.0"\na,b,c\n1,,M\n'), ...r.push(',2,\n'), ...r.push('3,,M\n'), ...r.end()]
      .filter((e) => e.type === 'row')
      .map((e) => e.row);
    expect(rows).toHaveLength(3);
    const [r0, r1, r2] = rows;
    expect(r1?.shape).toBe(r0?.shape);
    expect(r2?.shape).toBe(r0?.shape);
    expect(r2?.presentSlots).toBe(r0?.presentSlots);
  });

  it('reads a grid without a final newline, a blank line ending it, and a byte-order mark', () => {
    expectSame(readChunks(['ver:"3.0"\na\n1\n2']), decodeZinc('ver:"3.0"\na\n1\n2') as Grid);
    expectSame(readChunks(['ver:"3.0"\na\n1\n\n', '\n  \n']), decodeZinc('ver:"3.0"\na\n1\n') as Grid);
    expectSame(
      readChunks([new Uint8Array([0xef, 0xbb]), new Uint8Array([0xbf]), 'ver:"3.0"\na\n1\n']),
      decodeZinc('ver:"3.0"\na\n1\n') as Grid,
    );
  });

  it('reads ver:"2.0" grids with the old Bin form across chunks', () => {
    const text = 'ver:"2.0"\na\nBin(text/plain)\n';
    for (let i = 0; i <= text.length; i++)
      expectSame(readChunks([text.slice(0, i), text.slice(i)]), decodeZinc(text) as Grid);
  });

  it('raises ParseError with the line of the stream, not of the chunk', () => {
    const r = new ZincStreamReader();
    r.push('ver:"3.0"\na,b\n1,2\n');
    r.push('3,4\n5,6\n');
    let err: unknown;
    try {
      r.push('7,8\n9,?\n');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ParseError);
    expect((err as ParseError).line).toBe(7);
    expect((err as ParseError).column).toBe(3);
  });

  it('rejects an unfinished grid, trailing text and garbage after a blank line', () => {
    for (const bad of [
      'ver:"3.0"\na,b\n1',
      'ver:"3.0"\na\n<<ver:"3.0"\nb\n1\n',
      'ver:"3.0"\na\n1\n\n2\n',
      'ver:"3.0"\n',
      '',
    ]) {
      expect(() => readChunks([bad]), JSON.stringify(bad)).toThrow(HaystackError);
    }
  });

  it('enforces maxRows while reading and maxLength on the text it holds', () => {
    const r = new ZincStreamReader({ limits: { maxRows: 3 } });
    expect(() => r.push('ver:"3.0"\na\n1\n2\n3\n4\n')).toThrow(LimitError);
    const long = new ZincStreamReader({ limits: { maxLength: 100 } });
    long.push('ver:"3.0"\na\n');
    for (let i = 0; i < 50; i++) long.push('1\n'); // total > 100, but each line is consumed
    expect(() => long.push(`"${'x'.repeat(200)}`)).toThrow(LimitError);
  });
});

describe('readZincStream and decodeZincStream', () => {
  it('read a Node stream and a web ReadableStream of bytes', async () => {
    const bytes = new TextEncoder().encode(SAMPLE);
    const whole = decodeZinc(SAMPLE) as Grid;
    const node = Readable.from([bytes.subarray(0, 7), bytes.subarray(7, 100), bytes.subarray(100)]);
    expectSame(await decodeZincStream(node), whole);
    const web = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(bytes.subarray(0, 50));
        c.enqueue(bytes.subarray(50));
        c.close();
      },
    });
    const events: ZincStreamEvent[] = [];
    for await (const e of readZincStream(web)) events.push(e);
    expectSame(gridFrom(events), whole);
  });

  it('keeps a streamed history in columns', async () => {
    const text = 'ver:"3.0"\nts,val\n2024-01-01T00:00:00-05:00 New_York,1kW\n2024-01-01T00:15:00-05:00 New_York,2kW\n';
    const g = await decodeZincStream([text.slice(0, 30), text.slice(30)]);
    expect(g.rowSource.constructor.name).toBe('HisRows');
    expectSame(g, decodeZinc(text) as Grid);
  });
});

describe('encodeZincChunks and encodeZincStream', () => {
  it('join to the same text as encodeZinc, for ordinary and history grids', () => {
    const g = decodeZinc(SAMPLE) as Grid;
    expect([...encodeZincChunks(g, { rowsPerChunk: 2 })].join('')).toBe(encodeZinc(g));
    const his = decodeZinc(
      'ver:"3.0"\nts,val\n2024-01-01T00:00:00-05:00 New_York,1kW\n2024-01-01T00:15:00-05:00 New_York,2kW\n2024-01-01T00:30:00-05:00 New_York,3kW\n',
    ) as Grid;
    const chunks = [...encodeZincChunks(his, { rowsPerChunk: 2 })];
    expect(chunks).toHaveLength(3);
    expect(chunks.join('')).toBe(encodeZinc(his));
  });

  it('encode rows from an async iterable as they come', async () => {
    const g = decodeZinc(SAMPLE) as Grid;
    async function* rows(): AsyncGenerator<Dict> {
      for (const r of g) {
        await Promise.resolve();
        yield r;
      }
    }
    let text = '';
    for await (const c of encodeZincStream(g.meta, g.cols, rows(), { rowsPerChunk: 1 })) text += c;
    expect(text).toBe(encodeZinc(g));
  });
});

describe('flat memory', () => {
  function gcFn(): () => void {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  }

  it('decodes a generated 2,000,000-row stream with bounded heap growth', async () => {
    const gc = gcFn();
    const ROWS = 2_000_000;
    const PER_CHUNK = 2000;
    const tz = TimeZone.get('New_York');
    const start = Date.UTC(2024, 0, 1);
    async function* chunks(): AsyncGenerator<string> {
      yield 'ver:"3.0" hisStart:2024-01-01T00:00:00-05:00 New_York\nts,val\n';
      for (let i = 0; i < ROWS; i += PER_CHUNK) {
        let s = '';
        for (let j = i; j < i + PER_CHUNK; j++)
          s += `${HDateTime.fromEpochMs(start + j * 60_000, tz).toString()},${j % 1000}.5kW\n`;
        await Promise.resolve();
        yield s;
      }
    }
    let rows = 0;
    let baseline = 0;
    let peak = 0;
    for await (const e of readZincStream(chunks())) {
      if (e.type !== 'row') continue;
      rows++;
      if (rows === 100_000) {
        gc();
        baseline = process.memoryUsage().heapUsed;
      } else if (rows % 500_000 === 0) {
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed);
      }
    }
    expect(rows).toBe(ROWS);
    // Holding the rows would take hundreds of MB; a streaming reader stays within a few MB of its start.
    expect(peak - baseline).toBeLessThan(32 * 1024 * 1024);
  }, 120_000);
});
