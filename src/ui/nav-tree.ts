// The building as a tree (site > equip > point) from the `nav` op, children loaded when a node opens.

import type { VNode } from 'preact';
import { useState } from 'preact/hooks';
import type { Dict } from '../core/grid/dict.js';
import type { Val } from '../core/kinds/kind.js';
import { html } from './html.js';
import type { Session } from './session.js';
import { useAsync } from './use-async.js';
import { entityHref, valText } from './values.js';

interface NodeProps {
  readonly session: Session;
  readonly row: Dict;
  readonly level: number;
}

function kindLabel(row: Dict): string {
  for (const m of ['site', 'space', 'equip', 'point', 'weatherStation']) if (row.has(m)) return m;
  return '';
}

function NavNode({ session, row, level }: NodeProps): VNode {
  const [open, setOpen] = useState(false);
  const navId = row.get('navId');
  const id = row.id?.id;
  const expandable = navId !== null;
  const label = row.dis();
  const kind = kindLabel(row);
  const cur = row.get('curVal');
  return html`<li role="treeitem" aria-expanded=${expandable ? open : undefined} aria-level=${level}
    aria-label=${label} class=${`tree-node ${kind}`}>
    <div class="tree-line">
      ${
        expandable
          ? html`<button type="button" class="tree-toggle" aria-label=${`${open ? 'Collapse' : 'Expand'} ${label}`}
            onClick=${() => {
              setOpen(!open);
            }}>${open ? '\u25be' : '\u25b8'}</button>`
          : html`<span class="tree-toggle" aria-hidden="true"></span>`
      }
      ${id === undefined ? html`<span>${label}</span>` : html`<a href=${entityHref(id)}>${label}</a>`}
      ${kind === '' ? null : html`<span class="tag-chip">${kind}</span>`}
      ${cur === null ? null : html`<span class="tree-cur">${valText(cur)}</span>`}
    </div>
    ${open && expandable ? html`<${NavChildren} session=${session} navId=${navId} level=${level + 1} />` : null}
  </li>`;
}

interface ChildrenProps {
  readonly session: Session;
  readonly navId: Val | undefined;
  readonly level: number;
}

function NavChildren({ session, navId, level }: ChildrenProps): VNode {
  const kids = useAsync(() => session.client.nav(navId), [navId]);
  if (kids.error !== undefined) return html`<p class="error" role="alert">${kids.error}</p>`;
  if (kids.value === undefined) return html`<p class="muted" role="status">Loading\u2026</p>`;
  const rows = kids.value.rows;
  return html`<ul role=${level === 1 ? 'tree' : 'group'} aria-label=${level === 1 ? 'Building' : undefined}>
    ${rows.length === 0 ? html`<li class="muted">(empty)</li>` : null}
    ${rows.map((row, i) => html`<${NavNode} key=${row.id?.id ?? i} session=${session} row=${row} level=${level} />`)}
  </ul>`;
}

/** Props of {@link NavTree}. */
export interface NavTreeProps {
  readonly session: Session;
}

/** The tree from the root of `nav`. */
export function NavTree({ session }: NavTreeProps): VNode {
  return html`<div class="nav-tree"><${NavChildren} session=${session} navId=${undefined} level=${1} /></div>`;
}
