// Target 4: bytes per histogram series, ours against prom-client, its
// successor @prometheus-io/client and the OpenTelemetry SDK, each holding 10,000 series of the latency histogram
// with the catalog's buckets. Heap measured after full GCs (run with
// --expose-gc). Our series carry every catalog metric of the series (counts,
// in-flight, three histograms), the peers only the one histogram, so this
// does not flatter us.
import { metrics } from '@opentelemetry/api';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import promIo from '@prometheus-io/client';
import client from 'prom-client';
import { configureGuards, instrument } from '@inferometer/core';
import { METRIC_PREDICTION_LATENCY } from '@inferometer/core/catalog';
import { createCatalogProducer } from '@inferometer/node';
import { report, row } from '../lib.mjs';

if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
const SERIES = 10_000;
// 10,000 series on purpose: lift the cardinality guard's caps (2,000 series
// per metric, 100 values per attribute) above what this scenario creates.
configureGuards({ maxSeriesPerMetric: 20_000, maxValuesPerAttribute: 1_000 });
const PER_FUNCTION = 250;
const buckets = [...METRIC_PREDICTION_LATENCY.buckets];

function heap() {
  for (let i = 0; i < 4; i++) globalThis.gc();
  return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
}
const keep = [];

async function ours() {
  const catalog = createCatalogProducer('cumulative');
  const before = heap();
  // Labels as the peers get them: built per series (`s${i}`), not shared.
  const fns = [];
  for (let f = 0; f < SERIES / PER_FUNCTION; f++) {
    fns.push(instrument((shard) => shard, { model: `model_${f}`, version: '1.0.0', attributes: { shard: (_self, [shard]) => shard } }));
  }
  for (let i = 0; i < SERIES; i++) fns[Math.floor(i / PER_FUNCTION)](`s${i % PER_FUNCTION}`);
  const after = heap();
  keep.push(fns, catalog);
  return (after - before) / SERIES;
}

// prom-client and @prometheus-io/client record the same way: a label object
// per series (binding 10,000 children with labels() would only add the
// children's own bytes on top of the same store).
function promStyle(lib) {
  const registry = new lib.Registry();
  const before = heap();
  const histogram = new lib.Histogram({ name: 'ml_prediction_latency_seconds', help: 'h', labelNames: ['model_name', 'model_version', 'shard'], buckets, registers: [registry] });
  for (let i = 0; i < SERIES; i++) histogram.observe({ model_name: `model_${Math.floor(i / PER_FUNCTION)}`, model_version: '1.0.0', shard: `s${i % PER_FUNCTION}` }, 0.003);
  const after = heap();
  keep.push(registry, histogram);
  return { bytes: (after - before) / SERIES, series: async () => (await registry.metrics()).split('\n').filter((l) => l.startsWith('ml_prediction_latency_seconds_count{')).length };
}

class Reader extends MetricReader {
  async onForceFlush() {}
  async onShutdown() {}
}
async function otelSdk() {
  const reader = new Reader({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  // Raise the cardinality limit (default 2,000) so all 10,000 series are kept.
  const provider = new MeterProvider({ readers: [reader], views: [{ instrumentName: '*', aggregationCardinalityLimit: SERIES + 10 }] });
  const before = heap();
  const histogram = provider.getMeter('bench').createHistogram('ml_prediction_latency_seconds', { advice: { explicitBucketBoundaries: buckets } });
  for (let i = 0; i < SERIES; i++) histogram.record(0.003, { model_name: `model_${Math.floor(i / PER_FUNCTION)}`, model_version: '1.0.0', shard: `s${i % PER_FUNCTION}` });
  const after = heap();
  keep.push(provider, histogram);
  return {
    bytes: (after - before) / SERIES,
    series: async () => (await reader.collect()).resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).reduce((n, m) => n + m.dataPoints.length, 0),
  };
}

const oursBytes = await ours();
const prom = promStyle(client);
const promIoResult = promStyle(promIo);
const otel = await otelSdk();
// Each peer holds the 10,000 series it was measured for (checked after the
// heap readings: collecting allocates).
for (const [name, peer] of [['prom-client', prom], ['@prometheus-io/client', promIoResult], ['otel-sdk', otel]]) {
  const held = await peer.series();
  if (held !== SERIES) throw new Error(`${name} holds ${held} series, expected ${SERIES}`);
}
const peers = { 'prom-client': prom.bytes, '@prometheus-io/client': promIoResult.bytes, 'otel-sdk': otel.bytes };
report('memory', [
  row({
    target: '4 memory',
    metric: 'bytes per histogram series (10,000 series)',
    unit: 'B',
    ours: oursBytes,
    peers,
    goal: 'below every peer',
    met: Object.values(peers).every((bytes) => oursBytes < bytes),
    note: 'ours holds every catalog metric of a series (counters, in-flight, latency, confidence and batch-size histograms); the peers one histogram',
  }),
]);
metrics.disable();
