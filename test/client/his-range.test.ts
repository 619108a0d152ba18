// The range helpers of the client: what they refuse, and the request strings they make (Ops chapter, hisRead).

import { describe, expect, it } from 'vitest';
import { dateTimeRange, encodeHisRange } from '../../src/client/index.js';
import { HDateTime } from '../../src/core/index.js';

describe('dateTimeRange', () => {
  it('orders its bounds by instant, whatever their zones', () => {
    // One instant in two zones: an empty range, not a start after its end (zone names sort Tokyo > New_York).
    const tokyo = HDateTime.parse('2024-06-01T09:00:00+09:00 Tokyo');
    const ny = HDateTime.parse('2024-05-31T20:00:00-04:00 New_York');
    expect(dateTimeRange(tokyo, ny)).toEqual([tokyo, ny]);
    expect(encodeHisRange(dateTimeRange(tokyo, ny))).toBe(
      '2024-06-01T09:00:00+09:00 Tokyo,2024-05-31T20:00:00-04:00 New_York',
    );
    expect(() => dateTimeRange(tokyo.plusMillis(1), ny)).toThrow(/is after end/);
    // Nanoseconds count too.
    const fine = HDateTime.parse('2024-05-31T20:00:00.000000001-04:00 New_York');
    expect(() => dateTimeRange(fine, ny)).toThrow(/is after end/);
    expect(dateTimeRange(ny, fine)).toEqual([ny, fine]);
  });
});
