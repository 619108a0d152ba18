// Haystack values for people: text by kind (units kept), sort order, and the entity links of Refs.

import type { Dict } from '../core/grid/dict.js';
import type { Grid } from '../core/grid/grid.js';
import type { HDateTime } from '../core/kinds/date-time.js';
import { compare } from '../core/kinds/equality.js';
import { type Kind, kindOf, type Val } from '../core/kinds/kind.js';
import { type Num, numberText } from '../core/kinds/number.js';
import type { Ref } from '../core/kinds/ref.js';

/** The hash route of an entity's page. */
export function entityHref(id: string): string {
  return `#/entity/${encodeURIComponent(id)}`;
}

/** A number as people read it: up to 3 decimals, grouping off (values are copied into forms and CSV). */
export function numText(n: Num): string {
  const v = n.val;
  const rounded = Math.round(v * 1000) / 1000;
  // Haystack spells the infinities INF and -INF; a value too small for 3 decimals keeps 3 digits rather than read 0.
  const text = !Number.isFinite(v)
    ? numberText(v, undefined)
    : Number.isInteger(v)
      ? String(v)
      : String(rounded === 0 ? Number(v.toPrecision(3)) : rounded);
  return n.unit === undefined ? text : `${text} ${n.unit}`;
}

/** A date-time as `2026-01-15 12:00:00` in its own zone (the zone is shown beside it by the caller). */
export function dateTimeText(dt: HDateTime): string {
  return `${dt.date.toString()} ${dt.time.toString().slice(0, 8)}`;
}

/** One line of text for any value (cells, CSV, titles). */
export function valText(v: Val | undefined): string {
  if (v === undefined || v === null) return '';
  const kind: Kind | 'null' = kindOf(v);
  switch (kind) {
    case 'marker':
      return '\u2713';
    case 'str':
      return v as string;
    case 'bool':
      return (v as boolean) ? 'true' : 'false';
    case 'number':
      return numText(v as Num);
    case 'ref': {
      const r = v as Ref;
      return r.dis ?? `@${r.id}`;
    }
    case 'dateTime': {
      const dt = v as HDateTime;
      return `${dateTimeText(dt)} ${dt.tz.name}`;
    }
    case 'list':
      return `[${(v as readonly Val[]).map((x) => valText(x)).join(', ')}]`;
    case 'dict': {
      // Its values too, as Zinc writes a Dict (a marker by its name alone): names only would hide them everywhere.
      const d = v as Dict;
      return `{${d.names.map((n) => (kindOf(d.get(n)) === 'marker' ? n : `${n}:${valText(d.get(n))}`)).join(' ')}}`;
    }
    case 'grid':
      return `<grid of ${(v as Grid).size} rows>`;
    default:
      return String(v);
  }
}

/** The kind's name as shown in the tag table. */
export function kindName(v: Val | undefined): string {
  return v === undefined ? '' : kindOf(v);
}

/** Sort order of cells: by value (units kept), empty cells last in either direction. */
export function compareCells(a: Val | undefined, b: Val | undefined, dir: 1 | -1): number {
  const na = a === undefined || a === null;
  const nb = b === undefined || b === null;
  if (na || nb) return na === nb ? 0 : na ? 1 : -1;
  return dir * compare(a, b);
}

/** The ids of a dict's Ref tags, other than `id`, as [tag, ref] pairs. */
export function refsOut(d: Dict): readonly (readonly [string, Ref])[] {
  const out: [string, Ref][] = [];
  for (const [name, v] of d.entries()) if (name !== 'id' && kindOf(v) === 'ref') out.push([name, v as Ref]);
  return out;
}
