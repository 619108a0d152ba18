// The CLI's view of the process: streams and environment, injectable so commands run in tests in-process.

import type { Readable, Writable } from 'node:stream';

/** Streams and environment a command uses instead of touching `process` directly. */
export interface CliIo {
  /** Standard input. */
  readonly stdin: Readable;
  /** Standard output. */
  readonly stdout: Writable;
  /** Standard error. */
  readonly stderr: Writable;
  /** Environment variables. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Working directory that relative paths resolve against. */
  readonly cwd: string;
  /** Aborted when the user asks the process to stop (SIGINT/SIGTERM). */
  readonly signal: AbortSignal;
  /**
   * Listen for SIGHUP (`haystack serve` with TLS reads its certificate files again); returns the function that
   * stops listening. Absent where there is no such signal (tests, embedding).
   */
  readonly onHangup?: (listener: () => void) => () => void;
}

/** A command failure with the exit code to use; its message goes to stderr as is. */
export class CliExit extends Error {
  /** Process exit code. */
  readonly exitCode: number;

  constructor(exitCode: number, message: string) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** Read all of a stream as UTF-8 text. */
export async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Write command output to stdout, ending it with exactly the newline it may lack. */
export function writeOut(io: CliIo, text: string): void {
  io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}
