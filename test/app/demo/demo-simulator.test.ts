// The demo simulator moves live values through commits, so watches see them; commanded setpoints steer the models.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { populateDemo } from '../../../src/app/demo/demo-building.js';
import { createDemoSimulator } from '../../../src/app/demo/demo-simulator.js';
import { Num, type Ref } from '../../../src/core/index.js';
import type { StorageAdapter } from '../../../src/storage/adapter.js';
import { createMemoryStore } from '../../../src/storage/memory/index.js';

// Wednesday 17 July 2024, 18:00 UTC: both sites occupied.
const NOW = Date.UTC(2024, 6, 17, 18, 0);

function demo(): { store: ReturnType<typeof createMemoryStore>; t: { now: number } } {
  const t = { now: NOW };
  const store = createMemoryStore({ clock: () => t.now });
  return { store, t };
}

async function curVal(store: StorageAdapter, id: string): Promise<number> {
  const [e] = await store.readByIds([id]);
  const v = e?.get('curVal');
  if (!(v instanceof Num)) throw new Error(`${id} has no Number curVal`);
  return v.val;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('demo simulator', () => {
  it('changes curVals on each step, and a watch poll returns exactly the points that changed', async () => {
    const { store, t } = demo();
    const { building } = await populateDemo(store, { now: NOW, days: 1 });
    const sim = createDemoSimulator(store, building);
    const ids = (await store.read({ filter: 'point and not writable' })).map((p) => (p.id as Ref).id);
    const w = await store.watchOpen('ui', 60_000);
    await store.watchAdd(w.id, ids);
    t.now += 5000;
    await sim.step(t.now);
    await store.watchPoll(w.id, false);
    const before = await store.readByIds(ids);
    t.now += 5000;
    const changed = await sim.step(t.now);
    const after = await store.readByIds(ids);
    const moved = ids.filter((_, i) => String(before[i]?.get('curVal')) !== String(after[i]?.get('curVal')));
    expect(moved.length).toBeGreaterThan(20);
    expect(changed).toBe(moved.length);
    const poll = await store.watchPoll(w.id, false);
    expect(poll.changed.map((d) => (d.id as Ref).id).sort()).toEqual(moved.sort());
    // The same instant again changes nothing.
    expect(await sim.step(t.now)).toBe(0);
    expect((await store.watchPoll(w.id, false)).changed).toEqual([]);
  });

  it('appends each new value to the point history, so history grows while the demo runs', async () => {
    const { store, t } = demo();
    const { building } = await populateDemo(store, { now: NOW, days: 1 });
    const sim = createDemoSimulator(store, building);
    const range = { start: NOW + 1, end: NOW + 60_000 };
    expect(await store.hisRead('hudson.vav1-01.zat', range)).toEqual([]);
    const steps = [NOW + 5000, NOW + 10_000, NOW + 15_000];
    for (const at of steps) {
      t.now = at;
      await sim.step(at);
    }
    const zone = await store.hisRead('hudson.vav1-01.zat', range);
    // Change of value: every step that moved the zone temperature left a sample at that instant, holding curVal.
    expect(zone.length).toBeGreaterThan(0);
    expect(zone.every((s) => steps.includes(s.ts))).toBe(true);
    expect(String(zone.at(-1)?.val)).toBe(`${await curVal(store, 'hudson.vav1-01.zat')}°F`);
    // A writable point records its effective value, once while it does not change.
    const sp = await store.hisRead('hudson.vav1-01.zatSp', range);
    expect(sp.map((s) => s.ts)).toEqual([NOW + 5000]);
    await store.pointWrite({ id: 'hudson.vav1-01.zatSp', level: 8, val: new Num(75, '°F'), who: 'test' });
    t.now = NOW + 20_000;
    await sim.step(t.now);
    expect((await store.hisRead('hudson.vav1-01.zatSp', range)).at(-1)).toEqual({
      ts: NOW + 20_000,
      val: new Num(75, '°F'),
    });
  });

  it('lets a commanded zone setpoint move the zone temperature', async () => {
    const { store, t } = demo();
    const { building } = await populateDemo(store, { now: NOW, days: 0 });
    const sim = createDemoSimulator(store, building);
    await sim.step(t.now);
    const zone = await curVal(store, 'hudson.vav1-02.zat');
    const sp = await curVal(store, 'hudson.vav1-02.zatSp');
    await store.pointWrite({ id: 'hudson.vav1-02.zatSp', level: 8, val: new Num(sp + 5, '°F'), who: 'test' });
    t.now += 5000;
    await sim.step(t.now);
    expect(await curVal(store, 'hudson.vav1-02.zatSp')).toBe(sp + 5);
    expect(await curVal(store, 'hudson.vav1-02.zat')).toBeGreaterThan(zone + 3);
  });

  it('integrates energy meters between steps', async () => {
    const { store, t } = demo();
    const { building } = await populateDemo(store, { now: NOW, days: 1 });
    const sim = createDemoSimulator(store, building);
    await sim.step(t.now);
    const kwh = await curVal(store, 'hudson.mainMeter.energy');
    const kw = await curVal(store, 'hudson.mainMeter.power');
    t.now += 3_600_000;
    await sim.step(t.now);
    const gained = (await curVal(store, 'hudson.mainMeter.energy')) - kwh;
    expect(gained).toBeGreaterThan(kw * 0.5);
    expect(gained).toBeLessThan(kw * 2);
  });

  it('runs steps on a timer until stopped', async () => {
    vi.useFakeTimers();
    const { store, t } = demo();
    const { building } = await populateDemo(store, { now: NOW, days: 0 });
    const sim = createDemoSimulator(store, building, { clock: () => t.now });
    const v0 = store.stats().version;
    sim.start(2000);
    expect(sim.running).toBe(true);
    for (let i = 0; i < 3; i++) {
      t.now += 2000;
      await vi.advanceTimersByTimeAsync(2000);
    }
    expect(store.stats().version).toBeGreaterThanOrEqual(v0 + 2);
    sim.stop();
    expect(sim.running).toBe(false);
    const v1 = store.stats().version;
    t.now += 10_000;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(store.stats().version).toBe(v1);
  });

  it('stops and keeps the error when a timed step fails, or hands it to onError', async () => {
    vi.useFakeTimers();
    const { store } = demo();
    const { building } = await populateDemo(store, { now: NOW, days: 0 });
    await store.close();
    const sim = createDemoSimulator(store, building, { clock: () => NOW });
    sim.start(1000);
    await vi.advanceTimersByTimeAsync(1000);
    expect(sim.running).toBe(false);
    expect(sim.lastError).toMatchObject({ code: 'HS_ERR_STORAGE' });
    const errors: unknown[] = [];
    const reporting = createDemoSimulator(store, building, { clock: () => NOW, onError: (e) => errors.push(e) });
    reporting.start(1000);
    await vi.advanceTimersByTimeAsync(3000);
    expect(errors.length).toBe(3);
    expect(reporting.running).toBe(true);
    reporting.stop();
  });
});
