// DemoSimulator: keeps the demo building alive, committing new `curVal`s from the same models as its history and
// appending each new value to the point's history, so `hisRead today` grows while the demo runs.

import { ValueError } from '../../core/errors.js';
import type { TagVal } from '../../core/grid/dict.js';
import { Num } from '../../core/kinds/number.js';
import type { Clock, CommitDiff, StorageAdapter } from '../../storage/adapter.js';
import type { DemoBuilding, DemoPoint } from './demo-builder.js';
import { curValChange, pointVal } from './demo-building.js';

/** Options of {@link createDemoSimulator}. */
export interface DemoSimulatorOptions {
  /** Time of the steps the timer runs (default `Date.now`). */
  readonly clock?: Clock;
  /**
   * Called with the error of a step the timer ran. Without it, a failing step stops the timer and the error stays
   * in {@link DemoSimulator.lastError}.
   */
  readonly onError?: (err: unknown) => void;
}

/** Moves the demo building's live values. */
export interface DemoSimulator {
  /**
   * Compute every point at `now`, commit the `curVal`s that changed and append them to history (a writable point's
   * history follows its effective value); returns how many `curVal`s changed.
   */
  step(now: number): Promise<number>;
  /** Run a step every `intervalMs` (default 5,000) on a timer that does not keep the process alive. */
  start(intervalMs?: number): void;
  /** Stop the timer (a step under way finishes). */
  stop(): void;
  /** True while the timer runs. */
  readonly running: boolean;
  /** The error that stopped the timer, if one did. */
  readonly lastError: unknown;
}

/**
 * A simulator over a store the building was populated into. Writable points follow their priority arrays (the
 * store keeps their `curVal`), and the models read them, so commanding a zone setpoint moves its zone temperature;
 * energy totalizers integrate their power between steps.
 */
export function createDemoSimulator(
  store: StorageAdapter,
  building: DemoBuilding,
  options: DemoSimulatorOptions = {},
): DemoSimulator {
  const clock = options.clock ?? Date.now;
  const points = building.points;
  const writable = points.filter((p) => p.writableDefault !== undefined);
  const totalizers = points.filter((p) => p.rateSlot !== undefined);
  const watched = [...writable, ...totalizers];
  const values = new Float64Array(building.slots);
  const overrides = new Float64Array(building.slots).fill(Number.NaN);
  // The value last committed per point (compared after rounding), so that unchanged points are not touched.
  const committed = new Map<string, string>();
  // The value last appended to each point's history (change of value, as Haystack's `cov` history records it).
  const historied = new Map<string, string>();
  let lastStep: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let busy = false;
  let lastError: unknown;

  const step = async (now: number): Promise<number> => {
    // Commanded setpoints and meter readings live in the store: read them, so that any process can run the demo.
    const current = await store.readByIds(watched.map((p) => p.id));
    const readings = new Map<string, number>();
    const samples: { readonly id: string; readonly val: TagVal }[] = [];
    watched.forEach((p, i) => {
      const cur = current[i]?.get(p.rateSlot === undefined ? 'writeVal' : 'curVal');
      if (p.rateSlot === undefined) {
        overrides[p.slot] = cur instanceof Num ? cur.val : Number.NaN;
        if (cur instanceof Num || typeof cur === 'boolean') samples.push({ id: p.id, val: cur });
      } else if (cur instanceof Num) readings.set(p.id, cur.val);
    });
    building.evaluate(now, values, overrides);
    const hours = lastStep === undefined ? 0 : Math.max(0, now - lastStep) / 3_600_000;
    const diffs: CommitDiff[] = [];
    for (const p of points) {
      if (p.writableDefault !== undefined) continue;
      const raw = rawValue(p, values, readings, hours);
      if (raw === undefined) continue;
      const val = pointVal(p, raw);
      const key = String(val);
      if (committed.get(p.id) === key) continue;
      committed.set(p.id, key);
      diffs.push({ op: 'update', id: p.id, changes: curValChange(val) });
      samples.push({ id: p.id, val });
    }
    lastStep = now;
    if (diffs.length > 0) await store.commit(diffs);
    for (const { id, val } of samples) {
      const key = String(val);
      if (historied.get(id) === key) continue;
      historied.set(id, key);
      await store.hisWrite(id, [{ ts: now, val }]);
    }
    return diffs.length;
  };

  const fail = (err: unknown): void => {
    if (options.onError !== undefined) {
      options.onError(err);
      return;
    }
    lastError = err;
    stop();
  };

  const stop = (): void => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  };

  return {
    step,
    start: (intervalMs = 5000) => {
      if (!(intervalMs > 0)) throw new ValueError(`Simulator interval must be > 0 ms, got ${String(intervalMs)}`);
      stop();
      lastError = undefined;
      timer = setInterval(() => {
        // A slow store must not pile steps up: skip a tick while the previous step runs.
        if (busy) return;
        busy = true;
        void step(clock())
          .catch(fail)
          .finally(() => {
            busy = false;
          });
      }, intervalMs);
      timer.unref();
    },
    stop,
    get running() {
      return timer !== undefined;
    },
    get lastError() {
      return lastError;
    },
  };
}

function rawValue(
  p: DemoPoint,
  values: Float64Array,
  readings: ReadonlyMap<string, number>,
  hours: number,
): number | undefined {
  if (p.rateSlot === undefined) return values[p.slot];
  const reading = readings.get(p.id);
  if (reading === undefined) return undefined;
  return reading + (values[p.rateSlot] as number) * hours;
}
