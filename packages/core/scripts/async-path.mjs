// Async path cost: ns added per awaited call by instrument() on the native
// path (count + latency + confidence + in-flight) against the bare async
// function, both with a trivial body. 15 alternating blocks of 200k
// sequential awaited calls; medians of the per-block differences. Compare
// builds in separate processes, alternating (two copies in one process share
// one runtime, so the second would record through the first's code). Usage:
//   node packages/core/scripts/async-path.mjs [path to core dist/index.js]
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const entry = resolve(process.argv[2] ?? new URL('../dist/index.js', import.meta.url).pathname);
const core = await import(pathToFileURL(entry).href);
const collector = core.attachCollector();

const out = { probabilities: [0.1, 0.7, 0.2] };
let sink = 0;
const bare = async (x) => {
  sink += x;
  return out;
};
const measured = core.instrument(bare, { model: 'bench', version: '1.0.0', confidence: (r) => r.probabilities });

const N = 200_000;
async function block(fn) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) await fn(i);
  return Number(process.hrtime.bigint() - t0) / N;
}
// Warm both up so both are optimized before measuring.
for (let i = 0; i < 3; i++) {
  await block(bare);
  await block(measured);
}
const bareNs = [];
const added = [];
for (let i = 0; i < 15; i++) {
  const b = await block(bare);
  bareNs.push(b);
  added.push((await block(measured)) - b);
}
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
console.log(JSON.stringify({ bareNs: median(bareNs).toFixed(1), addedNs: median(added).toFixed(1), sink: sink > 0 }));
collector.detach();
