// Checks a written value against the point's declared `kind` and `unit`: the server never converts (Ops, HisWrite).

import type { Dict } from '../../core/grid/dict.js';
import { kindOf, type Val } from '../../core/kinds/kind.js';
import { Num } from '../../core/kinds/number.js';
import { badRequest } from './args.js';

// Haystack `kind` tag values (`Number`, `Bool`, `Str`, ...) to the value model's kind names.
function expectedKind(point: Dict): string | undefined {
  const k = point.get('kind');
  if (typeof k !== 'string' || k === '') return undefined;
  return k.charAt(0).toLowerCase() + k.slice(1);
}

/**
 * Throw a bad request unless `val` has the point's kind and, for a Number with a unit, the point's unit (a Number
 * point without a `unit` takes only unitless Numbers).
 */
export function checkValueKind(point: Dict, val: Val, what: string): void {
  const want = expectedKind(point);
  if (want !== undefined && kindOf(val) !== want) {
    throw badRequest(`${what} is a ${kindOf(val)} but the point's kind is ${String(point.get('kind'))}`);
  }
  if (val instanceof Num && val.unit !== undefined) {
    const unit = point.get('unit');
    if (typeof unit === 'string') {
      if (unit !== val.unit) throw badRequest(`${what} has unit ${val.unit} but the point's unit is ${unit}`);
    } else if (want === 'number') {
      // Ops, HisWrite: numbers "must either be unitless or must match the entity's configured unit"; none is
      // configured, so any unit would need a conversion the server never makes.
      throw badRequest(`${what} has unit ${val.unit} but the point has no unit`);
    }
  }
}
