// What `haystack convert` does: pick the formats, decode the input as it streams in, write it in the other format.

import { createReadStream } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FORMAT_NAMES } from '../core/codec/negotiate.js';
import { describeErrno } from '../core/errno-text.js';
import {
  CODECS,
  type Codec,
  codecByName,
  codecForExtension,
  decodeZincStream,
  HaystackError,
  ParseError,
  type Val,
} from '../core/index.js';
import type { ConvertOptions } from './convert-command.js';
import { CliExit, type CliIo } from './io.js';
import { INPUT_FORMAT_NAMES } from './output.js';
import { createProgress, type Progress } from './progress.js';

const READABLE = INPUT_FORMAT_NAMES;
const WRITABLE: readonly string[] = FORMAT_NAMES;

/** Convert IN (stdin when undefined) to OUT (stdout when undefined) in the formats asked or told by extension. */
export async function runConvert(
  input: string | undefined,
  output: string | undefined,
  options: ConvertOptions,
  io: CliIo,
): Promise<void> {
  const from = pickCodec('--from', options.from, input, READABLE);
  const to = pickCodec('--to', options.to, output, WRITABLE);
  const decode = from.decode;
  if (decode === undefined) {
    throw new CliExit(2, `haystack convert: ${from.dis} cannot be read (use ${READABLE.join(', ')})`);
  }
  const label = input ?? '<stdin>';
  let val: Val;
  const progress = createProgress(io.stderr, 'convert', 'bytes');
  try {
    const { chunks, total } = input === undefined ? { chunks: io.stdin, total: undefined } : await openInput(input, io);
    val = await decodeChunks(from, decode, counted(chunks, total, progress));
  } catch (err) {
    // Invalid input: `IN:line:col: message`, and nothing on stdout.
    if (err instanceof ParseError) throw new CliExit(1, `${label}:${err.line}:${err.column}: ${err.reason}`);
    if (err instanceof HaystackError) throw new CliExit(1, `${label}: ${err.message}`);
    throw err;
  } finally {
    progress.finish();
  }
  let out = to.encode(val);
  if (!out.endsWith('\n')) out += '\n';
  if (output === undefined) io.stdout.write(out);
  else await writeText(output, out, io);
}

// The codec named by a flag, else by the file's extension, else Zinc (the HTTP API's default).
function pickCodec(
  flag: string,
  name: string | undefined,
  file: string | undefined,
  allowed: readonly string[],
): Codec {
  if (name !== undefined) {
    const c = codecByName(name);
    if (c === undefined || !allowed.includes(c.name)) {
      throw new CliExit(
        2,
        `haystack convert: unknown ${flag} format ${JSON.stringify(name)} (use ${allowed.join(', ')})`,
      );
    }
    return c;
  }
  if (file === undefined) return CODECS[0] as Codec;
  const c = codecForExtension(file);
  if (c === undefined || !allowed.includes(c.name)) {
    const exts = CODECS.filter((x) => allowed.includes(x.name)).map((x) => `.${x.extensions[0] ?? x.name}`);
    throw new CliExit(
      2,
      `haystack convert: cannot tell the format of ${file} from its extension (${[...new Set(exts)].join(' ')}); use ${flag}`,
    );
  }
  return c;
}

async function openInput(
  file: string,
  io: CliIo,
): Promise<{ readonly chunks: AsyncIterable<Buffer>; readonly total: number | undefined }> {
  const full = path.resolve(io.cwd, file);
  let size: number;
  try {
    const info = await stat(full);
    // A folder opens as a stream, then fails at its first read with a message that names no file.
    if (info.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    size = info.size;
  } catch (err) {
    throw new CliExit(1, `haystack convert: cannot read ${file}: ${describeErrno(err)}`);
  }
  return { chunks: createReadStream(full), total: size };
}

/** The chunks of `source` as they pass, counted into `progress` (a bar when the total size is known). */
async function* counted(
  source: AsyncIterable<unknown>,
  total: number | undefined,
  progress: Progress,
): AsyncGenerator<Uint8Array, void, undefined> {
  let bytes = 0;
  for await (const chunk of source) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    bytes += buf.length;
    progress.update(bytes, total === undefined || total === 0 ? undefined : bytes / total);
    yield buf;
  }
}

// Zinc grids decode as the bytes arrive (so the bar moves through the decoding, and history lands in typed
// columns); anything else (other formats, a single Zinc value) is read whole first.
async function decodeChunks(
  from: Codec,
  decode: (text: string) => Val,
  chunks: AsyncIterable<Uint8Array>,
): Promise<Val> {
  const it = chunks[Symbol.asyncIterator]();
  try {
    const first = await it.next();
    if (first.done === true) return decode('');
    const head = first.value;
    const rest: AsyncIterable<Uint8Array> = { [Symbol.asyncIterator]: () => it };
    if (from.name === 'zinc' && ZINC_GRID_START.test(Buffer.from(head.subarray(0, 64)).toString('latin1'))) {
      return await decodeZincStream(prepend(head, rest));
    }
    const parts: Uint8Array[] = [head];
    for await (const chunk of rest) parts.push(chunk);
    return decode(Buffer.concat(parts).toString('utf8'));
  } finally {
    // A decode error leaves the file half-read: close it now, not at garbage collection.
    await it.return?.();
  }
}

// A Zinc grid starts with its version line (after an optional BOM and blank space).
const ZINC_GRID_START = /^(\uFEFF|\xEF\xBB\xBF)?\s*ver:/;

async function* prepend(
  head: Uint8Array,
  rest: AsyncIterable<Uint8Array>,
): AsyncGenerator<Uint8Array, void, undefined> {
  yield head;
  yield* rest;
}

async function writeText(file: string, text: string, io: CliIo): Promise<void> {
  try {
    await writeFile(path.resolve(io.cwd, file), text, 'utf8');
  } catch (err) {
    throw new CliExit(1, `haystack convert: cannot write ${file}: ${describeErrno(err)}`);
  }
}
