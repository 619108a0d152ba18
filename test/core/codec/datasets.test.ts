// The shared datasets decode to the same entities from their Zinc, JSON (v4) and Trio files, and survive every codec.

import { describe, expect, it } from 'vitest';
import { decodeJson, encodeJson } from '../../../src/core/codec/json/index.js';
import { decodeTrio, decodeTrioDicts, encodeTrio } from '../../../src/core/codec/trio/index.js';
import { decodeZinc } from '../../../src/core/codec/zinc/index.js';
import type { Dict, Grid } from '../../../src/core/index.js';
import { diffVals } from '../../support/hayson-compare.js';
import { loadSharedText, sharedAvailable } from '../../support/shared.js';

const DATASETS = [
  ['alpha', 2032],
  ['bravo', 1077],
] as const;

function byId(rows: Iterable<Dict>): Map<string, Dict> {
  const m = new Map<string, Dict>();
  for (const r of rows) {
    const id = r.id?.id;
    if (id === undefined) throw new Error(`entity without an id: ${r.toString()}`);
    expect(m.has(id), `duplicate id ${id}`).toBe(false);
    m.set(id, r);
  }
  return m;
}

function sameEntities(actual: Map<string, Dict>, expected: Map<string, Dict>): void {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [id, e] of expected) expect(diffVals(actual.get(id) ?? null, e, `@${id}`)).toBeUndefined();
}

describe.each(DATASETS.filter(([n]) => sharedAvailable(`datasets/${n}/${n}.zinc`)))(
  'dataset %s',
  { timeout: 60_000 },
  (name, count) => {
    const zinc = decodeZinc(loadSharedText(`datasets/${name}/${name}.zinc`)) as Grid;
    const json = decodeJson(loadSharedText(`datasets/${name}/${name}.json`)) as Grid;
    const trioText = loadSharedText(`datasets/${name}/${name}.trio`);

    it('Zinc and JSON give the same grid: meta, columns and rows in order', () => {
      expect(zinc.size).toBe(count);
      expect(diffVals(json, zinc)).toBeUndefined();
    });

    it('Trio gives the same entities (a list of dicts, compared by id)', () => {
      const trio = decodeTrioDicts(trioText);
      expect(trio).toHaveLength(count);
      sameEntities(byId(trio), byId(zinc));
      sameEntities(byId(decodeTrio(trioText)), byId(zinc));
    });

    it('re-encoding in JSON v4, JSON v3 and Trio gives the same entities back', () => {
      expect(diffVals(decodeJson(encodeJson(zinc)), zinc)).toBeUndefined();
      expect(diffVals(decodeJson(encodeJson(zinc, { version: 3 }), { version: 3 }), zinc)).toBeUndefined();
      sameEntities(byId(decodeTrioDicts(encodeTrio(zinc))), byId(zinc));
    });
  },
);
