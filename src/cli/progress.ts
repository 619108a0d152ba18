// A one-line progress bar on stderr for long commands, drawn only when stderr is a terminal (never into a pipe).

import type { Writable } from 'node:stream';

/** A progress display; every method is a no-op when the stream is not a TTY. */
export interface Progress {
  /** Report `count` units done and, when known, the fraction of the whole (0-1) for the bar. */
  update(count: number, ratio?: number): void;
  /** Erase the bar (call once, when the work ends or fails). */
  finish(): void;
}

const WIDTH = 30;
// Redrawing on every row would cost more than the work; a few frames a second reads as smooth.
const FRAME_MS = 100;

const NONE: Progress = { update: () => undefined, finish: () => undefined };

/** True when `stream` is an interactive terminal. */
export function isTty(stream: Writable): boolean {
  return (stream as { isTTY?: unknown }).isTTY === true;
}

/**
 * A bar `label [#####-----]  42%  1,234 rows` on `stream` when it is a TTY, else a progress that prints nothing.
 * `now` is injectable so tests can draw every frame.
 */
export function createProgress(stream: Writable, label: string, unit: string, now: () => number = Date.now): Progress {
  if (!isTty(stream)) return NONE;
  let last = Number.NEGATIVE_INFINITY;
  let drawn = false;
  return {
    update(count, ratio) {
      const t = now();
      if (t - last < FRAME_MS) return;
      last = t;
      const done = `${count.toLocaleString('en-US')} ${unit}`;
      let line = `${label} ${done}`;
      if (ratio !== undefined && Number.isFinite(ratio)) {
        const r = Math.min(1, Math.max(0, ratio));
        const filled = Math.round(r * WIDTH);
        const bar = `${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}`;
        line = `${label} [${bar}] ${String(Math.floor(r * 100)).padStart(3)}%  ${done}`;
      }
      // \r and "erase to end of line" redraw in place.
      stream.write(`\r${line}\x1b[K`);
      drawn = true;
    },
    finish() {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}
