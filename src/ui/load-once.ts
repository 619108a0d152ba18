// Chunks fetched with import(): shared while they load or once loaded, fetched again after a failure.

/**
 * `load` called on first use and its promise shared, except a failed one: the next call loads again. A failed
 * import() (a network blip, a server restarting) is not kept by Chromium, so asking again fetches the chunk again.
 */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= load().catch((err: unknown) => {
      loading = undefined;
      throw err;
    }));
}
