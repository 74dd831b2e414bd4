// A serving process with 10,000 catalog histogram series (a 16 MB
// exposition), run in a fresh process by the pull endpoint's attack tests so
// that its RSS and event-loop stalls are its own. Imports the BUILT package.
// argv[2]: JSON of start()'s `prometheus` options. Prints one JSON line
// `{ url }` when serving; then answers each line on stdin with
// `{ rss, maxStallMs, sockets, collections }` (stalls since the previous
// line; collections since the start, counted by an observable's callback).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { metrics } from '@opentelemetry/api';
import { createInterface } from 'node:readline';

const { configureGuards, instrument } = await import('@inferometer/core');
const { start } = await import(new URL('../../dist/index.js', import.meta.url).href);

const SERIES = 10_000;
const PER_FUNCTION = 250;
configureGuards({ maxSeriesPerMetric: 20_000, maxValuesPerAttribute: 1_000 });
const telemetry = await start({ runtimeMetrics: false, prometheus: { host: '127.0.0.1', port: 0, ...JSON.parse(process.argv[2] ?? '{}') } });
let collections = 0;
metrics.getMeter('scrape-target').createObservableGauge('scrape_target_collections').addCallback((result) => result.observe(++collections));
const fns = [];
for (let f = 0; f < SERIES / PER_FUNCTION; f++) {
  fns.push(instrument((shard) => shard, { model: `model_${f}`, version: '1.0.0', attributes: { shard: (_self, [shard]) => shard } }));
}
for (let i = 0; i < SERIES; i++) fns[Math.floor(i / PER_FUNCTION)](`s${i % PER_FUNCTION}`);
// One scrape first, so the baseline includes the caches a first scrape builds.
// On a loaded machine reading the 16 MB body may outlast the write timeout
// (this process is the server too): a scrape cut off has built them as well.
for (let attempt = 1; ; attempt++) {
  try {
    await (await fetch(telemetry.metricsUrl)).arrayBuffer();
    break;
  } catch (err) {
    if (attempt === 3) throw err;
  }
}
globalThis.gc?.();

const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
console.log(JSON.stringify({ url: telemetry.metricsUrl }));
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() !== '') continue;
  // Open TCP connections (the listening socket is a TCPServerWrap).
  const sockets = process.getActiveResourcesInfo().filter((resource) => resource === 'TCPSocketWrap').length;
  console.log(JSON.stringify({ rss: process.memoryUsage().rss, maxStallMs: delay.max / 1e6, sockets, collections }));
  delay.reset();
}
await telemetry.shutdown();
