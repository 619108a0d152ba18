// Vitest reporter that ends the run with the line `N passed, N failed[, N skipped]` that CI parses.
import { writeSync } from 'node:fs';
import type { Reporter, SerializedError, TestModule, Vitest } from 'vitest/node';

/** Counts of a finished run: tests by outcome, plus load failures counted as failed. */
export interface RunCounts {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

/** Counts tests by outcome; a test file that failed without any failed test (e.g. an import error) and each
 * unhandled error count as one failure each, so the line never reads "0 failed" for a failing run. */
export function countRun(modules: readonly TestModule[], unhandledErrors: readonly unknown[]): RunCounts {
  let passed = 0;
  let failed = unhandledErrors.length;
  let skipped = 0;
  for (const mod of modules) {
    let moduleFailed = 0;
    for (const test of mod.children.allTests()) {
      const state = test.result().state;
      if (state === 'passed') passed++;
      else if (state === 'failed') moduleFailed++;
      else skipped++;
    }
    if (moduleFailed === 0 && mod.state() === 'failed') moduleFailed = 1;
    failed += moduleFailed;
  }
  return { passed, failed, skipped };
}

/** Formats the closing line exactly as CI expects it. */
export function summaryLine(c: RunCounts): string {
  return `${c.passed} passed, ${c.failed} failed${c.skipped > 0 ? `, ${c.skipped} skipped` : ''}`;
}

/**
 * Prints the summary line as the very last line of the run: coverage and threshold reports come after
 * `onTestRunEnd`, so a single run prints at process exit; watch mode prints after each run.
 */
export class SummaryReporter implements Reporter {
  #counts: RunCounts | undefined;
  #watch = false;

  onInit(vitest: Vitest): void {
    this.#watch = vitest.config.watch;
    process.once('exit', () => {
      this.#print();
    });
  }

  onTestRunEnd(modules: readonly TestModule[], unhandledErrors: readonly SerializedError[]): void {
    this.#counts = countRun(modules, unhandledErrors);
    if (this.#watch) this.#print();
  }

  #print(): void {
    if (this.#counts === undefined) return;
    // Synchronous, so the line cannot be reordered behind buffered output when the process is exiting.
    writeSync(1, `${summaryLine(this.#counts)}\n`);
    this.#counts = undefined;
  }
}
