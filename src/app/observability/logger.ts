// The app's structured logger: pino JSON lines (or a pretty line per record on a TTY), a child per subsystem.

import { type LevelWithSilent, type Logger, pino } from 'pino';
import { checkOptionNames, choiceOption, type OptionNames } from '../../core/options.js';
import type { AppOutput } from '../app-output.js';
import { logLine, logSafe } from '../logging.js';
import { LOG_LEVELS } from '../serve-defaults.js';

const LOGGER_OPTIONS: OptionNames<LoggerOptions> = { level: true, format: true, write: true, fields: true };

/** How records are written: `json` (one JSON object per line, for shipping) or `pretty` (one readable line). */
export type LogFormat = 'json' | 'pretty';

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Least severe level written (default `info`). */
  readonly level?: LevelWithSilent;
  /** Record format (default `json`). */
  readonly format?: LogFormat;
  /** Where each line goes, without its newline. */
  readonly write: (line: string) => void;
  /** Fields on every record (a cluster worker's `worker` index, so the lines of N processes can be told apart). */
  readonly fields?: Readonly<Record<string, string | number>>;
}

/** The app's logger (a pino logger: `child({ subsystem })`, `info(fields, msg)`, ...). */
export type AppLogger = Logger;

// Fields whose values must never reach a log, wherever they appear: pino replaces them before writing.
const SECRET_PATHS = [
  'password',
  'token',
  'authToken',
  'authorization',
  'proof',
  'secret',
  '*.password',
  '*.token',
  '*.authToken',
  '*.authorization',
  '*.proof',
  '*.secret',
];

// JSON escapes C0 controls already; these are the characters it leaves that can still fool a reader or a terminal.
const UNSAFE_IN_JSON = /[\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

// A record's string values that hold a character JSON leaves raw, escaped as text.
function escapeUnsafe(record: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(record)) {
    if (typeof v === 'string' && UNSAFE_IN_JSON.test(v)) record[k] = logSafe(v);
  }
  return record;
}

/** Make the logger: `json` lines as pino writes them, or `pretty` lines (`TIME level msg key=value ...`). */
export function createLogger(options: LoggerOptions): AppLogger {
  checkOptionNames('Logger options', options, LOGGER_OPTIONS);
  choiceOption('Logger options', 'level', options.level, LOG_LEVELS);
  const write = options.write;
  const pretty = options.format === 'pretty';
  const destination = {
    write(record: string): void {
      const line = record.endsWith('\n') ? record.slice(0, -1) : record;
      write(pretty ? prettyLine(line) : line);
    },
  };
  return pino(
    {
      level: options.level ?? 'info',
      base: options.fields === undefined ? null : { ...options.fields },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        // Values from requests (op names, user names) are escaped once more where JSON would let them through; a
        // pretty line escapes every value itself (escaping here too would show `\\u0085` for U+0085).
        ...(pretty ? {} : { log: escapeUnsafe }),
      },
      redact: { paths: SECRET_PATHS, censor: '[redacted]' },
    },
    destination,
  );
}

// Fields a pretty line leaves out or places itself.
const PRETTY_SKIP = new Set(['level', 'time', 'msg', 'subsystem']);

/**
 * One JSON record as a readable line: `2026-01-15T10:00:00.000Z info request addr=127.0.0.1 ... ms=1.2`, the same
 * logfmt line the server wrote before it logged JSON (control characters escaped, odd values quoted).
 */
export function prettyLine(json: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return logSafe(json);
  }
  const time = typeof record.time === 'string' ? Date.parse(record.time) : Date.now();
  const fields: Record<string, string | number | undefined> = {};
  for (const [k, v] of Object.entries(record)) {
    if (PRETTY_SKIP.has(k)) continue;
    fields[k] =
      v === null || v === undefined
        ? undefined
        : typeof v === 'number'
          ? v
          : typeof v === 'string'
            ? v
            : JSON.stringify(v);
  }
  const level = typeof record.level === 'string' ? record.level : 'info';
  return logLine(time, level, typeof record.msg === 'string' ? record.msg : '', fields);
}

/**
 * `out` with its warnings (background failures: a worker that died, a purge or the demo simulator failing) written
 * as `error` records of `logger` (subsystem `server`): a plain line among JSON records would break whoever parses
 * the log, and at `error` they still show under `--quiet`.
 */
export function warningsLogged(out: AppOutput, logger: AppLogger): AppOutput {
  const server = logger.child({ subsystem: 'server' });
  return {
    ...out,
    warn: (line) => {
      server.error(line);
    },
  };
}
