// Shows that streaming Zinc decode and encode run in flat memory: a generated history (3,000,000 rows by default,
// about 130 MB of text; pass 10000000 for the 10-million-row case, ~440 MB) is encoded chunk by chunk and decoded
// row by row, printing the heap as it goes. Run: npx tsx bench/zinc-stream-memory.ts [rows]

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Dict, encodeZincStream, HDateTime, MARKER, Num, readZincStream, TimeZone } from '../src/core/index.js';

const ROWS = Number(process.argv[2] ?? 3_000_000);
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MB`;

function heap(): number {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

const tz = TimeZone.get('New_York');
const start = Date.UTC(2020, 0, 1, 5);

// The rows a server would read from storage one at a time.
function* rows(): Generator<Dict> {
  for (let i = 0; i < ROWS; i++) {
    yield Dict.of({ ts: HDateTime.fromEpochMs(start + i * 60_000, tz), val: new Num((i % 10_000) / 10, 'kW') });
  }
}

const meta = Dict.of({ hisStart: HDateTime.fromEpochMs(start, tz), id: MARKER });
const cols = [
  { name: 'ts', meta: Dict.EMPTY },
  { name: 'val', meta: Dict.of({ unit: 'kW' }) },
];

const base = heap();
console.log(
  `streaming ${ROWS.toLocaleString('en-US')} rows: encode chunk by chunk, decode row by row; heap at start ${mb(base)}`,
);
let text = 0;
let read = 0;
let peak = 0;
const t0 = performance.now();
// The encoder's chunks feed the decoder directly, as a client reading a server's response would.
for await (const e of readZincStream(encodeZincStream(meta, cols, rows(), { rowsPerChunk: 2000 }))) {
  if (e.type !== 'row') continue;
  read++;
  text += 44;
  if (read % 1_000_000 === 0) {
    const h = heap();
    peak = Math.max(peak, h);
    console.log(`${read.toLocaleString('en-US').padStart(12)} rows  ~${mb(text)} of text so far  heap ${mb(h)}`);
  }
}
console.log(
  `done: ${read.toLocaleString('en-US')} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s; heap growth at peak ${mb(peak - base)} (holding the rows would take ~${mb(read * 700)})`,
);
