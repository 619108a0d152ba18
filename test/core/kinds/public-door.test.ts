// The package root exports the whole value model (tests elsewhere import its modules directly, for speed).

import { describe, expect, it } from 'vitest';
import * as core from '../../../src/core/index.js';

describe('haystack-ts root exports', () => {
  it('exports every value-model factory, class and helper', () => {
    const names = [
      'Coord',
      'coord',
      'Dict',
      'dict',
      'list',
      'toVal',
      'Grid',
      'GridBuilder',
      'isTagName',
      'HDate',
      'date',
      'HDateTime',
      'dateTime',
      'compare',
      'equals',
      'hash',
      'isList',
      'KINDS',
      'kindOf',
      'MARKER',
      'Marker',
      'NA',
      'NAValue',
      'REMOVE',
      'Remove',
      'isValidUnit',
      'Num',
      'num',
      'isRefId',
      'Ref',
      'ref',
      'Sym',
      'sym',
      'HTime',
      'time',
      'Uri',
      'uri',
      'isXStrType',
      'XStr',
      'xstr',
      'TimeZone',
      'HaystackError',
      'ValueError',
      'ERROR_CODES',
    ];
    const exported = core as Record<string, unknown>;
    for (const n of names) expect(exported[n], n).toBeDefined();
    expect(core.num(1, 'kW').equals(core.Dict.of({ a: 1 }).get('a'))).toBe(false);
  });

  it('keeps internals internal (byte, SCRAM and limit helpers are not part of the API)', () => {
    const exported = core as Record<string, unknown>;
    for (const n of ['limitExceeded', 'resolveLimits', 'randomBytes', 'utf8Encode', 'encodeBase64', 'saslPrep']) {
      expect(exported[n], n).toBeUndefined();
    }
  });
});
