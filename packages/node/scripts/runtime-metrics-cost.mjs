// What the runtime metrics cost at collection: a Prometheus pull reader
// collects and serializes N times with them and N times without, in
// alternating blocks; prints the medians (wall time and CPU time per
// collection). The instrumented call path has nothing to measure: the
// runtime metrics add no code to it.
//   npm run build && node packages/node/scripts/runtime-metrics-cost.mjs [N]
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { createPrometheusReader, serializePrometheus, startRuntimeMetrics } from '@inferometer/node';

const N = Number(process.argv[2] ?? 400);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(withRuntime) {
  const { reader } = createPrometheusReader();
  const provider = new MeterProvider({ readers: [reader] });
  const runtime = withRuntime ? startRuntimeMetrics(provider) : undefined;
  // A model server's own metrics beside them: one counter with 50 series.
  const counter = provider.getMeter('bench').createCounter('ml_predictions');
  for (let i = 0; i < 50; i++) counter.add(1, { model_name: `m${i}` });
  const wall = [];
  const cpu = [];
  let bytes = 0;
  for (let i = 0; i < N; i++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const { resourceMetrics } = await reader.collect();
    bytes = serializePrometheus(resourceMetrics).length;
    wall.push(Number(process.hrtime.bigint() - t0) / 1e3);
    const c1 = process.cpuUsage(c0);
    cpu.push(c1.user + c1.system);
  }
  runtime?.close();
  await provider.shutdown();
  return { wall: median(wall), cpu: median(cpu), bytes };
}

const results = { with: [], without: [] };
for (let block = 0; block < 6; block++) {
  results.without.push(await measure(false));
  results.with.push(await measure(true));
}
for (const [name, runs] of Object.entries(results)) {
  const warm = runs.slice(1); // first block: JIT warm-up
  console.log(`${name.padEnd(8)} runtime metrics: median wall ${median(warm.map((r) => r.wall)).toFixed(0)} µs, median CPU ${median(warm.map((r) => r.cpu)).toFixed(0)} µs per collection, exposition ${warm[0].bytes} bytes`);
}
