// A value rendered by kind: Refs link to their entity, Uris to their address, markers as a check mark.

import type { VNode } from 'preact';
import { kindOf, type Val } from '../core/kinds/kind.js';
import type { Ref } from '../core/kinds/ref.js';
import type { Uri } from '../core/kinds/uri.js';
import { html } from './html.js';
import { entityHref, valText } from './values.js';

/** Props of {@link ValView}. */
export interface ValViewProps {
  /** The value (undefined or null: an empty cell). */
  readonly v: Val | undefined;
  /** Tab index of a link (-1 inside a grid, whose cells are reached with the arrow keys, not Tab). */
  readonly tabIndex?: number;
}

/** One value, marked up by kind (`class="k-number"` ...) so styles and tests can tell kinds apart. */
export function ValView({ v, tabIndex }: ValViewProps): VNode | null {
  if (v === undefined || v === null) return null;
  const kind = kindOf(v);
  if (kind === 'ref') {
    const r = v as Ref;
    return html`<a class="k-ref" href=${entityHref(r.id)} tabindex=${tabIndex} title=${`@${r.id}`}>${valText(r)}</a>`;
  }
  if (kind === 'uri') {
    const u = (v as Uri).val;
    // Only web addresses become links: a javascript: Uri in the data must not run on click.
    return /^https?:\/\//i.test(u)
      ? html`<a class="k-uri" href=${u} rel="noopener noreferrer" target="_blank" tabindex=${tabIndex}>${u}</a>`
      : html`<span class="k-uri">${u}</span>`;
  }
  if (kind === 'marker') return html`<span class="k-marker" title="Marker" aria-label="Marker">\u2713</span>`;
  return html`<span class=${`k-${kind}`}>${valText(v)}</span>`;
}
