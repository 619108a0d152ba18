// Compiled filters cache a tag's slot per Dict shape: answers must not depend on which shapes came before.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Dict,
  decodeZincGrid,
  Filter,
  formatFilter,
  MARKER,
  parseFilter,
  refResolver,
} from '../../../src/core/index.js';
import { arbWorld, arbWorldFilter, worldLayouts } from './filter-arbitraries.js';
import { referenceMatches } from './reference-interpreter.js';

describe('compiled filters over Dicts of many shapes', () => {
  it('agree with the reference interpreter whatever the order of shapes', () => {
    fc.assert(
      fc.property(
        arbWorld,
        fc.array(arbWorldFilter, { minLength: 1, maxLength: 4 }),
        fc.array(fc.constantFrom('own', 'forward', 'backward'), { minLength: 1, maxLength: 12 }),
        fc.constantFrom('own', 'forward', 'backward'),
        (world, asts, order, targets) => {
          // The entities a path resolves to come in all three forms too.
          const forms = worldLayouts(world);
          const resolve = refResolver(forms[targets]);
          for (const ast of asts) {
            const f = Filter.fromAst(ast);
            for (const form of order) {
              for (const d of forms[form]) {
                const text = `${formatFilter(ast)} on ${d.toString()} (${form})`;
                expect(f.matches(d, resolve), text).toBe(referenceMatches(ast, d, resolve));
              }
            }
          }
        },
      ),
      { numRuns: 400 },
    );
  }, 60_000);

  it('find a tag after a shape that lacked it, and miss it after a shape that had it', () => {
    const withArea = decodeZincGrid('ver:"3.0"\nid,area,site\n@a,10,M\n').row(0);
    const without = decodeZincGrid('ver:"3.0"\nid,site\n@b,M\n').row(0);
    const f = parseFilter('site and area');
    const g = parseFilter('not area');
    for (const d of [without, withArea, without, withArea, Dict.of({ area: 1 }), without]) {
      expect(f.matches(d)).toBe(d.has('site') && d.has('area'));
      expect(g.matches(d)).toBe(!d.has('area'));
    }
  });

  it('stay right at a call site that sees a new shape nearly every time', () => {
    const grid = decodeZincGrid('ver:"3.0"\nid,area,site\n@a,10,M\n@b,,M\n').rows;
    const many: Dict[] = [];
    for (let i = 0; i < 3000; i++) {
      // Dicts of their own shapes (a tag named after i), now and then a grid row.
      many.push(
        i % 7 === 0 ? (grid[i % 2] as Dict) : Dict.of({ [`t${i % 500}`]: MARKER, area: i % 3 === 0 ? null : i }),
      );
    }
    const f = parseFilter('area');
    for (const d of many) expect(f.matches(d)).toBe(d.has('area'));
  });

  it('follow -> to entities of another grid than the referring one', () => {
    const sites = decodeZincGrid('ver:"3.0"\nid,dis,site\n@s1,"Alpha",M\n@s2,"Beta",M\n').rows;
    const others = decodeZincGrid('ver:"3.0"\nsite,area,id,dis\nM,1,@s3,"Alpha"\n').rows;
    const points = decodeZincGrid('ver:"3.0"\nid,point,siteRef\n@p1,M,@s1\n@p2,M,@s3\n@p3,M,@s2\n@p4,M,@s1\n').rows;
    const resolve = refResolver([...sites, ...others, ...points]);
    const f = parseFilter('point and siteRef->dis == "Alpha"');
    expect(points.map((p) => f.matches(p, resolve))).toEqual([true, true, false, true]);
  });
});
