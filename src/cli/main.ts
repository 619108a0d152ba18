#!/usr/bin/env node
// Entry point of the `haystack` binary: wires the real process into runCli.

import process from 'node:process';
import { runCli } from './program.js';

const controller = new AbortController();
let stopping = false;
const stop = (): void => {
  // A second Ctrl-C while shutting down means "now".
  if (stopping) process.exit(130);
  stopping = true;
  controller.abort();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
// A reader that went away (`haystack read ... | head -1`) closed the pipe: end quietly with 0, as Unix tools do.
const pipeClosed = (err: NodeJS.ErrnoException): void => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(0);
};
process.stdout.on('error', pipeClosed);
process.stderr.on('error', pipeClosed);

const code = await runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  signal: controller.signal,
  // Installed only by a command that asks: otherwise SIGHUP ends the process, as it did (a closed terminal).
  onHangup: (listener) => {
    process.on('SIGHUP', listener);
    return () => process.off('SIGHUP', listener);
  },
});
process.exitCode = code;
process.removeListener('SIGINT', stop);
process.removeListener('SIGTERM', stop);
