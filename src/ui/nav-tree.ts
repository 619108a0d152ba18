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

// Opening an entity from the tree and coming Back mounts a new tree: without these it came back closed, and the
// user opened the site and the equipment again to find the point they had left by. Kept for the page's life.
const opened = new Set<string>();
let leftBy: string | undefined;

// The link of the entity last opened from the tree takes the focus (and so comes into view) as it is shown again,
// unless the user has put the focus somewhere since.
function backTo(link: HTMLElement | null): void {
  const at = document.activeElement;
  if (link !== null && (at === document.body || at?.id === 'main')) link.focus();
}

function NavNode({ session, row, level }: NodeProps): VNode {
  const navId = row.get('navId');
  const id = row.id?.id;
  const key = id ?? valText(navId);
  const [open, setOpen] = useState(() => opened.has(key));
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
              if (open) opened.delete(key);
              else opened.add(key);
              setOpen(!open);
            }}>${open ? '\u25be' : '\u25b8'}</button>`
          : html`<span class="tree-toggle" aria-hidden="true"></span>`
      }
      ${
        id === undefined
          ? html`<span class="tree-label" tabindex="-1">${label}</span>`
          : html`<a class="tree-label" href=${entityHref(id)} ref=${id === leftBy ? backTo : undefined} onClick=${() => {
              leftBy = id;
            }}>${label}</a>`
      }
      ${kind === '' ? null : html`<span class="tag-chip">${kind}</span>`}
      ${cur === null ? null : html`<span class="tree-cur">${valText(cur)}</span>`}
    </div>
    ${open && expandable ? html`<${NavChildren} session=${session} navId=${navId} level=${level + 1} />` : null}
  </li>`;
}

// The keys of a tree (WAI-ARIA's tree view pattern): a screen reader announces a tree, and its users then move
// with the arrows, not Tab. The items are the ones in the DOM: a closed node's children are not rendered.
function onTreeKey(e: KeyboardEvent): void {
  const tree = e.currentTarget as HTMLElement;
  const item = (e.target as HTMLElement).closest('[role="treeitem"]');
  if (item === null) return;
  const items = [...tree.querySelectorAll('[role="treeitem"]')];
  const at = items.indexOf(item);
  const focus = (el: Element | null | undefined): void => {
    el?.querySelector<HTMLElement>(':scope > .tree-line > .tree-label')?.focus();
  };
  const toggle = (): void => {
    item.querySelector<HTMLButtonElement>(':scope > .tree-line > .tree-toggle')?.click();
  };
  const expanded = item.getAttribute('aria-expanded');
  if (e.key === 'ArrowDown') focus(items[at + 1]);
  else if (e.key === 'ArrowUp') focus(items[at - 1]);
  else if (e.key === 'Home') focus(items[0]);
  else if (e.key === 'End') focus(items.at(-1));
  else if (e.key === 'ArrowRight') {
    if (expanded === 'false') toggle();
    else if (expanded === 'true') focus(item.querySelector('[role="treeitem"]'));
  } else if (e.key === 'ArrowLeft') {
    if (expanded === 'true') toggle();
    else focus(item.parentElement?.closest('[role="treeitem"]'));
  } else return;
  e.preventDefault();
}

interface ChildrenProps {
  readonly session: Session;
  readonly navId: Val | undefined;
  readonly level: number;
}

function NavChildren({ session, navId, level }: ChildrenProps): VNode {
  const kids = useAsync(() => session.client.nav(navId), [navId], session.live);
  if (kids.error !== undefined) return html`<p class="error" role="alert">${kids.error}</p>`;
  if (kids.value === undefined) return html`<p class="muted" role="status">Loading\u2026</p>`;
  const rows = kids.value.rows;
  return html`<ul role=${level === 1 ? 'tree' : 'group'} aria-label=${level === 1 ? 'Building' : undefined}
    onKeyDown=${level === 1 ? onTreeKey : undefined}>
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
