// Target 3: the exposition of 10,000 histogram series of the catalog, against
// prom-client's registry.metrics() and the OpenTelemetry PrometheusSerializer
// on the same data; and the longest event-loop stall while scrapes run
// against a process that keeps serving predictions.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import client from 'prom-client';
import { metrics } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { configureGuards, instrument, METRIC_PREDICTION_LATENCY } from '@inferometer/core';
import { createCatalogProducer, createPrometheusReader, serializePrometheusChunks } from '@inferometer/node';
import { createServer } from 'node:http';
import { asyncMedians, report, row } from '../lib.mjs';

const SERIES = 10_000;
// 10,000 series on purpose: lift the cardinality guard's caps (2,000 series
// per metric, 100 values per attribute) above what this scenario creates.
configureGuards({ maxSeriesPerMetric: 20_000, maxValuesPerAttribute: 1_000 });
const PER_FUNCTION = 250; // under the per-function cap of dynamic series
// The fast path with a MeterProvider built here (what start() does inside).
const catalog = createCatalogProducer('cumulative');
const { reader, handler } = createPrometheusReader({ metricProducers: [catalog.producer] });
const provider = new MeterProvider({ readers: [reader] });
metrics.setGlobalMeterProvider(provider);
const server = createServer(handler);
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const metricsUrl = `http://127.0.0.1:${server.address().port}/metrics`;
// 10,000 (model, version, shard) series, each with a few latency observations.
const fns = [];
for (let f = 0; f < SERIES / PER_FUNCTION; f++) {
  fns.push(instrument((shard) => shard, { model: `model_${f}`, version: '1.0.0', attributes: { shard: (_self, [shard]) => shard } }));
}
for (let i = 0; i < SERIES; i++) for (let k = 0; k < 3; k++) fns[Math.floor(i / PER_FUNCTION)](`s${i % PER_FUNCTION}`);

// The same histograms in prom-client.
const registry = new client.Registry();
const promHistogram = new client.Histogram({
  name: METRIC_PREDICTION_LATENCY.prometheusName,
  help: METRIC_PREDICTION_LATENCY.description,
  labelNames: ['model_name', 'model_version', 'shard'],
  buckets: [...METRIC_PREDICTION_LATENCY.buckets],
  registers: [registry],
});
for (let i = 0; i < SERIES; i++) {
  const labels = { model_name: `model_${Math.floor(i / PER_FUNCTION)}`, model_version: '1.0.0', shard: `s${i % PER_FUNCTION}` };
  for (let k = 0; k < 3; k++) promHistogram.observe(labels, 0.003 * (k + 1));
}

// Collect once through the real reader to get the SDK-shaped data, then keep
// only the latency histogram, so every serializer gets the same 10,000 series.
const { resourceMetrics } = await reader.collect();
const latencyOnly = {
  resource: resourceMetrics.resource,
  scopeMetrics: resourceMetrics.scopeMetrics
    .map((scope) => ({ scope: scope.scope, metrics: scope.metrics.filter((m) => m.descriptor.name === METRIC_PREDICTION_LATENCY.name) }))
    .filter((scope) => scope.metrics.length > 0),
};
const points = latencyOnly.scopeMetrics[0].metrics[0].dataPoints.length;
if (points !== SERIES) throw new Error(`expected ${SERIES} series, got ${points}`);

const otelSerializer = new PrometheusSerializer(undefined, false, undefined, false, true);
let size = 0;
const m = await asyncMedians(
  {
    // Ours produces the bytes that go on the wire; the peers produce a string
    // that still has to be encoded, so this does not flatter us.
    inferometer: () => {
      for (const chunk of serializePrometheusChunks(latencyOnly)) size += chunk.length;
    },
    'otel-serializer': () => { size += otelSerializer.serialize(latencyOnly).length; },
    'prom-client': async () => { size += (await registry.metrics()).length; },
  },
  { time: 4000, warmupTime: 1000 },
);
const oursMs = m.inferometer / 1e6;
const otelMs = m['otel-serializer'] / 1e6;
const promMs = m['prom-client'] / 1e6;

// The full scrape over HTTP (collection + serialization of every catalog
// metric, about 50,000 samples) while predictions keep running: the longest
// event-loop stall seen.
const served = instrument((x) => x, { model: 'served', version: '1' });
let running = true;
let predictions = 0;
const keepServing = () => {
  if (!running) return;
  for (let i = 0; i < 50; i++) served(i);
  predictions += 50;
  setImmediate(keepServing);
};
keepServing();
// The first scrape after start also pays for JIT warm-up and for building
// the label caches; it is reported on its own.
const first = monitorEventLoopDelay({ resolution: 1 });
first.enable();
await (await fetch(metricsUrl)).arrayBuffer();
first.disable();
const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
const scrapeTimes = [];
for (let i = 0; i < 10; i++) {
  const t0 = performance.now();
  const body = await (await fetch(metricsUrl)).text();
  scrapeTimes.push(performance.now() - t0);
  if (!body.includes('ml_predictions_total')) throw new Error('scrape failed');
}
delay.disable();
running = false;
const maxStallMs = delay.max / 1e6;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

report('scrape', [
  row({
    target: '3 scrape',
    metric: 'serialize 10,000 catalog histogram series',
    unit: 'ms',
    ours: oursMs,
    peers: { 'otel-serializer': otelMs, 'prom-client': promMs },
    goal: '<= 20 ms, >= 15x faster than prom-client, >= 30x faster than the OTel serializer',
    met: oursMs <= 20 && promMs / oursMs >= 15 && otelMs / oursMs >= 30,
  }),
  row({
    target: '3 scrape',
    metric: 'longest event-loop stall during full HTTP scrapes while serving',
    unit: 'ms',
    ours: maxStallMs,
    goal: '<= 20 ms',
    met: maxStallMs <= 20,
    note: `10 scrapes of the whole catalog for 10,000 series, median ${median(scrapeTimes).toFixed(0)} ms each; ${predictions} predictions served meanwhile; the first scrape after start (JIT warm-up, label caches) stalled ${(first.max / 1e6).toFixed(1)} ms`,
  }),
]);
if (size === 0) console.log('');
server.close();
catalog.close();
await provider.shutdown();
