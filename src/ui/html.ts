// htm bound to preact: tagged templates instead of JSX, so the UI builds with esbuild alone (no JSX step).

export { html } from 'htm/preact';
