// How the Redis store writes values: entities as Hayson text, history samples as sorted-set members.

import { decodeJson, encodeJson } from '../../core/codec/json/index.js';
import type { Dict } from '../../core/grid/dict.js';
import { Num } from '../../core/kinds/number.js';
import type { HisItem } from '../adapter.js';
import { decodeStoredEntity } from '../entity-tags.js';

/** An entity from its stored Hayson text. */
export function decodeEntity(data: string): Dict {
  return decodeStoredEntity(data, 'Redis');
}

/**
 * The sorted-set member of a sample: `<ts>:n<number>[ <unit>]` for Numbers (a unit never holds a space), otherwise
 * `<ts>:j<Hayson>`. The time leads so that members at different times never collide; one time holds one member.
 */
export function encodeSample(item: HisItem): string {
  const v = item.val;
  if (v instanceof Num) {
    const n = Object.is(v.val, -0) ? '-0' : String(v.val);
    return v.unit === undefined ? `${String(item.ts)}:n${n}` : `${String(item.ts)}:n${n} ${v.unit}`;
  }
  return `${String(item.ts)}:j${encodeJson(v)}`;
}

/** Decode members written by {@link encodeSample}, in order; Numbers of one unit share its validated text. */
export function decodeSamples(members: readonly string[]): HisItem[] {
  const out = new Array<HisItem>(members.length);
  let unit: string | undefined;
  let proto: Num | undefined;
  for (let i = 0; i < members.length; i++) {
    const m = members[i] as string;
    const colon = m.indexOf(':');
    const ts = Number(m.slice(0, colon));
    if (m.charCodeAt(colon + 1) === 0x6a /* j */) {
      out[i] = { ts, val: decodeJson(m.slice(colon + 2)) };
      continue;
    }
    const space = m.indexOf(' ', colon);
    const num = Number(space < 0 ? m.slice(colon + 2) : m.slice(colon + 2, space));
    const u = space < 0 ? undefined : m.slice(space + 1);
    if (u !== unit || proto === undefined) {
      unit = u;
      proto = new Num(0, u);
    }
    out[i] = { ts, val: new Num(num, proto.unit) };
  }
  return out;
}
