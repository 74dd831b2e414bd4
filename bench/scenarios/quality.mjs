// The cost of model quality (@inferometer/drift's outcome tracker and
// data-quality monitor). Per call with an id kept: the instrumented call
// with the tracker against the same instrumented call without it (the
// plain hot path), interleaved in one run. Per reported outcome: report()
// joining a kept prediction. Bytes per kept prediction: heap growth over
// 100,000 kept predictions. Data quality: per value checked (target: the
// drift budget of 30 ns per feature per row, nothing allocated).
import { instrument } from '@inferometer/core';
import { start } from '@inferometer/node';
import { buildProfile, dataQualityMonitor, outcomeTracker } from '@inferometer/drift';
import { interleavedMedians, medians, report, row } from '../lib.mjs';

// The real setup, as hot-path.mjs: the pull endpoint's reader, no server.
await start({ prometheus: { server: false }, runtimeMetrics: false });

const probabilities = [0.1, 0.7, 0.2];
const model = () => ({ label: 1, probabilities });
const plain = instrument(model, { model: 'plain', version: '1.0.0', confidence: (r) => r.probabilities });
const outcomes = outcomeTracker({
  task: 'classification',
  id: ([request]) => request.id,
  prediction: (r) => r.label,
  confidence: (r) => r.probabilities,
  maxEntries: 1_000_000,
});
const tracked = instrument(model, { model: 'tracked', version: '1.0.0', confidence: (r) => r.probabilities, drift: outcomes });
// Ids made up front: the caller's own ids, not ours to pay for.
const IDS = 200_000;
const requests = Array.from({ length: IDS }, (_, i) => ({ id: `req-${i.toString(36)}-${(i * 2654435761) % 1e9}` }));
let next = 0;
const perCall = await interleavedMedians(
  {
    'plain hot path (no id)': { fn: () => plain(requests[next++ % IDS]), batch: 20_000 },
    'with id kept (outcome tracker)': { fn: () => tracked(requests[next++ % IDS]), batch: 20_000 },
  },
  { rounds: 15, warmupRounds: 3 },
);
const added = perCall['with id kept (outcome tracker)'] - perCall['plain hot path (no id)'];

// Per reported outcome: keep a fresh batch, then report each (timed apart).
const joiner = outcomeTracker({ task: 'classification', id: ([r]) => r.id, prediction: (r) => r.label, confidence: (r) => r.probabilities, maxEntries: 1_000_000 });
const keep = instrument(model, { model: 'joined', version: '1.0.0', drift: joiner });
const reportSamples = [];
for (let round = 0; round < 12; round++) {
  const batch = requests.slice(0, 50_000).map((r) => ({ id: `${r.id}-${round}` }));
  for (const r of batch) keep(r);
  const t0 = performance.now();
  for (const r of batch) joiner.report(r.id, 'versicolor');
  if (round >= 2) reportSamples.push(((performance.now() - t0) * 1e6) / batch.length);
}
reportSamples.sort((a, b) => a - b);
const perOutcome = reportSamples[reportSamples.length >> 1];
const unknownPerOutcome = (await medians({ unknown: (i) => joiner.report(requests[i % IDS].id, 'x') }, { batch: 1000, time: 1000 })).unknown;

// Bytes per kept prediction: the store's arrays (allocated when the
// tracker is built) and the id map, not the ids (the caller's strings).
const ids = requests.slice(0, 100_000);
globalThis.gc?.();
const before = process.memoryUsage().heapUsed;
const store = outcomeTracker({ task: 'classification', id: ([r]) => r.id, prediction: (r) => r.label, confidence: (r) => r.probabilities, maxEntries: 100_000 });
const fill = instrument(model, { model: 'memory', version: '1.0.0', drift: store });
for (const r of ids) fill(r);
globalThis.gc?.();
const bytesPerKept = (process.memoryUsage().heapUsed - before) / 100_000;

// Data quality per value: 100 rows x 50 features against a profile.
const FEATURES = 50;
const ROWS = 100;
let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const names = Array.from({ length: FEATURES }, (_, j) => `f${j}`);
const reference = buildProfile({ rows: Array.from({ length: 5000 }, () => names.map((_, j) => j + random() * 10)), featureNames: names });
const rows = Array.from({ length: ROWS }, () => names.map((_, j) => j + random() * 12));
const quality = dataQualityMonitor({ reference, features: (x) => x }).bind({ model: 'dq', version: '1' });
const categorical = buildProfile({ rows: Array.from({ length: 5000 }, () => names.map(() => `c${Math.floor(random() * 20)}`)), featureNames: names });
const catRows = rows.map((r) => r.map((v) => `c${Math.floor(v) % 25}`));
const catQuality = dataQualityMonitor({ reference: categorical, features: (x) => x }).bind({ model: 'dq-cat', version: '1' });
const dq = await medians({ numeric: () => quality.input([rows]), categorical: () => catQuality.input([catRows]) }, { batch: 20, time: 2000, warmupTime: 500 });
const cells = ROWS * FEATURES;

report('quality', [
  row({ target: 'quality', metric: 'plain hot path, no id (same run)', unit: 'ns', ours: perCall['plain hot path (no id)'], goal: 'reference', met: true }),
  row({ target: 'quality', metric: 'call with its prediction kept under an id (tracker as observer)', unit: 'ns', ours: perCall['with id kept (outcome tracker)'], goal: 'informative', met: true, note: `added ${added.toFixed(0)} ns per call` }),
  row({ target: 'quality', metric: 'per reported outcome joined (report(id, label))', unit: 'ns', ours: perOutcome, goal: '<= 1000 ns', met: perOutcome <= 1000 }),
  row({ target: 'quality', metric: 'per reported outcome with an unknown id', unit: 'ns', ours: unknownPerOutcome, goal: 'informative', met: true }),
  row({ target: 'quality', metric: 'heap per kept prediction (100k kept: store arrays and id map; ids are the caller\'s)', unit: 'B', ours: bytesPerKept, goal: '<= 200 B', met: bytesPerKept <= 200 }),
  row({ target: 'quality', metric: 'data quality per value (numeric, 50 features x 100 rows)', unit: 'ns', ours: dq.numeric / cells, goal: '<= 30 ns', met: dq.numeric / cells <= 30 }),
  row({ target: 'quality', metric: 'data quality per value (categorical, Set lookup)', unit: 'ns', ours: dq.categorical / cells, goal: '<= 30 ns', met: dq.categorical / cells <= 30 }),
]);
