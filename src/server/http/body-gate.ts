// Admission of large request bodies: their bytes are held under a shared budget, and few are decoded at once.

import { HaystackError } from '../../core/errors.js';

/** The bytes one large body holds in its gate's budget, from its first byte until {@link BodyHold.release}. */
export interface BodyHold {
  /** Count `bytes` more of the body; false (nothing counted) when they do not fit in the budget. */
  readonly take: (bytes: number) => boolean;
  /** Give back everything this body took; harmless twice. */
  readonly release: () => void;
}

/** The refusal of a large body that does not fit beside those already held: a passing state, so 503 and retry. */
export function budgetFull(): HaystackError {
  return new HaystackError(
    'HS_ERR_UNAVAILABLE',
    'The server is reading as many large request bodies as it may; retry later',
  );
}

/**
 * The gate for request bodies of at least `largeBytes` (or of unknown length). Their bytes count against a budget of
 * `budgetBytes` as they arrive, so memory is bounded while a slow or stalled upload holds only what it sent; and at
 * most `maxLarge` of them are decoded at a time, each once it has fully arrived, so that several huge bodies neither
 * multiply the memory their decoding takes nor queue it back to back on the event loop ahead of small requests.
 * Reading never holds a decode slot: a client that stops sending cannot keep others' bodies waiting. Small bodies
 * never wait.
 */
export class BodyGate {
  readonly #waiting: (() => void)[] = [];
  #active = 0;
  #held = 0;

  constructor(
    readonly largeBytes: number,
    readonly maxLarge: number,
    readonly budgetBytes: number,
  ) {}

  /** True when a body declared as `contentLength` (undefined: chunked, unknown) must pass the gate. */
  isLarge(contentLength: number | undefined): boolean {
    return contentLength === undefined || contentLength >= this.largeBytes;
  }

  /** A new, empty hold on the budget for one large body. */
  hold(): BodyHold {
    let mine = 0;
    return {
      take: (bytes) => {
        if (this.#held + bytes > this.budgetBytes) return false;
        this.#held += bytes;
        mine += bytes;
        return true;
      },
      release: () => {
        this.#held -= mine;
        mine = 0;
      },
    };
  }

  /** Run `work` (the decoding of a body that has arrived) once a slot is free; the slot is released when it settles. */
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
