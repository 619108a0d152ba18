// Evaluation semantics: kinds, units, missing tags, Refs and Ref lists, paths, JS-special tag names.

import { describe, expect, it } from 'vitest';
import {
  Dict,
  dict,
  Filter,
  filterAnd,
  filterCmp,
  filterHas,
  HDate,
  HDateTime,
  HTime,
  list,
  MARKER,
  NA,
  Num,
  parseFilter,
  Ref,
  refResolver,
  Sym,
  Uri,
} from '../../../src/core/index.js';

const site = dict({ id: new Ref('s1'), site: MARKER, dis: 'Alpha', geoCity: 'Richmond' });
const ahu = dict({ id: new Ref('a1'), equip: MARKER, dis: 'AHU-1', siteRef: new Ref('s1', 'stale display') });
const ahu2 = dict({ id: new Ref('a2'), equip: MARKER, dis: 'AHU-2' });
const all = [site, ahu, ahu2];
const resolve = refResolver(all);

function m(filter: string, d: Dict, r = resolve): boolean {
  return parseFilter(filter).matches(d, r);
}

describe('comparisons', () => {
  it('only match values of the literal kind', () => {
    const d = dict({ s: '5', n: new Num(5), b: true, u: new Uri('5'), r: new Ref('x') });
    expect(m('s == "5"', d)).toBe(true);
    expect(m('s == 5', d)).toBe(false);
    expect(m('s < 6', d)).toBe(false);
    expect(m('n > "4"', d)).toBe(false);
    expect(m('u == `5`', d)).toBe(true);
    expect(m('u == "5"', d)).toBe(false);
    expect(m('b == true', d)).toBe(true);
    expect(m('b > false', d)).toBe(true);
    expect(m('r >= @w', d)).toBe(true);
    expect(m('r > @x', d)).toBe(false);
  });

  it('compare Numbers only with the same unit', () => {
    const d = dict({ t: new Num(72, '°F'), c: new Num(22, '°C'), n: new Num(5) });
    expect(m('t == 72°F', d)).toBe(true);
    expect(m('t == 72', d)).toBe(false);
    expect(m('t > 70°F', d)).toBe(true);
    expect(m('t > 70', d)).toBe(false);
    expect(m('t > 70°C', d)).toBe(false);
    expect(m('n > 4', d)).toBe(true);
    expect(m('n > 4°F', d)).toBe(false);
    expect(m('n <= 5', d)).toBe(true);
  });

  it('never satisfy an ordering with NaN, and treat -0 as 0', () => {
    const d = dict({ x: new Num(Number.NaN), z: new Num(-0) });
    for (const op of ['<', '<=', '>', '>=']) expect(m(`x ${op} 0`, d)).toBe(false);
    expect(m('x != 0', d)).toBe(true);
    expect(m('z == 0', d)).toBe(true);
    expect(m('z >= 0', d)).toBe(true);
  });

  it('!= never matches a missing tag, but matches present values of other kinds', () => {
    expect(m('geoCity != "Chicago"', site)).toBe(true);
    expect(m('geoCity != "Richmond"', site)).toBe(false);
    expect(m('geoCity != "Chicago"', ahu)).toBe(false);
    expect(m('dis != 3', site)).toBe(true);
    expect(m('siteRef != @s1', ahu)).toBe(false);
    expect(m('siteRef != @s2', ahu)).toBe(true);
  });

  it('order Strs by UTF-16 code unit and are case-sensitive', () => {
    const d = dict({ s: 'b' });
    expect(m('s > "B"', d)).toBe(true);
    expect(m('s < "ba"', d)).toBe(true);
    expect(m('s == "B"', d)).toBe(false);
  });

  it('compare Dates, Times, DateTimes (by instant), Uris and Symbols', () => {
    const d = dict({
      d: new HDate(2021, 6, 1),
      t: new HTime(8, 0),
      dt: HDateTime.fromEpochMs(Date.UTC(2021, 0, 1), 'New_York'),
      u: new Uri('b'),
      y: new Sym('m'),
    });
    expect(m('d > 2021-01-01', d)).toBe(true);
    expect(m('d == 2021-06-01', d)).toBe(true);
    expect(m('t < 09:00', d)).toBe(true);
    expect(m('dt <= 2021-01-01T00:00:00Z', d)).toBe(true);
    expect(m('dt >= 2021-01-01T00:00:00Z', d)).toBe(true);
    expect(m('dt > 2020-12-31T23:59:59Z', d)).toBe(true);
    // Equality needs the same zone too, as DateTime equality does.
    expect(m('dt == 2021-01-01T00:00:00Z', d)).toBe(false);
    expect(m('dt == 2020-12-31T19:00:00-05:00 New_York', d)).toBe(true);
    expect(m('u > `a`', d)).toBe(true);
    expect(m('y == ^m', d)).toBe(true);
    expect(m('y < ^n', d)).toBe(true);
  });

  it('treat NA and Marker as present values that equal no literal', () => {
    const d = dict({ v: NA, k: MARKER });
    expect(m('v', d)).toBe(true);
    expect(m('not v', d)).toBe(false);
    expect(m('v == "NA"', d)).toBe(false);
    expect(m('v != 1', d)).toBe(true);
    expect(m('k != true', d)).toBe(true);
  });
});

describe('refs and paths', () => {
  it('compare Refs by id, ignoring display names', () => {
    expect(m('siteRef == @s1', ahu)).toBe(true);
    expect(parseFilter('siteRef == @s1').matches(dict({ siteRef: new Ref('s1', 'Other') }))).toBe(true);
  });

  it('match a Ref List when any Ref in it matches, also along a path', () => {
    const vav = dict({ id: new Ref('v1'), airRef: list(new Ref('a1'), new Ref('a2')), tags: list('a', 'b') });
    expect(m('airRef == @a2', vav)).toBe(true);
    expect(m('airRef == @a3', vav)).toBe(false);
    expect(m('airRef < @a2', vav)).toBe(true);
    expect(m('airRef->dis == "AHU-2"', vav)).toBe(true);
    expect(m('airRef->siteRef->dis == "Alpha"', vav)).toBe(true);
    expect(m('airRef->dis == "AHU-3"', vav)).toBe(false);
    expect(m('tags == "a"', vav)).toBe(false);
    expect(m('tags', vav)).toBe(true);
  });

  it('do not match through a missing tag, a non-Ref, a dangling Ref, or without a resolver', () => {
    const orphan = dict({ siteRef: new Ref('gone'), dis: 'x' });
    expect(m('siteRef->dis', orphan)).toBe(false);
    expect(m('not siteRef->dis', orphan)).toBe(true);
    expect(m('dis->foo', orphan)).toBe(false);
    expect(m('nothing->dis', orphan)).toBe(false);
    expect(parseFilter('siteRef->dis').matches(ahu)).toBe(false);
    expect(parseFilter('not siteRef->dis').matches(ahu)).toBe(true);
    expect(parseFilter('siteRef->dis').matches(ahu, () => null)).toBe(false);
    expect(parseFilter('siteRef->dis').matches(ahu, () => undefined)).toBe(false);
  });

  it('answer `->` from the entity the resolver gives at each call, in runs and when an entity is replaced', () => {
    const f = parseFilter('siteRef->dis == "Alpha"');
    const s2 = dict({ id: new Ref('s2'), site: MARKER, dis: 'Bravo' });
    const p1 = dict({ id: new Ref('p1'), siteRef: new Ref('s1') });
    const p2 = dict({ id: new Ref('p2'), siteRef: new Ref('s2') });
    let current: Dict = site;
    const r = (ref: Ref): Dict | undefined => (ref.id === 's1' ? current : ref.id === 's2' ? s2 : undefined);
    const answers = [p1, p1, p2, p1, p2, p2].map((p) => f.matches(p, r));
    expect(answers).toEqual([true, true, false, true, false, false]);
    // The site renamed: a new Dict for the same id, and the answer changes with it.
    current = dict({ id: new Ref('s1'), site: MARKER, dis: 'Renamed' });
    expect(f.matches(p1, r)).toBe(false);
    expect(f.matches(p1, r)).toBe(false);
    current = site;
    expect(f.matches(p1, r)).toBe(true);
    expect(f.matches(p1)).toBe(false);
  });

  it('walk into nested Dicts and DateTimes', () => {
    const d = dict({
      nest: dict({ r: new Ref('s1'), deep: dict({ x: new Num(1) }) }),
      ts: HDateTime.fromEpochMs(Date.UTC(2021, 0, 1, 12), 'New_York'),
    });
    expect(m('nest->deep->x == 1', d)).toBe(true);
    expect(m('nest->r->geoCity == "Richmond"', d)).toBe(true);
    expect(m('ts->date == 2021-01-01', d)).toBe(true);
    expect(m('ts->time == 07:00:00', d)).toBe(true);
    expect(m('ts->tz == "New_York"', d)).toBe(true);
    expect(m('ts->year', d)).toBe(false);
  });

  it('follow paths of any length', () => {
    const chain = Array.from({ length: 20 }, (_, i) =>
      dict({ id: new Ref(`c${i}`), next: new Ref(`c${i + 1}`), n: new Num(i) }),
    );
    const r = refResolver(chain);
    const path = `${Array(19).fill('next').join('->')}->n`;
    expect(parseFilter(`${path} == 19`).matches(chain[0] as Dict, r)).toBe(true);
    expect(parseFilter(`${path}->n`).matches(chain[0] as Dict, r)).toBe(false);
  });
});

describe('tag names', () => {
  it('that are Object.prototype members behave like any other tag', () => {
    const plain = dict({ dis: 'x' });
    for (const name of [
      'constructor',
      'toString',
      'valueOf',
      'hasOwnProperty',
      'isPrototypeOf',
      'then',
      'size',
      'get',
    ]) {
      expect(m(name, plain), name).toBe(false);
      expect(m(`not ${name}`, plain), name).toBe(true);
      expect(m(`${name} != "x"`, plain), name).toBe(false);
      expect(m(`${name}->dis`, plain), name).toBe(false);
      const d = Dict.of({ [name]: 'v', dis: 'x' });
      expect(m(name, d), name).toBe(true);
      expect(m(`${name} == "v"`, d), name).toBe(true);
    }
  });
});

describe('the Filter object', () => {
  it('has a detachable matches, an AST, and canonical text', () => {
    const f = Filter.fromAst(filterAnd(filterHas('equip'), filterCmp('==', 'siteRef->dis', 'Alpha')));
    const { matches } = f;
    expect(all.filter((d) => matches(d, resolve))).toEqual([ahu]);
    expect(f.toString()).toBe('equip and siteRef->dis == "Alpha"');
    expect(f.ast.type).toBe('and');
    expect(parseFilter(f.toString()).matches(ahu, resolve)).toBe(true);
  });

  it('runs and/or operands in any order without changing the answer', () => {
    const a = parseFilter('siteRef->dis == "Alpha" and equip');
    const b = parseFilter('equip and siteRef->dis == "Alpha"');
    for (const d of all) expect(a.matches(d, resolve)).toBe(b.matches(d, resolve));
    // Still evaluated in source order when printed.
    expect(a.toString()).toBe('siteRef->dis == "Alpha" and equip');
  });

  it('^symbol without a namespace needs every tag of the conjunct', () => {
    const d = dict({ hot: MARKER, water: MARKER });
    expect(m('^hot-water', d)).toBe(true);
    expect(m('^hot-water-plant', d)).toBe(false);
    expect(m('^hot', d)).toBe(true);
    expect(m('^lib:ph', d)).toBe(false);
  });
});
