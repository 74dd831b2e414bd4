// The remote write encoder is on the export path of every service,
// so it is measured against the usual way to do it in JS: protobufjs for the
// protobuf and snappyjs for the snappy block. Same data for both: the demo's
// catalog for 4 models x 3 versions (552 series, histogram buckets included),
// with metadata. Each side starts from the SDK's ResourceMetrics and ends with
// the compressed body, so each includes its translation to Prometheus series.
//
//   npm run build && node bench/scenarios/remote-write-encode.mjs
//
// Writes bench/results/remote-write-encode.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { DataPointType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import {
  METRIC_ACTIVE_MODEL_VERSION,
  METRIC_MODEL_INFO,
  METRIC_PREDICTION_BATCH_SIZE,
  METRIC_PREDICTION_CONFIDENCE,
  METRIC_PREDICTION_ERRORS,
  METRIC_PREDICTION_LATENCY,
  METRIC_PREDICTIONS,
  METRIC_PREDICTIONS_IN_FLIGHT,
} from '@inferometer/core/catalog';
import { SnappyCompressor, WriteRequestEncoder } from '@inferometer/exporter-remote-write';
import protobuf from 'protobufjs';
import snappy from 'snappyjs';
import { Bench } from 'tinybench';

const here = dirname(fileURLToPath(import.meta.url));

// --- The data: a real MeterProvider, the catalog's instruments ---------------
class BenchReader extends MetricReader {
  async onShutdown() {}
  async onForceFlush() {}
}
const reader = new BenchReader();
const provider = new MeterProvider({
  resource: resourceFromAttributes({ 'service.name': 'iris-server', 'service.instance.id': 'pod-1', 'deployment.environment': 'prod' }),
  readers: [reader],
});
const meter = provider.getMeter('@inferometer/core');
const create = (definition) => {
  const options = { unit: definition.unit, description: definition.description };
  if (definition.kind === 'histogram') return meter.createHistogram(definition.name, { ...options, advice: { explicitBucketBoundaries: [...definition.buckets] } });
  if (definition.kind === 'updowncounter') return meter.createUpDownCounter(definition.name, options);
  if (definition.kind === 'gauge') return meter.createGauge(definition.name, options);
  return meter.createCounter(definition.name, options);
};
const predictions = create(METRIC_PREDICTIONS);
const errors = create(METRIC_PREDICTION_ERRORS);
const latency = create(METRIC_PREDICTION_LATENCY);
const confidence = create(METRIC_PREDICTION_CONFIDENCE);
const batchSize = create(METRIC_PREDICTION_BATCH_SIZE);
const inFlight = create(METRIC_PREDICTIONS_IN_FLIGHT);
const info = create(METRIC_MODEL_INFO);
const active = create(METRIC_ACTIVE_MODEL_VERSION);
for (const model of ['iris', 'churn', 'fraud', 'ranker']) {
  for (const version of ['1.0.0', '1.1.0', '2.0.0']) {
    const series = { model_name: model, model_version: version };
    for (let i = 0; i < 200; i++) {
      predictions.add(1, { ...series, status: i % 20 === 0 ? 'error' : 'success' });
      latency.record(0.002 * (1 + (i % 50)), series);
      confidence.record(0.5 + (i % 50) / 100, series);
      batchSize.record(1 + (i % 16), series);
    }
    errors.add(3, { ...series, error_type: 'InvalidInputError' });
    errors.add(1, { ...series, error_type: 'TimeoutError' });
    inFlight.add(2, series);
    info.record(1, series);
  }
  active.record(2_000_000, { model_name: model });
}
const { resourceMetrics } = await reader.collect();

// --- The comparison: protobufjs + snappyjs, series built as objects ----------
const root = protobuf.parse(`
syntax = "proto3";
package prometheus;
message WriteRequest { repeated TimeSeries timeseries = 1; repeated MetricMetadata metadata = 3; }
message MetricMetadata { int32 type = 1; string metric_family_name = 2; string help = 4; string unit = 5; }
message Sample { double value = 1; int64 timestamp = 2; }
message TimeSeries { repeated Label labels = 1; repeated Sample samples = 2; }
message Label { string name = 1; string value = 2; }
`).root;
const WriteRequest = root.lookupType('prometheus.WriteRequest');
const sanitize = (name) => name.replace(/[^a-z0-9_]/gi, '_').replace(/_{2,}/g, '_');
const byName = (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** The straightforward translation: one object per series and label, then protobufjs. */
function toWriteRequest(data) {
  const attrs = data.resource.attributes;
  const base = [{ name: 'job', value: String(attrs['service.name']) }, { name: 'instance', value: String(attrs['service.instance.id']) }];
  const timeseries = [];
  const metadata = [];
  const push = (name, attributes, extra, value, timestamp) => {
    const labels = [{ name: '__name__', value: name }, ...base, ...extra];
    for (const [key, v] of Object.entries(attributes)) if (v !== '' && v !== undefined) labels.push({ name: sanitize(key), value: String(v) });
    labels.sort(byName);
    timeseries.push({ labels, samples: [{ value, timestamp }] });
  };
  for (const scope of data.scopeMetrics) {
    for (const metric of scope.metrics) {
      let name = sanitize(metric.descriptor.name);
      const monotonic = metric.dataPointType === DataPointType.SUM && metric.isMonotonic;
      if (monotonic && !name.endsWith('_total')) name += '_total';
      const type = metric.dataPointType === DataPointType.HISTOGRAM ? 3 : monotonic ? 1 : 2;
      metadata.push({ type, metricFamilyName: name, help: metric.descriptor.description, unit: metric.descriptor.unit });
      for (const point of metric.dataPoints) {
        const timestamp = Math.round(point.endTime[0] * 1000 + point.endTime[1] / 1e6);
        if (metric.dataPointType !== DataPointType.HISTOGRAM) {
          push(name, point.attributes, [], point.value, timestamp);
          continue;
        }
        const { buckets, sum, count } = point.value;
        push(`${name}_count`, point.attributes, [], count, timestamp);
        push(`${name}_sum`, point.attributes, [], sum, timestamp);
        let cumulative = 0;
        for (let i = 0; i < buckets.counts.length; i++) {
          cumulative += buckets.counts[i];
          const le = i < buckets.boundaries.length ? String(buckets.boundaries[i]) : '+Inf';
          push(`${name}_bucket`, point.attributes, [{ name: 'le', value: le }], cumulative, timestamp);
        }
      }
    }
  }
  return { timeseries, metadata };
}

// --- Check both produce the same series before timing them -------------------
const encoder = new WriteRequestEncoder({ maxSamplesPerRequest: 100_000, targetInfo: false });
const rawEncoder = new WriteRequestEncoder({ maxSamplesPerRequest: 100_000, targetInfo: false, compress: false });
const ours = encoder.encode(resourceMetrics);
const theirsBytes = WriteRequest.encode(toWriteRequest(resourceMetrics)).finish();
const decodedOurs = WriteRequest.toObject(WriteRequest.decode(snappy.uncompress(ours.requests[0].body)), { longs: Number });
const decodedTheirs = WriteRequest.toObject(WriteRequest.decode(theirsBytes), { longs: Number });
if (ours.requests.length !== 1 || decodedOurs.timeseries.length !== decodedTheirs.timeseries.length) {
  throw new Error(`encoders disagree: ${decodedOurs.timeseries.length} vs ${decodedTheirs.timeseries.length} series`);
}
const key = (s) => JSON.stringify(s);
const theirSet = new Set(decodedTheirs.timeseries.map(key));
for (const series of decodedOurs.timeseries) if (!theirSet.has(key(series))) throw new Error(`series differs: ${key(series)}`);
const series = ours.samples;
const protobufBytes = rawEncoder.encode(resourceMetrics).requests[0].body;

// --- Timing ------------------------------------------------------------------
const compressor = new SnappyCompressor();
const bench = new Bench({ time: 1500, warmupTime: 300 });
bench
  .add('inferometer: ResourceMetrics -> protobuf + snappy', () => encoder.encode(resourceMetrics))
  .add('protobufjs + snappyjs: ResourceMetrics -> protobuf + snappy', () => snappy.compress(WriteRequest.encode(toWriteRequest(resourceMetrics)).finish()))
  .add('inferometer: ResourceMetrics -> protobuf', () => rawEncoder.encode(resourceMetrics))
  .add('protobufjs: ResourceMetrics -> protobuf', () => WriteRequest.encode(toWriteRequest(resourceMetrics)).finish())
  .add('inferometer: snappy block', () => compressor.compress(protobufBytes))
  .add('snappyjs: snappy block', () => snappy.compress(protobufBytes));
await bench.run();

const median = (name) => bench.getTask(name).result.latency.p50;
const rows = bench.tasks.map((task) => ({ task: task.name, medianMicros: +(task.result.latency.p50 * 1000).toFixed(1), samples: task.result.latency.samples.length }));
const ratio = (a, b) => +(median(b) / median(a)).toFixed(2);
const figures = {
  scenario: 'remote-write-encode',
  series,
  protobufBytes: protobufBytes.length,
  snappyBytes: { inferometer: ours.requests[0].body.length, snappyjs: snappy.compress(protobufBytes).length },
  node: process.version,
  results: rows,
  // The runner's table rows (our figure, the peer's, the ratio).
  rows: [
    {
      target: '4 push',
      metric: `remote write encode, ${series} series to protobuf + snappy`,
      unit: 'us',
      ours: median('inferometer: ResourceMetrics -> protobuf + snappy') * 1000,
      peers: { 'protobufjs+snappyjs': median('protobufjs + snappyjs: ResourceMetrics -> protobuf + snappy') * 1000 },
      goal: 'faster than protobufjs + snappyjs',
      met: median('inferometer: ResourceMetrics -> protobuf + snappy') < median('protobufjs + snappyjs: ResourceMetrics -> protobuf + snappy'),
    },
  ],
  speedup: {
    endToEnd: ratio('inferometer: ResourceMetrics -> protobuf + snappy', 'protobufjs + snappyjs: ResourceMetrics -> protobuf + snappy'),
    protobuf: ratio('inferometer: ResourceMetrics -> protobuf', 'protobufjs: ResourceMetrics -> protobuf'),
    snappy: ratio('inferometer: snappy block', 'snappyjs: snappy block'),
  },
};

console.log(`remote write encode: ${series} series, ${protobufBytes.length} bytes of protobuf`);
console.table(rows);
console.log(
  `speed-up (median of protobufjs+snappyjs / median of inferometer): end to end x${figures.speedup.endToEnd}, protobuf x${figures.speedup.protobuf}, snappy x${figures.speedup.snappy}`,
);
const out = join(here, '..', 'results', 'remote-write-encode.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(figures, null, 2)}\n`);
console.log(`wrote ${out}`);
await provider.shutdown();
