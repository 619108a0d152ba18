// A queue read by `for await`: producers put items at any time, one consumer takes them until the end or an abort.

/** Items waiting for one async consumer. */
export class AsyncQueue<T> {
  readonly #items: T[] = [];
  #wake: (() => void) | undefined;
  #ended = false;
  #error: Error | undefined;

  /** True once `end()` was called. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Add an item (ignored once ended). */
  put(item: T): void {
    if (this.#ended) return;
    this.#items.push(item);
    this.#wake?.();
  }

  /** No more items: the consumer finishes once it has taken those already queued, then throws `error` if given. */
  end(error?: Error): void {
    // The first end holds: a watch closed before its connection was lost ends quietly.
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    this.#wake?.();
  }

  /** Yield items as they come, until `end()` (which may throw) or until `signal` aborts. */
  async *take(signal?: AbortSignal): AsyncGenerator<T, void, undefined> {
    const onAbort = (): void => this.#wake?.();
    signal?.addEventListener('abort', onAbort);
    try {
      for (;;) {
        if (signal?.aborted === true) return;
        if (this.#items.length > 0) {
          yield this.#items.shift() as T;
          continue;
        }
        if (this.#ended) {
          if (this.#error !== undefined) throw this.#error;
          return;
        }
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        this.#wake = undefined;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }
}
