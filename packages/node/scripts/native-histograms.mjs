// Exponential (native) against explicit-bucket histograms on the fast path,
// in one run: per-call cost of an instrumented call, heap bytes per series
// and exposition bytes per series for 10,000 series, and exposition time
// (text serializer, protobuf encoder). Each kind runs in a child process of
// its own (clean heap). Usage, after `npm run build`:
//   node packages/node/scripts/native-histograms.mjs
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const KINDS = ['explicit', 'exponential', 'both'];
const SERIES = 10_000;
const PER_FUNCTION = 250;

if (process.argv[2] === undefined) {
  const rows = [];
  for (const kind of KINDS) {
    const out = execFileSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), kind], { encoding: 'utf8' });
    rows.push(JSON.parse(out.trim().split('\n').at(-1)));
  }
  console.table(rows);
  process.exit(0);
}

const kind = process.argv[2];
const { configureGuards, instrument } = await import('@inferometer/core');
const { createCatalogProducer, encodeProtobufExposition, serializePrometheus } = await import('@inferometer/node');
const { AggregationTemporality, MeterProvider, MetricReader } = await import('@opentelemetry/sdk-metrics');

configureGuards({ maxSeriesPerMetric: 20_000, maxValuesPerAttribute: 1_000 });
class Reader extends MetricReader {
  async onForceFlush() {}
  async onShutdown() {}
}
const catalog = createCatalogProducer('cumulative', { histograms: kind });
const reader = new Reader({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE, metricProducers: [catalog.producer] });
const provider = new MeterProvider({ readers: [reader] });
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];

// 1. Per call: the bare function against the instrumented one (count, latency histogram, in-flight).
let sink = 0;
const bare = (x) => {
  sink += x;
  return x;
};
const measured = instrument(bare, { model: 'bench', version: '1', histograms: kind });
const N = 1_000_000;
const block = (fn) => {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) fn(i);
  return Number(process.hrtime.bigint() - t0) / N;
};
for (let i = 0; i < 3; i++) {
  block(bare);
  block(measured);
}
const added = [];
for (let i = 0; i < 7; i++) {
  const b = block(bare);
  added.push(block(measured) - b);
}

// 2. Memory: 10,000 series, each with 100 latencies log-uniform over 1 ms .. 10 s.
const heap = () => {
  for (let i = 0; i < 4; i++) globalThis.gc();
  return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
};
let clock = 0;
const realNow = performance.now.bind(performance);
let x = 1;
const before = heap();
const fns = [];
for (let f = 0; f < SERIES / PER_FUNCTION; f++) {
  fns.push(instrument((shard, seconds) => ((clock += seconds * 1000), shard), { model: `model_${f}`, version: '1.0.0', attributes: { shard: (_self, [shard]) => shard }, histograms: kind }));
}
performance.now = () => clock;
for (let i = 0; i < SERIES; i++) {
  for (let j = 0; j < 100; j++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    fns[Math.floor(i / PER_FUNCTION)](`s${i % PER_FUNCTION}`, 0.001 * 10 ** (4 * (x / 2 ** 31)));
  }
}
performance.now = realNow;
const after = heap();

// 3. Exposition: text (what it can carry: classic buckets) and protobuf, bytes and time.
const { resourceMetrics } = await reader.collect();
const time = (fn) => {
  fn();
  const runs = [];
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    runs.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(runs);
};
let text = '';
let proto = new Uint8Array();
const textMs = time(() => (text = serializePrometheus(resourceMetrics)));
const protoMs = time(() => (proto = encodeProtobufExposition(resourceMetrics)));
const latencyText = text.split('\n').filter((l) => l.startsWith('ml_prediction_latency_seconds')).reduce((n, l) => n + l.length + 1, 0);

console.log(
  JSON.stringify({
    kind,
    addedNsPerCall: Number(median(added).toFixed(1)),
    heapBytesPerSeries: Math.round((after - before) / SERIES),
    textBytesPerSeries: Math.round(text.length / SERIES),
    textLatencyBytesPerSeries: Math.round(latencyText / SERIES),
    protobufBytesPerSeries: Math.round(proto.length / SERIES),
    textMs: Number(textMs.toFixed(1)),
    protobufMs: Number(protoMs.toFixed(1)),
    sink: sink > 0,
  }),
);
await provider.shutdown();
catalog.close();
