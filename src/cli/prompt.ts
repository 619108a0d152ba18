// Asking for a secret on the CLI: hidden typing on a terminal, one line at a time from a pipe.

import { createInterface, type Interface } from 'node:readline';
import type { Readable } from 'node:stream';
import { CliExit, type CliIo } from './io.js';

/** Asks questions on stderr and reads the answers from stdin. */
export interface Prompter {
  /**
   * Ask for the secret of `name`: not echoed on a terminal; from a pipe, the next line. Fails when stdin has ended,
   * with a usage error that says where else it may come from (`elsewhere`, e.g. `set $HAYSTACK_PASSWORD`).
   */
  secret(question: string, name: string, elsewhere: string): Promise<string>;
  /** Release stdin. */
  close(): void;
}

interface RawInput extends Readable {
  readonly isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

function readHidden(input: RawInput, setRaw: (mode: boolean) => unknown, io: CliIo): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const done = (err?: Error): void => {
      input.off('data', onData);
      setRaw(false);
      input.pause();
      io.stderr.write('\n');
      if (err === undefined) resolve(text);
      else reject(err);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          done();
          return;
        }
        if (ch === '\u0003') {
          done(new CliExit(130, ''));
          return;
        }
        if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
        else text += ch;
      }
    };
    setRaw(true);
    input.resume();
    input.on('data', onData);
  });
}

/** A prompter over the command's stdin and stderr, for `haystack <command>`. */
export function createPrompter(io: CliIo, command: string): Prompter {
  const input = io.stdin as RawInput;
  let lines: AsyncIterator<string> | undefined;
  let rl: Interface | undefined;
  return {
    async secret(question, name, elsewhere) {
      io.stderr.write(question);
      const setRaw = input.setRawMode?.bind(input);
      if (input.isTTY === true && setRaw !== undefined) return readHidden(input, setRaw, io);
      rl ??= createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY, terminal: false });
      lines ??= rl[Symbol.asyncIterator]();
      const next = await lines.next();
      io.stderr.write('\n');
      if (next.done === true) {
        throw new CliExit(2, `haystack ${command}: no password for ${name}: stdin has ended; ${elsewhere}`);
      }
      return next.value;
    },
    close() {
      rl?.close();
    },
  };
}
