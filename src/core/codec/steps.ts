// Decoding in steps: a decoder written as a generator pauses between slices of its input, so its caller can let
// other work run (the server yields to the event loop there) and still enforce every limit as it goes.

/** A decode that pauses (yields) after each slice of its input and returns its result at the end. */
export type DecodeSteps<T> = Generator<void, T, undefined>;

/** Run a stepped decode to its end without pausing (the one-shot decoders are this over an unbounded slice). */
export function drainSteps<T>(steps: DecodeSteps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
  }
}
