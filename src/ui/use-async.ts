// Loading state for screens: a promise's value, its error, and whether it is still running.

import { useEffect, useState } from 'preact/hooks';
import type { LiveHub } from './live.js';

/** What a screen shows while loading, after success and after failure. */
export interface AsyncState<T> {
  readonly value: T | undefined;
  readonly error: string | undefined;
  readonly loading: boolean;
}

/** The text of an error for a person (the typed errors carry the server's `dis`). */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Run `load` whenever `deps` change, and after a failure when `live` connects again (the server is back); a result
 * that arrives after a newer run started is dropped.
 */
export function useAsync<T>(load: () => Promise<T>, deps: readonly unknown[], live?: LiveHub): AsyncState<T> {
  const [state, setState] = useState<AsyncState<T>>({ value: undefined, error: undefined, loading: true });
  const [back, setBack] = useState({});
  useEffect(
    () =>
      state.error === undefined
        ? undefined
        : live?.onState((s) => {
            if (s === 'live') setBack({});
          }),
    [state.error],
  );
  useEffect(() => {
    let current = true;
    setState((s) => ({ ...s, loading: true, error: undefined }));
    load().then(
      (value) => {
        if (current) setState({ value, error: undefined, loading: false });
      },
      (err: unknown) => {
        if (current) setState({ value: undefined, error: errorText(err), loading: false });
      },
    );
    return () => {
      current = false;
    };
  }, [...deps, back]);
  return state;
}
