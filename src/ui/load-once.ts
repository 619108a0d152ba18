// Chunks fetched with import(): shared while they load or once loaded, fetched again after a failure; and told apart
// when one is gone for good because the server now runs a newer build.

let updated = false;
const updateListeners = new Set<() => void>();

/** True once a file of this page's build is gone from the server (404): it runs a newer one, only a reload helps. */
export function serverUpdated(): boolean {
  return updated;
}

/** Be told when {@link serverUpdated} turns true; returns the unsubscribe. */
export function onServerUpdated(fn: () => void): () => void {
  updateListeners.add(fn);
  return () => {
    updateListeners.delete(fn);
  };
}

// A failed import() does not say why: a network blip or a server restarting (503) passes, a file the server no
// longer has (404) does not, so the file is asked for again. Chromium and Firefox name it in the error; else (or
// for a failure that was no import) the page's entry stands for its build: every name carries a content hash, so a
// new build renames the entry too.
async function checkGone(err: unknown): Promise<void> {
  const url =
    /https?:\/\/\S+\.js\b/.exec(String(err))?.[0] ??
    document.querySelector<HTMLScriptElement>('script[type="module"]')?.src;
  if (updated || url === undefined) return;
  try {
    if ((await fetch(url, { method: 'HEAD', cache: 'no-store' })).status !== 404) return;
  } catch {
    return;
  }
  updated = true;
  for (const fn of updateListeners) fn();
}

/**
 * Find out whether a failed load of code this page did not import itself (the client's lazy SCRAM login) was a file
 * the server no longer has: a newer build, which {@link serverUpdated} then says.
 */
export function checkLoadFailure(err: unknown): void {
  void checkGone(err);
}

/**
 * `load` called on first use and its promise shared, except a failed one: the next call loads again. A failed
 * import() (a network blip, a server restarting) is not kept by Chromium, so asking again fetches the chunk again.
 */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= load().catch((err: unknown) => {
      loading = undefined;
      void checkGone(err);
      throw err;
    }));
}
