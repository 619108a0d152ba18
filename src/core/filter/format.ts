// Canonical filter text: the one string each AST prints as, which parses back to an equal AST.

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

/** A filter literal as filter text (Zinc form, with `true`/`false` for Bools). */
export function formatLiteral(val: FilterLiteral): string {
  if (typeof val === 'string') return formatStr(val);
  if (typeof val === 'boolean') return val ? 'true' : 'false';
  if (val instanceof Num) return formatNum(val);
  if (val instanceof Ref) return `@${val.id}`;
  if (val instanceof Uri) return formatUri(val.val);
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

function escapeChar(c: number): string | undefined {
  switch (c) {
    case 8:
      return '\\b';
    case 9:
      return '\\t';
    case 10:
      return '\\n';
    case 12:
      return '\\f';
    case 13:
      return '\\r';
    default:
      return c < 0x20 || c === 0x7f ? `\\u${c.toString(16).padStart(4, '0')}` : undefined;
  }
}

// Zinc: <str> := '"' <strChar>* '"'
function formatStr(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) out += '\\"';
    else if (c === 92) out += '\\\\';
    else out += escapeChar(c) ?? s.charAt(i);
  }
  return `${out}"`;
}

const URI_KEPT_ESCAPES = ':/?#[]@\\&=;';

// Zinc: <uri> := "`" <uriChar>* "`"; a backslash before a URI delimiter is kept as written by the reader.
function formatUri(s: string): string {
  let out = '`';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 96) out += '\\`';
    else if (c === 92) {
      const next = s.charAt(i + 1);
      if (next !== '' && URI_KEPT_ESCAPES.includes(next)) {
        out += `\\${next}`;
        i++;
      } else {
        out += '\\u005c';
      }
    } else out += escapeChar(c) ?? s.charAt(i);
  }
  return `${out}\``;
}
