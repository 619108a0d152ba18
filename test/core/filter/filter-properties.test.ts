// Property tests: canonical text round-trips, and the compiled predicate agrees with a reference interpreter.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Filter, filterEquals, formatFilter, parseFilterAst, refResolver } from '../../../src/core/index.js';
import { arbFilterAst, arbWorld, arbWorldFilter } from './filter-arbitraries.js';
import { referenceMatches } from './reference-interpreter.js';

describe('canonical text', () => {
  it('parse(toString(ast)) equals ast, for any AST', () => {
    fc.assert(
      fc.property(arbFilterAst, (ast) => {
        const text = formatFilter(ast);
        const back = parseFilterAst(text);
        expect(filterEquals(back, ast), text).toBe(true);
        expect(back).toEqual(ast);
      }),
      { numRuns: 1000 },
    );
  }, 60_000);

  it('is a fixed point: printing the parsed text gives the same text', () => {
    fc.assert(
      fc.property(arbFilterAst, (ast) => {
        const text = formatFilter(ast);
        expect(formatFilter(parseFilterAst(text))).toBe(text);
      }),
      { numRuns: 300 },
    );
  });
});

describe('compiled predicate', () => {
  it('agrees with the reference interpreter on random filters over random entities', () => {
    fc.assert(
      fc.property(arbWorld, fc.array(arbWorldFilter, { minLength: 1, maxLength: 5 }), (world, asts) => {
        const resolve = refResolver(world);
        for (const ast of asts) {
          const f = Filter.fromAst(ast);
          for (const d of world) {
            const text = `${formatFilter(ast)} on ${d.toString()}`;
            expect(f.matches(d, resolve), text).toBe(referenceMatches(ast, d, resolve));
            expect(f.matches(d), `${text} (no resolver)`).toBe(referenceMatches(ast, d));
          }
        }
      }),
      { numRuns: 1000 },
    );
  }, 60_000);

  it('matches some entities and misses others, so the agreement above is not vacuous', () => {
    let hits = 0;
    let misses = 0;
    fc.assert(
      fc.property(arbWorld, arbWorldFilter, (world, ast) => {
        const resolve = refResolver(world);
        for (const d of world) {
          if (referenceMatches(ast, d, resolve)) hits++;
          else misses++;
        }
      }),
      { numRuns: 500 },
    );
    expect(hits).toBeGreaterThan(100);
    expect(misses).toBeGreaterThan(100);
  });
});
