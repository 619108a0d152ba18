// The LRU cache of parsed filters, and parseFilter's use of the shared one.

import { describe, expect, it } from 'vitest';
import { ValueError } from '../../../src/core/errors.js';
import { FilterCache, parseFilter, sharedFilterCache } from '../../../src/core/index.js';
import { expectCode } from '../../support/errors.js';

describe('FilterCache', () => {
  it('returns the same Filter for the same text', () => {
    const c = new FilterCache({ capacity: 4 });
    const f = c.get('site and equip');
    expect(c.get('site and equip')).toBe(f);
    expect(c.size).toBe(1);
    // Text is the key, so equivalent spellings are separate entries.
    expect(c.get('site  and equip')).not.toBe(f);
  });

  it('drops the least recently used filter when full', () => {
    const c = new FilterCache({ capacity: 2 });
    const a = c.get('a');
    c.get('b');
    expect(c.get('a')).toBe(a); // a is now the most recent
    c.get('c'); // evicts b
    expect(c.has('a')).toBe(true);
    expect(c.has('b')).toBe(false);
    expect(c.has('c')).toBe(true);
    expect(c.size).toBe(2);
  });

  it('does not cache errors, applies its limits, and can be cleared or disabled', () => {
    const c = new FilterCache({ capacity: 2, limits: { maxLength: 5 } });
    expectCode(() => c.get('a =='), 'HS_ERR_PARSE');
    expectCode(() => c.get('abcdef'), 'HS_ERR_LIMIT');
    expect(c.size).toBe(0);
    c.get('a');
    c.clear();
    expect(c.size).toBe(0);
    const off = new FilterCache({ capacity: 0 });
    expect(off.get('a')).not.toBe(off.get('a'));
    expect(() => new FilterCache({ capacity: -1 })).toThrow(ValueError);
    expect(new FilterCache().capacity).toBe(1000);
  });
});

describe('parseFilter', () => {
  it('uses the shared cache unless limits are given', () => {
    const text = 'point and siteRef->dis == "cache test"';
    const f = parseFilter(text);
    expect(parseFilter(text)).toBe(f);
    expect(sharedFilterCache().has(text)).toBe(true);
    expect(parseFilter(text, { maxDepth: 8 })).not.toBe(f);
  });
});
