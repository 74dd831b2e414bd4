// Sync hot path cost: ns added per call by instrument() on the native path
// (count + latency + confidence + in-flight) against the bare function.
// 10 alternating blocks of 1M calls each; medians. Usage:
//   node packages/core/scripts/hot-path.mjs [path to core dist/index.js]
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const entry = resolve(process.argv[2] ?? new URL('../dist/index.js', import.meta.url).pathname);
const core = await import(pathToFileURL(entry).href);
const collector = core.attachCollector();

const out = { probabilities: [0.1, 0.7, 0.2] };
let sink = 0;
const bare = (x) => {
  sink += x;
  return out;
};
const measured = core.instrument(bare, { model: 'bench', version: '1.0.0', confidence: (r) => r.probabilities });

const N = 1_000_000;
function block(fn) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) fn(i);
  return Number(process.hrtime.bigint() - t0) / N;
}
// Warm both up so both are optimized before measuring.
for (let i = 0; i < 3; i++) {
  block(bare);
  block(measured);
}
const bareNs = [];
const measuredNs = [];
for (let i = 0; i < 10; i++) {
  bareNs.push(block(bare));
  measuredNs.push(block(measured));
}
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const added = measuredNs.map((m, i) => m - bareNs[i]);
console.log(JSON.stringify({ bareNs: median(bareNs).toFixed(1), measuredNs: median(measuredNs).toFixed(1), addedNs: median(added).toFixed(1), sink: sink > 0 }));
collector.detach();
