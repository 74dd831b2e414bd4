import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRIC_PREDICTION_LATENCY, METRIC_PREDICTIONS } from '@inferometer/core/catalog';
import { startDemo, type Demo } from '../support/demo.js';
import { eventually } from '../support/ports.js';
import { attributesOf, temporalityName, type OtlpMetric, type OtlpRequest } from '../support/otlp-proto.js';
import { startOtlpReceiver, VENDOR_RULES, type OtlpReceived, type OtlpReceiver } from '../support/otlp-receiver.js';
import { METRIC_MODEL_LOAD } from '@inferometer/onnxruntime';

// The demo switched to OTLP push by environment alone, Datadog-shaped,
// New Relic-shaped and plain (Collector), each checked by a receiver that
// decodes the OTLP protobuf and refuses what the vendor refuses.
const INTERVAL = '500';
const DD_KEY = 'dd-test-key';
const NR_KEY = 'nr-test-license';

let datadog: OtlpReceiver;
let newrelic: OtlpReceiver;
let collector: OtlpReceiver;
let demos: Demo[] = [];

beforeAll(async () => {
  [datadog, newrelic, collector] = await Promise.all([
    startOtlpReceiver({ vendor: 'datadog', apiKey: DD_KEY }),
    startOtlpReceiver({ vendor: 'newrelic', apiKey: NR_KEY }),
    startOtlpReceiver({ vendor: 'collector' }),
  ]);
  demos = await Promise.all([
    // The preset's endpoint is overridden by the standard variable (there is no Datadog here).
    startDemo({ OTEL_METRICS_EXPORTER: 'otlp', INFEROMETER_OTLP_PRESET: 'datadog', DD_API_KEY: DD_KEY, OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: datadog.metricsUrl, OTEL_METRIC_EXPORT_INTERVAL: INTERVAL }),
    startDemo({ OTEL_METRICS_EXPORTER: 'otlp', INFEROMETER_OTLP_PRESET: 'newrelic', NEW_RELIC_LICENSE_KEY: NR_KEY, OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: newrelic.metricsUrl, OTEL_METRIC_EXPORT_INTERVAL: INTERVAL }),
    startDemo({ OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_METRIC_EXPORT_INTERVAL: INTERVAL }),
  ]);
});
afterAll(async () => {
  await Promise.allSettled(demos.map((demo) => demo.stop()));
  await Promise.allSettled([datadog, newrelic, collector].map((receiver) => receiver?.close()));
});

async function drive(demo: Demo, calls: number): Promise<void> {
  for (let i = 0; i < calls; i++) expect((await demo.predict({ features: [5.9, 3.0, 4.2, 1.5] })).status).toBe(200);
}

function metricsNamed(requests: readonly OtlpReceived[], name: string): OtlpMetric[] {
  return requests.flatMap((r: { request: OtlpRequest }) =>
    (r.request.resourceMetrics ?? []).flatMap((rm) => (rm.scopeMetrics ?? []).flatMap((sm) => (sm.metrics ?? []).filter((m) => m.name === name))),
  );
}

/** Sum over every accepted request of the successful-prediction points (delta: the total; cumulative: use the last). */
function predictionPoints(requests: readonly OtlpReceived[]): number[] {
  return metricsNamed(requests, METRIC_PREDICTIONS.name).flatMap((m) =>
    (m.sum?.dataPoints ?? []).filter((p) => attributesOf(p.attributes).status === 'success').map((p) => Number(p.asDouble ?? p.asInt ?? 0)),
  );
}

describe('OTEL_METRICS_EXPORTER=otlp with INFEROMETER_OTLP_PRESET=datadog', () => {
  it('sends delta OTLP/protobuf with dd-api-key under 500 KB, retried through a 503, and the deltas add up to every prediction', async () => {
    const demo = demos[0]!;
    await drive(demo, 20);
    await eventually('the first deltas', async () => (predictionPoints(datadog.accepted()).reduce((a, b) => a + b, 0) === 20 ? true : undefined));
    datadog.failNext(1, 503);
    await drive(demo, 15);
    await eventually('the deltas after the 503', async () => (predictionPoints(datadog.accepted()).reduce((a, b) => a + b, 0) === 35 ? true : undefined), 15_000);

    expect(datadog.received.some((r) => r.status === 503)).toBe(true);
    // Nothing the intake would refuse: no 400 (cumulative), 403 (key) or 413 (size).
    expect(datadog.received.filter((r) => r.status !== 200 && r.status !== 503)).toEqual([]);
    for (const request of datadog.accepted()) {
      expect(request.headers['dd-api-key']).toBe(DD_KEY);
      expect(request.headers['content-type']).toBe('application/x-protobuf');
      expect(request.format).toBe('protobuf');
      expect(request.uncompressedBytes).toBeLessThanOrEqual(VENDOR_RULES.datadog.maxUncompressedBytes);
    }
    const counters = metricsNamed(datadog.accepted(), METRIC_PREDICTIONS.name);
    expect(counters.every((m) => m.sum?.isMonotonic === true && temporalityName(m.sum.aggregationTemporality) === 'AGGREGATION_TEMPORALITY_DELTA')).toBe(true);
    // Explicit-bucket histograms (Datadog maps them to distributions), delta too.
    const latency = metricsNamed(datadog.accepted(), METRIC_PREDICTION_LATENCY.name);
    expect(latency.length).toBeGreaterThan(0);
    for (const metric of latency) {
      expect(metric.exponentialHistogram).toBeUndefined();
      expect(temporalityName(metric.histogram?.aggregationTemporality)).toBe('AGGREGATION_TEMPORALITY_DELTA');
      for (const point of metric.histogram?.dataPoints ?? []) expect(point.explicitBounds).toEqual([...METRIC_PREDICTION_LATENCY.buckets]);
    }
    const counted = latency.flatMap((m) => m.histogram?.dataPoints ?? []).reduce((n, p) => n + Number(p.count ?? 0), 0);
    expect(counted).toBe(35);
  });
});

describe('OTEL_METRICS_EXPORTER=otlp with INFEROMETER_OTLP_PRESET=newrelic', () => {
  it('sends gzip OTLP with api-key, delta counters and base2 exponential histograms, under 1 MB', async () => {
    const demo = demos[1]!;
    await drive(demo, 25);
    await eventually('the deltas', async () => (predictionPoints(newrelic.accepted()).reduce((a, b) => a + b, 0) === 25 ? true : undefined));
    expect(newrelic.received.filter((r) => r.status !== 200)).toEqual([]);
    for (const request of newrelic.accepted()) {
      expect(request.headers['api-key']).toBe(NR_KEY);
      expect(request.headers['content-encoding']).toBe('gzip');
      expect(request.uncompressedBytes).toBeLessThanOrEqual(VENDOR_RULES.newrelic.maxUncompressedBytes);
    }
    // Histograms the SDK aggregates (here the model load time, recorded
    // through the OpenTelemetry API by @inferometer/onnxruntime) are base2
    // exponential, delta.
    const load = metricsNamed(newrelic.accepted(), METRIC_MODEL_LOAD.name);
    expect(load.length).toBeGreaterThan(0);
    for (const metric of load) {
      expect(metric.histogram).toBeUndefined();
      expect(temporalityName(metric.exponentialHistogram?.aggregationTemporality)).toBe('AGGREGATION_TEMPORALITY_DELTA');
      for (const point of metric.exponentialHistogram?.dataPoints ?? []) {
        const buckets = (point.positive?.bucketCounts ?? []).reduce((n: number, c) => n + Number(c), 0);
        expect(buckets + Number(point.zeroCount ?? 0)).toBe(Number(point.count));
      }
    }
    // The catalog's latency, delta, counts every call: exponential too (the fast path aggregates it).
    const latency = metricsNamed(newrelic.accepted(), METRIC_PREDICTION_LATENCY.name);
    expect(latency.length).toBeGreaterThan(0);
    for (const metric of latency) {
      expect(metric.histogram).toBeUndefined();
      expect(temporalityName(metric.exponentialHistogram?.aggregationTemporality)).toBe('AGGREGATION_TEMPORALITY_DELTA');
      for (const point of metric.exponentialHistogram?.dataPoints ?? []) {
        const buckets = (point.positive?.bucketCounts ?? []).reduce((n: number, c) => n + Number(c), 0);
        expect(buckets + Number(point.zeroCount ?? 0)).toBe(Number(point.count));
      }
    }
    const points = latency.flatMap((m) => [...(m.exponentialHistogram?.dataPoints ?? []), ...(m.histogram?.dataPoints ?? [])]);
    expect(points.reduce((n, p) => n + Number(p.count ?? 0), 0)).toBe(25);
  });
});

describe('OTEL_METRICS_EXPORTER=otlp with no preset (a Collector)', () => {
  it('sends cumulative OTLP/protobuf to OTEL_EXPORTER_OTLP_ENDPOINT/v1/metrics; the last point is the total', async () => {
    const demo = demos[2]!;
    await drive(demo, 12);
    await eventually('the cumulative total', async () => (predictionPoints(collector.accepted()).at(-1) === 12 ? true : undefined));
    for (const request of collector.accepted()) {
      expect(request.path).toBe('/v1/metrics');
      expect(request.headers['dd-api-key']).toBeUndefined();
    }
    const counters = metricsNamed(collector.accepted(), METRIC_PREDICTIONS.name);
    expect(counters.every((m) => temporalityName(m.sum?.aggregationTemporality) === 'AGGREGATION_TEMPORALITY_CUMULATIVE')).toBe(true);
    const resource = attributesOf(collector.accepted().at(-1)!.request.resourceMetrics![0]!.resource!.attributes);
    expect(resource['service.name']).toBe('iris-demo');
  });
});
