// Canonical filter text: the one string each AST prints as, which parses back to an equal AST.

import { zincStr, zincUri } from '../codec/zinc/zinc-scalar.js';
import { HDateTime } from '../kinds/date-time.js';
import { Num } from '../kinds/number.js';
import { Ref } from '../kinds/ref.js';
import { Uri } from '../kinds/uri.js';
import type { FilterLiteral, FilterNode } from './ast.js';

/** The canonical text of a filter AST: single spaces, `->` paths, parentheses only around nested and/or. */
export function formatFilter(node: FilterNode): string {
  switch (node.type) {
    case 'has':
      return node.path.join('->');
    case 'missing':
      return `not ${node.path.join('->')}`;
    case 'cmp':
      return `${node.path.join('->')} ${node.op} ${formatLiteral(node.val)}`;
    case 'and':
    case 'or':
      // Like Haxall's toStr: a compound operand of the other kind is parenthesized.
      return node.args
        .map((a) => (a.type === 'and' || a.type === 'or' ? `(${formatFilter(a)})` : formatFilter(a)))
        .join(` ${node.type} `);
    case 'isSymbol':
      return node.symbol.toString();
  }
}

/** A filter literal as filter text (Zinc form, written by the Zinc writer's scalars; `true`/`false` for Bools). */
export function formatLiteral(val: FilterLiteral): string {
  if (typeof val === 'string') return zincStr(val);
  if (typeof val === 'boolean') return val ? 'true' : 'false';
  if (val instanceof Num) return formatNum(val);
  if (val instanceof Ref) return `@${val.id}`;
  if (val instanceof Uri) return zincUri(val.val);
  if (val instanceof HDateTime) return `${val.toIso()} ${val.tz.name}`;
  // Date (YYYY-MM-DD), Time (hh:mm:ss[.fff]) and Symbol (^name) print as Zinc already.
  return val.toString();
}

function formatNum(n: Num): string {
  let s = Object.is(n.val, -0) ? '-0' : String(n.val);
  const unit = n.unit;
  if (unit === undefined) return s;
  // "0x..." would read back as a hex literal, so a zero before a unit starting with x gets a fraction.
  if ((s === '0' || s === '-0') && (unit.startsWith('x') || unit.startsWith('X'))) s += '.0';
  return s + unit;
}
