// The storage benchmarks' synthetic portfolio: sites, each with equips (siteRef) and points (siteRef, equipRef,
// curVal in °F), 1,001 entities per site, as batches of `add` diffs.

import { Dict, MARKER, Num, Ref } from '../../src/core/index.js';
import type { CommitDiff } from '../../src/storage/index.js';

/** Equips per site. */
export const EQUIPS_PER_SITE = 20;
/** Points per equip. */
export const POINTS_PER_EQUIP = 49;
/** Entities per site: the site, its equips and their points. */
export const PER_SITE = 1 + EQUIPS_PER_SITE * (1 + POINTS_PER_EQUIP);

/** Whole sites making up about `entities` (at least one), as `add` diffs in batches of about `batch`. */
export function* entityBatches(entities: number, batch: number): Generator<CommitDiff[]> {
  let out: CommitDiff[] = [];
  const push = (tags: Record<string, unknown>): void => {
    out.push({ op: 'add', tags: Dict.of(tags) });
  };
  const sites = Math.max(1, Math.floor(entities / PER_SITE));
  for (let s = 0; s < sites; s++) {
    const site = new Ref(`s${String(s)}`);
    push({ id: site, dis: `Site ${String(s)}`, site: MARKER, area: new Num(1000 + s, 'ft²'), tz: 'UTC' });
    for (let e = 0; e < EQUIPS_PER_SITE; e++) {
      const equip = new Ref(`s${String(s)}.e${String(e)}`);
      push({ id: equip, dis: `AHU ${String(e)}`, equip: MARKER, ahu: MARKER, siteRef: site });
      for (let p = 0; p < POINTS_PER_EQUIP; p++) {
        push({
          id: new Ref(`s${String(s)}.e${String(e)}.p${String(p)}`),
          dis: `Point ${String(p)}`,
          point: MARKER,
          his: MARKER,
          sensor: MARKER,
          temp: MARKER,
          kind: 'Number',
          unit: '°F',
          tz: 'UTC',
          siteRef: site,
          equipRef: equip,
          curVal: new Num(60 + ((s * 7 + e * 3 + p) % 20), '°F'),
        });
      }
      if (out.length >= batch) {
        yield out;
        out = [];
      }
    }
  }
  if (out.length > 0) yield out;
}
