// Target 4: bytes per label set, each library holding the same catalog:
// the predictions counter (status="success"), the in-flight gauge and the
// latency, confidence and batch-size histograms with the catalog's buckets,
// for the same 10,000 label sets (model_name, model_version, shard), once
// collected (a served model is scraped: what a library keeps for its
// readers from the first collection on counts too). One
// library per process (this file re-runs itself with --lib), so no library's
// heap, JIT state or shared strings count against another's. Heap plus
// array buffers, measured after full GCs (--expose-gc).
//
// ours:   instrument() with a confidence and a batch-size extractor, one call
//         per label set, a catalog producer attached (the fast path's series).
// peers:  a Counter, a Gauge (inc, then dec) and three Histograms in one
//         registry (prom-client, @prometheus-io/client); a Counter, an
//         UpDownCounter and three Histograms in one MeterProvider with a
//         cardinality limit above 10,000 (OpenTelemetry SDK), each recorded
//         once per label set as the wrapper would.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { report, row } from '../lib.mjs';

const SERIES = 10_000;
const PER_MODEL = 250;
const LIBRARIES = ['ours', 'prom-client', '@prometheus-io/client', 'otel-sdk'];

const libArg = process.argv.find((a) => a.startsWith('--lib='));
if (libArg === undefined) {
  const results = {};
  for (const lib of LIBRARIES) {
    const out = execFileSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), `--lib=${lib}`], { encoding: 'utf8' });
    results[lib] = JSON.parse(out.trim().split('\n').pop());
  }
  const ours = results.ours.bytes;
  const peers = Object.fromEntries(LIBRARIES.slice(1).map((lib) => [lib, results[lib].bytes]));
  const closest = Math.min(...Object.values(peers));
  report('memory', [
    row({
      target: '4 memory',
      metric: 'bytes per label set once scraped, the same five metrics in every library (10,000 label sets, one library per process)',
      unit: 'B',
      ours,
      peers,
      goal: '<= 0.25x the closest peer',
      met: ours <= 0.25 * closest,
      note: `ours ${(ours / closest).toFixed(2)}x the closest peer; counter, in-flight gauge and latency, confidence and batch-size histograms with the catalog's buckets; heap + array buffers after full GCs, after one collection (what a scraped service holds); before any collection: ${LIBRARIES.map((lib) => `${lib} ${results[lib].beforeScrape.toFixed(0)} B`).join(', ')}`,
    }),
  ]);
} else {
  if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
  const lib = libArg.slice('--lib='.length);
  const { DEFAULT_BATCH_SIZE_BUCKETS, DEFAULT_CONFIDENCE_BUCKETS, DEFAULT_LATENCY_BUCKETS } = await import('@inferometer/core/catalog');
  const buckets = { latency: [...DEFAULT_LATENCY_BUCKETS], confidence: [...DEFAULT_CONFIDENCE_BUCKETS], batch: [...DEFAULT_BATCH_SIZE_BUCKETS] };
  const labels = (i) => ({ model_name: `model_${Math.floor(i / PER_MODEL)}`, model_version: '1.0.0', shard: `s${i % PER_MODEL}` });
  const heap = () => {
    for (let i = 0; i < 4; i++) globalThis.gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const keep = [];
  let before;
  let after;
  let held;
  /**
   * Heap once scraped: what a served model holds from its first scrape on.
   * Read after the collection that counts the label sets, whose output is
   * garbage by then (it lives only inside that collection's function).
   */
  let scraped;

  if (lib === 'ours') {
    const { configureGuards, instrument } = await import('@inferometer/core');
    const { createCatalogProducer } = await import('@inferometer/node');
    // Lift the cardinality guard's caps (2,000 series per metric, 100 values
    // per attribute) above what this scenario creates.
    configureGuards({ maxSeriesPerMetric: 20_000, maxValuesPerAttribute: 1_000 });
    const catalog = createCatalogProducer('cumulative');
    before = heap();
    const fns = [];
    for (let f = 0; f < SERIES / PER_MODEL; f++) {
      fns.push(
        instrument((shard, rows) => ({ shard, confidence: 0.9, rows }), {
          model: `model_${f}`,
          version: '1.0.0',
          attributes: { shard: (_self, [shard]) => shard },
          confidence: (result) => result.confidence,
          batchSize: (_shard, rows) => rows.length,
        }),
      );
    }
    const rows = [[1, 2]];
    for (let i = 0; i < SERIES; i++) fns[Math.floor(i / PER_MODEL)](`s${i % PER_MODEL}`, rows);
    after = heap();
    keep.push(fns, catalog);
    held = (() => {
      const metrics = catalog.collectNow();
      const points = (name) => metrics.find((m) => m.descriptor.name === name)?.dataPoints.length ?? 0;
      return Math.min(points('ml_prediction_latency_seconds'), points('ml_prediction_confidence'), points('ml_prediction_batch_size'), points('ml_predictions_in_flight'), points('ml_predictions'));
    })();
  } else if (lib === 'prom-client' || lib === '@prometheus-io/client') {
    const mod = await import(lib);
    const client = mod.default ?? mod;
    const registry = new client.Registry();
    before = heap();
    const labelNames = ['model_name', 'model_version', 'shard'];
    const registers = [registry];
    const predictions = new client.Counter({ name: 'ml_predictions_total', help: 'h', labelNames: [...labelNames, 'status'], registers });
    const inFlight = new client.Gauge({ name: 'ml_predictions_in_flight', help: 'h', labelNames, registers });
    const latency = new client.Histogram({ name: 'ml_prediction_latency_seconds', help: 'h', labelNames, buckets: buckets.latency, registers });
    const confidence = new client.Histogram({ name: 'ml_prediction_confidence', help: 'h', labelNames, buckets: buckets.confidence, registers });
    const batch = new client.Histogram({ name: 'ml_prediction_batch_size', help: 'h', labelNames, buckets: buckets.batch, registers });
    for (let i = 0; i < SERIES; i++) {
      const l = labels(i);
      inFlight.inc(l);
      latency.observe(l, 0.003);
      confidence.observe(l, 0.9);
      batch.observe(l, 1);
      predictions.inc({ ...l, status: 'success' });
      inFlight.dec(l);
    }
    after = heap();
    keep.push(registry);
    held = await (async () => {
      const text = await registry.metrics();
      const count = (prefix) => text.split('\n').filter((line) => line.startsWith(prefix)).length;
      return Math.min(count('ml_prediction_latency_seconds_count{'), count('ml_prediction_confidence_count{'), count('ml_prediction_batch_size_count{'), count('ml_predictions_in_flight{'), count('ml_predictions_total{'));
    })();
  } else if (lib === 'otel-sdk') {
    const { AggregationTemporality, MeterProvider, MetricReader } = await import('@opentelemetry/sdk-metrics');
    class Reader extends MetricReader {
      async onForceFlush() {}
      async onShutdown() {}
    }
    const reader = new Reader({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
    // Raise the cardinality limit (default 2,000) so all 10,000 series are kept.
    const provider = new MeterProvider({ readers: [reader], views: [{ instrumentName: '*', aggregationCardinalityLimit: SERIES + 10 }] });
    before = heap();
    const meter = provider.getMeter('bench');
    const predictions = meter.createCounter('ml_predictions');
    const inFlight = meter.createUpDownCounter('ml_predictions_in_flight');
    const latency = meter.createHistogram('ml_prediction_latency_seconds', { advice: { explicitBucketBoundaries: buckets.latency } });
    const confidence = meter.createHistogram('ml_prediction_confidence', { advice: { explicitBucketBoundaries: buckets.confidence } });
    const batch = meter.createHistogram('ml_prediction_batch_size', { advice: { explicitBucketBoundaries: buckets.batch } });
    for (let i = 0; i < SERIES; i++) {
      const l = labels(i);
      inFlight.add(1, l);
      latency.record(0.003, l);
      confidence.record(0.9, l);
      batch.record(1, l);
      predictions.add(1, { ...l, status: 'success' });
      inFlight.add(-1, l);
    }
    after = heap();
    keep.push(provider);
    held = await (async () => {
      const collected = (await reader.collect()).resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
      return collected.length === 5 ? Math.min(...collected.map((m) => m.dataPoints.length)) : 0;
    })();
  } else throw new Error(`unknown --lib ${lib}`);

  scraped = heap();
  // Each library holds the 10,000 label sets it was measured for.
  if (held !== SERIES) throw new Error(`${lib} holds ${held} label sets in some metric, expected ${SERIES}`);
  console.log(JSON.stringify({ lib, bytes: (scraped - before) / SERIES, beforeScrape: (after - before) / SERIES }));
}
