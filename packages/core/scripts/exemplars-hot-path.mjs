// Exemplar cost on the sync hot path (native path: count + latency +
// confidence + in-flight), ns per call, in one run:
// - bare: the function alone;
// - untraced: instrumented, no ContextManager registered (the recorder
//   never looks for a span);
// - managerNoSpan: an AsyncLocalStorageContextManager registered, calls
//   outside any span (one context lookup per call, nothing stored);
// - sampledSpan: every call inside an active sampled span (lookup, bucket
//   search, exemplar stored).
// Phases alternate over 5 rounds of 1M calls each; medians. Usage:
//   node packages/core/scripts/exemplars-hot-path.mjs [path to core dist/index.js]
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { TracerProvider } from '@opentelemetry/sdk-trace';

const entry = resolve(process.argv[2] ?? new URL('../dist/index.js', import.meta.url).pathname);
const core = await import(pathToFileURL(entry).href);
const collector = core.attachCollector();
const end = () => [Math.floor(Date.now() / 1000), 0];

const out = { probabilities: [0.1, 0.7, 0.2] };
let sink = 0;
const bare = (x) => {
  sink += x;
  return out;
};
const measured = core.instrument(bare, { model: 'bench', version: '1.0.0', confidence: (r) => r.probabilities });
const tracer = new TracerProvider().getTracer('bench');
const manager = new AsyncLocalStorageContextManager();

const N = 1_000_000;
function block(fn) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) fn(i);
  return Number(process.hrtime.bigint() - t0) / N;
}
/** Registers (or removes) the context manager; the next collection makes the recorder see it. */
function tracing(on) {
  if (on) context.setGlobalContextManager(manager.enable());
  else {
    context.disable();
    manager.disable();
  }
  collector.collect(end());
}
const inSpan = () => tracer.startActiveSpan('bench', (span) => {
  const ns = block(measured);
  span.end();
  return ns;
});

const results = { bare: [], untraced: [], managerNoSpan: [], sampledSpan: [] };
for (let round = -2; round < 5; round++) {
  // Two warm-up rounds, not recorded.
  const r = {};
  r.bare = block(bare);
  tracing(false);
  r.untraced = block(measured);
  tracing(true);
  r.managerNoSpan = block(measured);
  r.sampledSpan = inSpan();
  tracing(false);
  if (round >= 0) for (const k of Object.keys(r)) results[k].push(r[k]);
}
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const exemplars = collector.collect(end()).find((m) => m.definition.name === core.METRIC_PREDICTION_LATENCY.name)?.points[0]?.exemplars?.length ?? 0;
console.log(JSON.stringify({
  ...Object.fromEntries(Object.entries(results).map(([k, v]) => [`${k}Ns`, median(v).toFixed(1)])),
  addedUntracedNs: (median(results.untraced) - median(results.bare)).toFixed(1),
  addedSampledSpanNs: (median(results.sampledSpan) - median(results.bare)).toFixed(1),
  latencyExemplarsKept: exemplars,
  sink: sink > 0,
}));
collector.detach();
