// Screens in chunks of their own: a component whose code is fetched (`import()`) the first time it is shown.

import type { VNode } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { loadOnce, onServerUpdated, serverUpdated } from './load-once.js';
import { errorText } from './use-async.js';

/** True once the server is found to run a newer build than the page's (see {@link serverUpdated}). */
export function useServerUpdated(): boolean {
  const [updated, setUpdated] = useState(serverUpdated);
  useEffect(
    () =>
      onServerUpdated(() => {
        setUpdated(true);
      }),
    [],
  );
  return updated;
}

/** Under the header once the server runs a newer build: the page's chunks are gone, so it asks for a reload. */
export function UpdateNotice(): VNode | null {
  return useServerUpdated()
    ? html`<p class="update" role="alert">A new version of the server is running: reload the page to use it.${' '}
      <button type="button" onClick=${() => {
        location.reload();
      }}>Reload</button></p>`
    : null;
}

/** A screen component as its module exports it. */
type View<P> = (props: P) => VNode;

/**
 * A component that shows `load`'s component once its chunk has arrived, and a status line until then. The chunk is
 * fetched once; a failed fetch (the server went away, or was updated and no longer has the chunk) says so, and the
 * next showing tries again.
 */
export function lazyView<P extends object>(name: string, load: () => Promise<View<P>>): View<P> {
  let loaded: View<P> | undefined;
  const fetchView = loadOnce(async () => (loaded = await load()));
  return function LazyView(props: P): VNode {
    const [view, setView] = useState<View<P> | undefined>(() => loaded);
    const [error, setError] = useState<string | undefined>(undefined);
    const updated = useServerUpdated();
    useEffect(() => {
      if (view !== undefined) return undefined;
      let current = true;
      fetchView().then(
        (v) => {
          if (current) setView(() => v);
        },
        (err: unknown) => {
          if (current) setError(errorText(err));
        },
      );
      return () => {
        current = false;
      };
    }, []);
    if (view !== undefined) return html`<${view} ...${props} />`;
    // A server updated since the page was loaded no longer has this chunk: only a reload finds the new one, and the
    // notice under the header says so (one alert, not two).
    if (error !== undefined)
      return updated
        ? html`<p class="error">Cannot load the ${name} screen of this version.</p>`
        : html`<p class="error" role="alert">Cannot load the ${name} screen (${error}): open it again or reload.</p>`;
    return html`<p class="muted" role="status">Loading the ${name} screen\u2026</p>`;
  };
}
