// Benchmark: generating the demo building with 30 days of 15-minute history into the memory store (target < 10 s).
// No peer has a demo building; the figure is ours against the target.

import { createDemoBuilding, populateDemo } from '../src/app/demo/demo-building.js';
import { createDemoSimulator } from '../src/app/demo/demo-simulator.js';
import { createMemoryStore } from '../src/storage/memory/index.js';

const NOW = Date.UTC(2024, 6, 17, 18, 0);
const TARGET_MS = 10_000;

function ms(start: number): string {
  return (performance.now() - start).toFixed(0);
}

// Model evaluation alone: every slot of the building at every sample instant.
{
  const building = createDemoBuilding();
  const v = new Float64Array(building.slots);
  const t0 = performance.now();
  const count = 30 * 96;
  for (let i = 0; i < count; i++) building.evaluate(NOW - i * 900_000, v);
  process.stdout.write(`evaluate: ${count} instants x ${building.slots} slots in ${ms(t0)} ms\n`);
}

for (let run = 1; run <= 3; run++) {
  const store = createMemoryStore({ clock: () => NOW });
  const t0 = performance.now();
  const r = await populateDemo(store, { now: NOW, days: 30, intervalMinutes: 15 });
  const took = performance.now() - t0;
  process.stdout.write(
    `populate run ${run}: ${r.entities} entities, ${r.points} points, ${r.samples} samples in ${took.toFixed(0)} ms ` +
      `(target < ${TARGET_MS} ms, ${(took / TARGET_MS).toFixed(2)}x of it)\n`,
  );
  if (run === 3) {
    const sim = createDemoSimulator(store, r.building);
    const t1 = performance.now();
    let changed = 0;
    for (let i = 1; i <= 100; i++) changed += await sim.step(NOW + i * 5000);
    process.stdout.write(`simulator: 100 steps in ${ms(t1)} ms, ${changed} curVal changes committed\n`);
  }
}
