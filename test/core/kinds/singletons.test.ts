// Marker, NA and Remove: singletons with a kind, a Zinc form, and equality by identity.

import { describe, expect, it } from 'vitest';
import { compare, equals, hash } from '../../../src/core/kinds/equality.js';
import { kindOf } from '../../../src/core/kinds/kind.js';
import { MARKER, Marker, NA, NAValue, REMOVE, Remove } from '../../../src/core/kinds/marker.js';

describe('Marker, NA and Remove', () => {
  it('are singletons reachable from their classes', () => {
    expect(Marker.instance).toBe(MARKER);
    expect(NAValue.instance).toBe(NA);
    expect(Remove.instance).toBe(REMOVE);
  });

  it('have their kind names and Zinc forms', () => {
    expect([kindOf(MARKER), kindOf(NA), kindOf(REMOVE)]).toEqual(['marker', 'na', 'remove']);
    expect([String(MARKER), String(NA), String(REMOVE)]).toEqual(['M', 'NA', 'R']);
  });

  it('equal only themselves, and hash apart from each other', () => {
    expect(MARKER.equals(MARKER)).toBe(true);
    expect(MARKER.equals(NA)).toBe(false);
    expect(NA.equals(REMOVE)).toBe(false);
    expect(REMOVE.equals({ kind: 'remove' })).toBe(false);
    expect(equals(MARKER, NA)).toBe(false);
    expect(new Set([hash(MARKER), hash(NA), hash(REMOVE)]).size).toBe(3);
    expect(hash(MARKER)).toBe(MARKER.hash());
  });

  it('compare equal to themselves and order marker < na < remove', () => {
    expect(compare(MARKER, MARKER)).toBe(0);
    expect(MARKER.compareTo(MARKER)).toBe(0);
    expect(compare(MARKER, NA)).toBeLessThan(0);
    expect(compare(NA, REMOVE)).toBeLessThan(0);
    expect(compare(REMOVE, MARKER)).toBeGreaterThan(0);
  });

  it('cannot be constructed again', () => {
    // TypeScript forbids it; at run time a second instance would still not equal the singleton.
    const Ctor = Marker as unknown as new () => Marker;
    expect(new Ctor().equals(MARKER)).toBe(false);
  });
});
