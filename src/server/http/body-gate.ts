// Admission of large request bodies: at most a few are read and decoded at once, the rest wait their turn.

/**
 * A counting gate for request bodies of at least `largeBytes` (or of unknown length): at most `maxLarge` of them
 * are read and decoded at a time, so that several huge uploads at once neither multiply the memory they pin
 * nor queue their decoding back to back on the event loop ahead of small requests. Small bodies never wait.
 */
export class BodyGate {
  readonly #waiting: (() => void)[] = [];
  #active = 0;

  constructor(
    readonly largeBytes: number,
    readonly maxLarge: number,
  ) {}

  /** True when a body declared as `contentLength` (undefined: chunked, unknown) must pass the gate. */
  isLarge(contentLength: number | undefined): boolean {
    return contentLength === undefined || contentLength >= this.largeBytes;
  }

  /** Run `work` once a slot is free; the slot is released when it settles. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#active >= this.maxLarge) {
      await new Promise<void>((resolve) => {
        this.#waiting.push(resolve);
      });
    } else {
      this.#active++;
    }
    try {
      return await work();
    } finally {
      // Hand the slot straight to the next waiter, or free it.
      const next = this.#waiting.shift();
      if (next === undefined) this.#active--;
      else next();
    }
  }
}
