// worker_threads aggregation: (a) the added cost of one instrumented call in
// a worker thread whose start() answers the main thread, beside the same
// call in the main thread (one run, one after the other, so the two do not
// share the 2 cores); (b) one collection of 8 threads x 1,000 label sets
// through the main thread's pull endpoint, against @prometheus-io/client's
// WorkerRegistry.workerMetrics() over the same threads and series.
//
// One file for both sides: a worker thread runs this file with workerData.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import promIo from '@prometheus-io/client';
import { instrument } from '@inferometer/core';
import { start } from '@inferometer/node';
import { interleavedMedians, report, row } from '../lib.mjs';

const probabilities = [0.1, 0.7, 0.2];
const predict = (x) => (x >= 0 ? probabilities : null);
const max = (v) => Math.max(v[0], v[1], v[2]);
const THREADS = 8;
// 50 models x 20 versions: 1,000 label sets per thread, inside the guard's default caps.
const MODELS = 50;
const VERSIONS = 20;

/** Added cost per call of ours and of @prometheus-io/client (children bound once), in this thread. */
async function hotPath(telemetryPeer) {
  const ours = instrument(predict, { model: 'iris', version: '1.0.0', confidence: (r) => r });
  const registry = new promIo.Registry();
  const attrs = { model_name: 'iris', model_version: '1.0.0' };
  const count = new promIo.Counter({ name: 'ml_predictions_total', help: 'h', labelNames: ['model_name', 'model_version', 'status'], registers: [registry] }).labels({ ...attrs, status: 'success' });
  const latency = new promIo.Histogram({ name: 'ml_prediction_latency_seconds', help: 'h', labelNames: ['model_name', 'model_version'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry] }).labels(attrs);
  const confidence = new promIo.Histogram({ name: 'ml_prediction_confidence', help: 'h', labelNames: ['model_name', 'model_version'], buckets: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1], registers: [registry] }).labels(attrs);
  const inFlight = new promIo.Gauge({ name: 'ml_predictions_in_flight', help: 'h', labelNames: ['model_name', 'model_version'], registers: [registry] }).labels(attrs);
  const peer = (x) => {
    inFlight.inc();
    const t0 = performance.now();
    const result = predict(x);
    latency.observe((performance.now() - t0) / 1000);
    count.inc();
    confidence.observe(max(result));
    inFlight.dec();
    return result;
  };
  let sink = 0;
  const m = await interleavedMedians(
    {
      uninstrumented: { batch: 200_000, fn: (i) => { sink += predict(i).length; } },
      inferometer: { batch: 50_000, fn: (i) => { sink += ours(i).length; } },
      ...(telemetryPeer ? { '@prometheus-io/client': { batch: 5_000, fn: (i) => { sink += peer(i).length; } } } : {}),
    },
    { rounds: 150, warmupRounds: 15 },
  );
  if (sink === 42) console.log('');
  return { inferometer: m.inferometer - m.uninstrumented, peer: telemetryPeer ? m['@prometheus-io/client'] - m.uninstrumented : undefined, uninstrumented: m.uninstrumented };
}

if (!isMainThread) {
  const telemetry = await start({ runtimeMetrics: false });
  if (workerData.job === 'hot-path') {
    parentPort.postMessage(await hotPath(true));
  } else {
    // Both libraries record the same 1,000 label sets, `calls` calls each.
    new promIo.WorkerRegistry();
    const counter = new promIo.Counter({ name: 'ml_predictions_total', help: 'h', labelNames: ['model_name', 'model_version', 'status'] });
    const histogram = new promIo.Histogram({ name: 'ml_prediction_latency_seconds', help: 'h', labelNames: ['model_name', 'model_version'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
    const gauge = new promIo.Gauge({ name: 'ml_predictions_in_flight', help: 'h', labelNames: ['model_name', 'model_version'] });
    for (let m = 0; m < MODELS; m++) {
      for (let v = 0; v < VERSIONS; v++) {
        const model = `model-${m}`;
        const version = `${v}.0.0`;
        const ours = instrument(predict, { model, version });
        const attrs = { model_name: model, model_version: version };
        for (let c = 0; c < workerData.calls; c++) {
          ours(c);
          const t0 = performance.now();
          predict(c);
          histogram.observe(attrs, (performance.now() - t0) / 1000);
          counter.inc({ ...attrs, status: 'success' });
          gauge.set(attrs, 0);
        }
      }
    }
    parentPort.postMessage('ready');
    // Stays up (the parent port is the one handle that keeps it), answering collections, until the main thread ends it.
    parentPort.on('message', () => {});
  }
  void telemetry;
} else {
  const telemetry = await start({ prometheus: { host: '127.0.0.1', port: 0 }, runtimeMetrics: false });
  const main = await hotPath(true);
  const inThread = await new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: { job: 'hot-path' } });
    worker.once('message', (result) => {
      void worker.terminate();
      resolve(result);
    });
    worker.once('error', reject);
  });

  // (b) 8 threads x 1,000 label sets, 3 calls each.
  const CALLS = 3;
  const registry = new promIo.WorkerRegistry();
  const workers = Array.from({ length: THREADS }, () => new Worker(new URL(import.meta.url), { workerData: { job: 'series', calls: CALLS } }));
  await Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve))));
  // Let every thread's announcement land.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const expected = THREADS * MODELS * VERSIONS * CALLS;
  const sumOf = (text, name) => {
    let total = 0;
    for (const line of text.split('\n')) if (line.startsWith(`${name}{`) && line.includes('model_name="model-')) total += Number(line.slice(line.lastIndexOf(' ') + 1));
    return total;
  };
  let oursBytes = 0;
  let peerBytes = 0;
  const scrape = async () => {
    const text = await (await fetch(telemetry.metricsUrl)).text();
    oursBytes = text.length;
    const total = sumOf(text, 'ml_predictions_total');
    if (total !== expected) throw new Error(`ours served ${total} predictions, expected ${expected}`);
  };
  const peerScrape = async () => {
    const text = await registry.workerMetrics();
    peerBytes = text.length;
    const total = sumOf(text, 'ml_predictions_total');
    if (total !== expected) throw new Error(`@prometheus-io/client served ${total} predictions, expected ${expected}`);
  };
  const collection = await interleavedMedians({ inferometer: scrape, '@prometheus-io/client': peerScrape }, { rounds: 15, warmupRounds: 3, gc: true });
  for (const w of workers) await w.terminate();

  report('workers', [
    row({
      target: '1 hot path',
      metric: 'added cost per instrumented call in a worker thread (start() answering the main thread)',
      unit: 'ns',
      ours: inThread.inferometer,
      peers: { '@prometheus-io/client': inThread.peer },
      goal: '<= 250 ns, within 20 % of the main thread (no message per call)',
      met: inThread.inferometer <= 250 && inThread.inferometer <= main.inferometer * 1.2,
      note: `same run, main thread: ours ${main.inferometer.toFixed(0)} ns, @prometheus-io/client ${main.peer.toFixed(0)} ns (children bound once); uninstrumented call ${inThread.uninstrumented.toFixed(1)} ns in the thread, ${main.uninstrumented.toFixed(1)} ns in the main thread`,
    }),
    row({
      target: '3 scrape',
      metric: `collection of ${THREADS} worker threads x 1,000 label sets (merged, served)`,
      unit: 'ms',
      ours: collection.inferometer / 1e6,
      peers: { '@prometheus-io/client': collection['@prometheus-io/client'] / 1e6 },
      goal: 'informative (at scrape time, not per call); exact totals checked',
      met: true,
      note: `ours: a full HTTP scrape of the main thread's pull endpoint (ask, merge, serialize), ${(oursBytes / 1e6).toFixed(1)} MB (the catalog's counter, latency histogram and in-flight gauge per label set); @prometheus-io/client: WorkerRegistry.workerMetrics() over a counter, a histogram and a gauge per label set, ${(peerBytes / 1e6).toFixed(1)} MB; both served ${expected} predictions exactly`,
    }),
  ]);
  await telemetry.shutdown();
  process.exit(0);
}
