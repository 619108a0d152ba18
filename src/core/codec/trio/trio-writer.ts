// Trio writer: one `name: value` line per tag, values in Zinc, `---` between records, nested grids as indented Zinc.

import { Dict } from '../../grid/dict.js';
import { Grid } from '../../grid/grid.js';
import type { Val } from '../../kinds/kind.js';
import { MARKER } from '../../kinds/marker.js';
import { encodeZincGridRows, encodeZincValue } from '../zinc/zinc-writer.js';

// Bare words the reader takes for values, not Strs (Haxall quotes the same, plus M and N for other readers).
const QUOTED_WORDS = new Set(['true', 'false', 'T', 'F', 'NA', 'NaN', 'INF', 'R', 'M', 'N', 'Zinc', 'Trio']);

/**
 * Trio: string values may be left unquoted if they begin with a non-ASCII Unicode character or
 * contain only the "safe" chars. Safe here (as in Haxall's writer): ASCII letters, digits, space, `-`
 * and `_`, any non-ASCII char; the first an ASCII letter or a non-ASCII char, the last not a space.
 */
function isBare(s: string): boolean {
  if (s.length === 0 || QUOTED_WORDS.has(s)) return false;
  const c0 = s.charCodeAt(0);
  if (!((c0 >= 65 && c0 <= 90) || (c0 >= 97 && c0 <= 122) || c0 > 127)) return false;
  for (let i = 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const safe =
      (c >= 97 && c <= 122) ||
      (c >= 65 && c <= 90) ||
      (c >= 48 && c <= 57) ||
      c === 32 ||
      c === 45 ||
      c === 95 ||
      c > 127;
    if (!safe) return false;
  }
  // haystack-core reads a bare value with its Zinc reader and keeps the value a prefix makes: `M x`, `M\u0085` or
  // `M𝄞` read as a Marker, `T€` as true. Zinc reads a keyword followed by a letter, digit or `_` as one word.
  const word = /^[A-Za-z0-9_]*/.exec(s)?.[0] ?? '';
  if (word !== s && QUOTED_WORDS.has(word)) return false;
  // The reader trims spaces and tabs around a value; other readers trim any Unicode white space.
  return s.charCodeAt(s.length - 1) !== 32 && !/^[\s\p{White_Space}]|[\s\p{White_Space}]$/u.test(s);
}

/**
 * True if the text reads back unchanged as an indented multi-line block: more than one line, the
 * first neither empty nor indented (so the common indent removed is the writer's own), no line
 * ending in whitespace (the reader trims line ends) and no blank line at the end. Haxall's reader
 * trims every char up to U+0020 from a line's end and counts `\f` as indent, so neither such a
 * line end nor such a first char is left to it.
 */
function isBlock(s: string): boolean {
  if (!s.includes('\n') || s.includes('\r')) return false;
  if (s.charCodeAt(0) <= 32 || s.endsWith('\n')) return false;
  for (const line of s.split('\n')) {
    if (line.length > 0 && line.charCodeAt(line.length - 1) <= 32) return false;
  }
  return true;
}

function hasGrid(v: Val): boolean {
  if (v instanceof Grid) return true;
  if (Array.isArray(v)) return (v as readonly Val[]).some(hasGrid);
  if (v instanceof Dict) {
    for (const [, x] of v) if (hasGrid(x)) return true;
  }
  return false;
}

// Each line indented two spaces (an empty line stays empty); a final newline adds no line.
function indent(text: string): string {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let out = '';
  for (const line of lines) out += line === '' ? '\n' : `  ${line}\n`;
  return out;
}

/** One tag as Trio lines (each ending in a newline); nothing for null. */
function writeTag(name: string, v: Val): string {
  if (v === null) return '';
  if (v === MARKER) return `${name}\n`;
  if (typeof v === 'string') {
    if (isBare(v)) return `${name}:${v}\n`;
    if (isBlock(v)) return `${name}:\n${indent(v)}`;
    return `${name}:${encodeZincValue(v)}\n`;
  }
  if (typeof v === 'boolean') return `${name}:${v ? 'true' : 'false'}\n`;
  if (hasGrid(v)) return `${name}:Zinc:\n${indent(v instanceof Grid ? encodeZincGridRows(v) : encodeZincValue(v))}`;
  return `${name}:${encodeZincValue(v)}\n`;
}

/** Encode one dict as Trio lines (tags in the dict's order). */
export function encodeTrioDict(d: Dict): string {
  let out = '';
  d.forEach((v, k) => {
    out += writeTag(k, v);
  });
  return out;
}

/**
 * Encode records as Trio: a Grid's rows (its meta and column meta are not carried, as in Haxall)
 * or any iterable of Dicts, separated by `---` lines.
 */
export function encodeTrio(gridOrDicts: Grid | Iterable<Dict>): string {
  let out = '';
  let first = true;
  for (const d of gridOrDicts) {
    if (!first) out += '---\n';
    first = false;
    out += encodeTrioDict(d);
  }
  return out;
}
