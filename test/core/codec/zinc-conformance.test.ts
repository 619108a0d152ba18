// Every non-optional case of the shared Zinc conformance vectors decodes to its Hayson, or is rejected.

import { describe, expect, it } from 'vitest';
import { decodeZinc, encodeZinc } from '../../../src/core/codec/zinc/index.js';
import { HaystackError } from '../../../src/core/index.js';
import { diffHayson } from '../../support/hayson-compare.js';
import { loadSharedJson, sharedAvailable } from '../../support/shared.js';

interface ValidCase {
  readonly name: string;
  readonly zinc: string;
  readonly json: unknown;
  readonly optional?: boolean;
}

interface InvalidCase {
  readonly name: string;
  readonly zinc: string;
  readonly optional?: boolean;
}

// Cases we read differently from the vector, each with the spec section we follow (see the conformance README).
const DISPUTED: readonly string[] = [];

// Optional cases (Haxall extensions) we do not implement: the Zinc grammar has no hex numbers.
const SKIPPED_OPTIONAL: readonly string[] = ['number/hex-underscore'];

const haveValid = sharedAvailable('conformance/zinc.json');
const haveInvalid = sharedAvailable('conformance/zinc-invalid.json');
const valid = haveValid ? loadSharedJson<ValidCase[]>('conformance/zinc.json') : [];
const invalid = haveInvalid ? loadSharedJson<InvalidCase[]>('conformance/zinc-invalid.json') : [];

describe.skipIf(!haveValid)('zinc.json: decoding gives the expected value', () => {
  const cases = valid.filter((c) => !DISPUTED.includes(c.name) && !SKIPPED_OPTIONAL.includes(c.name));
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const v = decodeZinc(c.zinc);
    expect(diffHayson(v, c.json)).toBeUndefined();
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s re-encodes to Zinc that decodes to the same value', (_n, c) => {
    const v = decodeZinc(c.zinc);
    expect(diffHayson(decodeZinc(encodeZinc(v)), c.json)).toBeUndefined();
  });
});

describe.skipIf(!haveInvalid)('zinc-invalid.json: decoding fails with a ParseError', () => {
  it.each(invalid.filter((c) => !DISPUTED.includes(c.name)).map((c) => [c.name, c] as const))('%s', (_name, c) => {
    let thrown: unknown;
    try {
      decodeZinc(c.zinc);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(HaystackError);
    expect((thrown as HaystackError).code).toBe('HS_ERR_PARSE');
  });
});
