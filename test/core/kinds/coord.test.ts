// Coord: latitude/longitude ranges, micro-degree precision, Zinc form, equality, order and hash.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Coord, coord } from '../../../src/core/kinds/coord.js';
import { compare, hash } from '../../../src/core/kinds/equality.js';
import { expectInvalid } from '../../support/errors.js';

// Zinc: <coordDeg> := ["-"] <digits> ["." <digits>]  (no exponent)
const COORD_TEXT = /^C\(-?\d+(?:\.\d+)?,-?\d+(?:\.\d+)?\)$/;

describe('Coord', () => {
  it('holds latitude and longitude', () => {
    const c = coord(37.55, -77.45);
    expect([c.lat, c.lng, c.kind]).toEqual([37.55, -77.45, 'coord']);
    expect(String(c)).toBe('C(37.55,-77.45)');
  });

  it('accepts the range edges and rejects anything outside or not finite', () => {
    for (const [lat, lng] of [
      [90, 180],
      [-90, -180],
      [0, 0],
      [-0, -0],
    ] as const) {
      expect(coord(lat, lng).lat).toBe(lat + 0);
    }
    for (const [lat, lng] of [
      [90.000001, 0],
      [-90.1, 0],
      [0, 180.000001],
      [0, -181],
      [Number.NaN, 0],
      [0, Number.NaN],
      [Number.POSITIVE_INFINITY, 0],
      [0, Number.NEGATIVE_INFINITY],
    ] as const) {
      expectInvalid(() => coord(lat, lng));
    }
    expectInvalid(() => new Coord('1' as unknown as number, 0));
  });

  it('keeps micro-degrees, so its Zinc form never needs an exponent', () => {
    expect(coord(1e-7, -1e-7).lat).toBe(0);
    expect(coord(1e-7, -1e-7).toString()).toBe('C(0,0)');
    expect(coord(0.000001, -0.0000026).toString()).toBe('C(0.000001,-0.000003)');
    expect(coord(-12.5000005, 0).lat).toBe(-coord(12.5000005, 0).lat);
    expect(coord(37.5500004, 1).equals(coord(37.55, 1))).toBe(true);
    for (const [lat, lng] of [
      [1e-6, 1e-6],
      [-89.999999, 179.999999],
      [12.3456789, -0.0000005],
      [5e-7, 0.1 + 0.2],
    ] as const) {
      expect(String(coord(lat, lng))).toMatch(COORD_TEXT);
    }
  });

  it('prints any micro-degrees without an exponent (the Zinc writer writes Coords in this form)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -90e6, max: 90e6 }), fc.integer({ min: -180e6, max: 180e6 }), (a, b) => {
        expect(String(coord(a / 1e6, b / 1e6))).toMatch(COORD_TEXT);
      }),
      { numRuns: 2000 },
    );
  });

  it('normalizes -0 so that it equals and hashes like 0', () => {
    expect(Object.is(coord(-0, -0).lat, 0)).toBe(true);
    expect(coord(-0, 0).equals(coord(0, 0))).toBe(true);
    expect(hash(coord(-0, 0))).toBe(hash(coord(0, 0)));
    expect(String(coord(-0, -0))).toBe('C(0,0)');
  });

  it('equals, orders (lat then lng) and hashes by degrees', () => {
    expect(coord(1, 2).equals(coord(1, 2))).toBe(true);
    expect(coord(1, 2).equals(coord(2, 1))).toBe(false);
    expect(coord(1, 2).equals({ lat: 1, lng: 2 })).toBe(false);
    expect(compare(coord(1, 9), coord(2, 0))).toBe(-1);
    expect(compare(coord(1, 2), coord(1, 1))).toBe(1);
    expect(compare(coord(1, 2), coord(1, 2))).toBe(0);
    expect(hash(coord(1.5, 2.5))).toBe(hash(coord(1.5, 2.5)));
  });
});
