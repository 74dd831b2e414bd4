// The cardinality guard's cost per call on the normal
// path (declared, bounded attributes read per call), and the heap growth and
// series count after an attack of unique ids and free text.
import { instrument } from '@inferometer/core';
import { METRIC_PREDICTIONS } from '@inferometer/core/catalog';
import { createCatalogProducer, createPrometheusReader } from '@inferometer/node';
import { metrics } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { medians, report, row } from '../lib.mjs';

const catalog = createCatalogProducer('cumulative');
const { reader } = createPrometheusReader({ metricProducers: [catalog.producer] });
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));

const predict = (request) => request.tier.length;
const fixed = instrument(predict, { model: 'fixed', version: '1.0.0', attributes: { tier: 'gold' } });
const guarded = instrument(predict, { model: 'guarded', version: '1.0.0', attributes: { tier: (_self, [request]) => request.tier } });
const tiers = ['gold', 'silver', 'free', 'trial'].map((tier) => ({ tier }));
let sink = 0;
const m = await medians({
  'attributes fixed at decoration': (i) => { sink += fixed(tiers[i & 3]); },
  'attribute read and guarded per call': (i) => { sink += guarded(tiers[i & 3]); },
});
const guardCost = m['attribute read and guarded per call'] - m['attributes fixed at decoration'];

// The attack: a million calls, each with a unique id and unique free text.
const attacked = instrument((request) => request.note.length, {
  model: 'attacked',
  version: '1.0.0',
  attributeKeys: ['segment', 'note'],
  attributesFrom: (_self, [request]) => ({ user_id: request.id, segment: request.id, note: request.note }),
});
const heap = () => {
  globalThis.gc?.();
  globalThis.gc?.();
  return process.memoryUsage().heapUsed;
};
const before = heap();
const N = 1_000_000;
const t0 = performance.now();
for (let i = 0; i < N; i++) {
  const id = `${i.toString(16).padStart(8, '0')}-0000-4000-8000-${(i * 7919).toString(16).padStart(12, '0')}`;
  attacked({ id, note: `note ${i.toString(36)}` });
}
const attackNsPerCall = ((performance.now() - t0) * 1e6) / N;
const growth = heap() - before;
const { resourceMetrics } = await reader.collect();
const predictions = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((x) => x.descriptor.name === METRIC_PREDICTIONS.name);
const attackedSeries = predictions.dataPoints.filter((p) => p.attributes.model_name === 'attacked');
const counted = attackedSeries.reduce((t, p) => t + p.value, 0);

report('guard', [
  row({
    target: 'guard',
    metric: 'guard cost per call on the normal path (one attribute read and guarded)',
    unit: 'ns',
    ours: guardCost,
    goal: 'small: it is on every predict call',
    met: guardCost < 100,
    note: `fixed attributes ${m['attributes fixed at decoration'].toFixed(0)} ns/call, guarded ${m['attribute read and guarded per call'].toFixed(0)} ns/call`,
  }),
  row({
    target: 'guard',
    metric: 'heap growth after 1,000,000 calls of unique ids and free text',
    unit: 'KiB',
    ours: growth / 1024,
    goal: 'flat (bounded by the caps)',
    met: growth < 5 * 1024 * 1024,
    note: `${attackedSeries.length} series of ml_predictions_total for the attacked model, ${counted} calls counted of ${N}; ${attackNsPerCall.toFixed(0)} ns per attacked call`,
  }),
]);
if (sink === -1) console.log('');
