// Progress bars: drawn in place on a terminal's stderr, never into a pipe, and erased when the work ends.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/program.js';
import { createProgress } from '../../src/cli/progress.js';

const dir = mkdtempSync(path.join(tmpdir(), 'haystack-progress-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A stream that collects what is written, claiming to be a terminal when `tty`. */
function sink(tty: boolean): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => {
    text += c.toString('utf8');
  });
  if (tty) Object.assign(stream, { isTTY: true });
  return { stream, text: () => text };
}

describe('createProgress', () => {
  it('draws a bar with percent and count on a TTY, redrawing in place, and erases it at the end', () => {
    const out = sink(true);
    let t = 0;
    const p = createProgress(out.stream, 'his', 'rows', () => (t += 1000));
    p.update(10, 0.25);
    p.update(2000, 1);
    p.finish();
    const frames = out
      .text()
      .split('\r')
      .filter((f) => f !== '');
    expect(frames[0]).toMatch(/^his \[#{8}-{22}\]\s+25%\s+10 rows/);
    expect(frames[0]?.endsWith('\x1b[K')).toBe(true);
    expect(frames[1]).toMatch(/^his \[#{30}\] 100%\s+2,000 rows/);
    expect(frames.at(-1)).toBe('\x1b[K');
  });

  it('shows a count alone when the total is unknown, and skips frames closer than 100 ms', () => {
    const out = sink(true);
    let t = 0;
    const p = createProgress(out.stream, 'convert', 'bytes', () => (t += 10));
    p.update(1);
    p.update(2);
    expect(out.text()).toBe('\rconvert 1 bytes\x1b[K');
  });

  it('writes nothing when the stream is not a terminal', () => {
    const out = sink(false);
    const p = createProgress(out.stream, 'his', 'rows');
    p.update(5, 0.5);
    p.finish();
    expect(out.text()).toBe('');
  });
});

describe('haystack convert progress', () => {
  const grid = `ver:"3.0"\nts,val\n${Array.from({ length: 2000 }, (_, i) => `${i},${i * 2}`).join('\n')}\n`;
  writeFileSync(path.join(dir, 'big.zinc'), grid);

  async function convert(tty: boolean): Promise<{ code: number; stdout: string; stderr: string }> {
    const out = sink(false);
    const err = sink(tty);
    const io: CliIo = {
      stdin: new PassThrough(),
      stdout: out.stream,
      stderr: err.stream,
      env: {},
      cwd: dir,
      signal: new AbortController().signal,
    };
    const code = await runCli(['convert', 'big.zinc', '--to', 'csv'], io);
    return { code, stdout: out.text(), stderr: err.text() };
  }

  it('shows a bar on a terminal and leaves stdout the same as without one', async () => {
    const tty = await convert(true);
    const piped = await convert(false);
    expect(tty.code).toBe(0);
    expect(tty.stderr).toMatch(/convert \[#+-*\]\s+\d+%/);
    expect(tty.stderr.endsWith('\r\x1b[K')).toBe(true);
    expect(piped.stderr).toBe('');
    expect(tty.stdout).toBe(piped.stdout);
    expect(piped.stdout.split('\n')).toHaveLength(2002);
  });
});
