// The Coord kind: a geographic latitude/longitude in decimal degrees.

import { ValueError } from '../errors.js';
import { hashFloat, mix } from './hash.js';
import { registerValueClass } from './value-class.js';

/**
 * The Coord kind. Degrees are kept to micro-degrees (6 decimals, about 0.11 m), the precision of Haxall, which
 * stores a Coord as whole micro-degrees: `C(37.1234567,-77.1234567)` written by another implementation reads as
 * `C(37.123457,-77.123457)`, and so re-encodes. We round half away from zero where Haxall truncates toward zero;
 * both agree on every value of at most 6 decimals (Haxall's truncation can lose one micro-degree there, e.g.
 * 0.000003 * 1e6 = 2.9999999999999996). -0 reads as 0.
 */
export class Coord {
  /** Latitude, -90 to 90, rounded to micro-degrees. */
  readonly lat: number;
  /** Longitude, -180 to 180, rounded to micro-degrees. */
  readonly lng: number;

  /** Validating constructor; prefer {@link coord}. */
  constructor(lat: number, lng: number) {
    if (typeof lat !== 'number' || !Number.isFinite(lat) || lat < -90 || lat > 90) {
      throw new ValueError(`Invalid latitude ${String(lat)}`);
    }
    if (typeof lng !== 'number' || !Number.isFinite(lng) || lng < -180 || lng > 180) {
      throw new ValueError(`Invalid longitude ${String(lng)}`);
    }
    // Haystack keeps micro-degrees (as Haxall does), so `toString` never needs an exponent and equal texts read equal.
    this.lat = toMicroDegrees(lat);
    this.lng = toMicroDegrees(lng);
  }
  /** Kind name. */
  get kind(): 'coord' {
    return 'coord';
  }
  /** Same latitude and longitude. */
  equals(other: unknown): boolean {
    return other instanceof Coord && other.lat === this.lat && other.lng === this.lng;
  }
  /** Orders by latitude, then longitude. */
  compareTo(other: Coord): number {
    if (this.lat !== other.lat) return this.lat < other.lat ? -1 : 1;
    return this.lng < other.lng ? -1 : this.lng > other.lng ? 1 : 0;
  }
  /** Hash of both degrees. */
  hash(): number {
    return mix(hashFloat(this.lat), hashFloat(this.lng));
  }
  /** Zinc form `C(lat,lng)`. */
  toString(): string {
    return `C(${this.lat},${this.lng})`;
  }
}
registerValueClass(Coord);

// Round half away from zero, so that a coordinate and its mirror round alike; `+ 0` turns -0 into 0.
function toMicroDegrees(deg: number): number {
  return (Math.sign(deg) * Math.round(Math.abs(deg) * 1e6)) / 1e6 + 0;
}

/** Make a Coord, e.g. `coord(37.55, -77.45)`. */
export function coord(lat: number, lng: number): Coord {
  return new Coord(lat, lng);
}
