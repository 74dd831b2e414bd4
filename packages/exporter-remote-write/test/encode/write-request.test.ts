import { AggregationTemporality, AggregationType, InstrumentType, MeterProvider } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LATENCY_BUCKETS, METRIC_PREDICTION_LATENCY, METRIC_PREDICTIONS, METRIC_PREDICTIONS_IN_FLIGHT } from '@inferometer/core/catalog';
import { InferometerConfigError } from '@inferometer/core';
import { WriteRequestEncoder } from '../../src/encode/write-request.js';
import { TestReader, testProvider } from '../helpers/collect.js';
import { decodeBody, decodeProtobuf, labelsOf, seriesKey } from '@inferometer/testing';

async function catalogData() {
  const env = testProvider();
  const meter = env.provider.getMeter('test');
  const predictions = meter.createCounter(METRIC_PREDICTIONS.name, { unit: METRIC_PREDICTIONS.unit, description: METRIC_PREDICTIONS.description });
  const latency = meter.createHistogram(METRIC_PREDICTION_LATENCY.name, {
    unit: 's',
    description: METRIC_PREDICTION_LATENCY.description,
    advice: { explicitBucketBoundaries: [...DEFAULT_LATENCY_BUCKETS] },
  });
  const inFlight = meter.createUpDownCounter(METRIC_PREDICTIONS_IN_FLIGHT.name, { unit: METRIC_PREDICTIONS_IN_FLIGHT.unit });
  predictions.add(3, { model_name: 'iris', model_version: '1.0.0', status: 'success' });
  predictions.add(1, { model_name: 'iris', model_version: '1.0.0', status: 'error' });
  for (const seconds of [0.004, 0.02, 0.02, 0.3, 20]) latency.record(seconds, { model_name: 'iris', model_version: '1.0.0' });
  inFlight.add(2, { model_name: 'iris', model_version: '1.0.0' });
  return env.collect();
}

describe('WriteRequestEncoder', () => {
  it('writes one series per counter and gauge point and count/sum/buckets per histogram point, with metadata', async () => {
    const data = await catalogData();
    const { requests, samples } = new WriteRequestEncoder().encode(data);
    expect(requests).toHaveLength(1);
    const request = decodeBody(requests[0]!.body);
    expect(request.timeseries).toHaveLength(samples);
    const byKey = new Map(request.timeseries.map((series) => [seriesKey(series, ['job', 'instance']), series.samples]));
    expect(byKey.get('ml_predictions_total{model_name="iris",model_version="1.0.0",status="success"}')?.[0]?.value).toBe(3);
    expect(byKey.get('ml_predictions_total{model_name="iris",model_version="1.0.0",status="error"}')?.[0]?.value).toBe(1);
    expect(byKey.get('ml_predictions_in_flight{model_name="iris",model_version="1.0.0"}')?.[0]?.value).toBe(2);
    expect(byKey.get('ml_prediction_latency_seconds_count{model_name="iris",model_version="1.0.0"}')?.[0]?.value).toBe(5);
    expect(byKey.get('ml_prediction_latency_seconds_sum{model_name="iris",model_version="1.0.0"}')?.[0]?.value).toBeCloseTo(20.344, 9);
    // Cumulative bucket counts, `le` as the pull endpoint writes it.
    const bucket = (le: string) => byKey.get(`ml_prediction_latency_seconds_bucket{le="${le}",model_name="iris",model_version="1.0.0"}`)?.[0]?.value;
    expect([bucket('0.005'), bucket('0.025'), bucket('0.25'), bucket('0.5'), bucket('10'), bucket('+Inf')]).toEqual([1, 3, 3, 4, 4, 5]);
    expect(request.timeseries.filter((series) => labelsOf(series).__name__ === 'ml_prediction_latency_seconds_bucket')).toHaveLength(
      DEFAULT_LATENCY_BUCKETS.length + 1,
    );

    expect(request.metadata).toEqual(
      expect.arrayContaining([
        { type: 'COUNTER', metricFamilyName: 'ml_predictions_total', help: METRIC_PREDICTIONS.description, unit: '{prediction}' },
        { type: 'HISTOGRAM', metricFamilyName: 'ml_prediction_latency_seconds', help: METRIC_PREDICTION_LATENCY.description, unit: 's' },
        { type: 'GAUGE', metricFamilyName: 'ml_predictions_in_flight', help: 'description missing', unit: '{prediction}' },
        { type: 'GAUGE', metricFamilyName: 'target_info', help: 'Target metadata', unit: '' },
      ]),
    );
  });

  it('sorts labels by name with __name__ among them, sends no empty value, and adds job and instance from the resource', async () => {
    const env = testProvider({ 'service.name': 'iris-server', 'service.namespace': 'ml', 'service.instance.id': 'pod-1', 'deployment.environment': 'prod' });
    const counter = env.provider.getMeter('t').createCounter('requests');
    counter.add(1, { zone: 'a', Upper: 'x', empty: '', 'http.method': 'GET', job: 'mine', _low: 'y' });
    const request = decodeBody(new WriteRequestEncoder().encode(await env.collect()).requests[0]!.body);
    const series = request.timeseries.find((s) => labelsOf(s).__name__ === 'requests_total')!;
    const names = series.labels.map((label) => label.name);
    expect(names).toEqual(['Upper', '__name__', '_low', 'exported_job', 'http_method', 'instance', 'job', 'zone']);
    expect(names).toEqual([...names].sort());
    expect(labelsOf(series)).toMatchObject({ job: 'ml/iris-server', instance: 'pod-1', exported_job: 'mine' });
    for (const s of request.timeseries) for (const label of s.labels) expect(label.value).not.toBe('');
    // The resource's other attributes go on target_info, service.* do not.
    const info = request.timeseries.find((s) => labelsOf(s).__name__ === 'target_info')!;
    expect(labelsOf(info)).toMatchObject({ job: 'ml/iris-server', instance: 'pod-1', deployment_environment: 'prod' });
    expect(labelsOf(info).service_name).toBeUndefined();
    expect(info.samples[0]!.value).toBe(1);
  });

  it('joins the values of attributes that sanitize to one label name with ";", in key order', async () => {
    const env = testProvider();
    env.provider.getMeter('t').createCounter('c').add(1, { 'a.b': 'dot', 'a-b': 'dash' });
    const request = decodeBody(new WriteRequestEncoder().encode(await env.collect()).requests[0]!.body);
    const series = request.timeseries.find((s) => labelsOf(s).__name__ === 'c_total')!;
    expect(labelsOf(series).a_b).toBe('dash;dot');
    expect(series.labels.filter((label) => label.name === 'a_b')).toHaveLength(1);
  });

  it('falls back to the given instance, then the host name, without service.instance.id', async () => {
    const env = testProvider({ 'service.name': 'svc' });
    env.provider.getMeter('t').createCounter('c').add(1);
    const data = await env.collect();
    const given = decodeBody(new WriteRequestEncoder({ instance: 'pod-9' }).encode(data).requests[0]!.body);
    expect(labelsOf(given.timeseries.find((s) => labelsOf(s).__name__ === 'c_total')!)).toMatchObject({ job: 'svc', instance: 'pod-9' });
    const host = decodeBody(new WriteRequestEncoder().encode(data).requests[0]!.body);
    const { hostname } = await import('node:os');
    expect(labelsOf(host.timeseries.find((s) => labelsOf(s).__name__ === 'c_total')!).instance).toBe(hostname());
  });

  it('uses the data point end time in whole milliseconds', async () => {
    // Compared with the points' own end time, not Date.now(): the SDK's hrTime is
    // performance.timeOrigin + performance.now(), which drifts from the wall clock by
    // milliseconds over a process's life (a CI run saw 1 ms past Date.now()).
    const data = await catalogData();
    const ends = new Set<number>();
    for (const scope of data.scopeMetrics) for (const metric of scope.metrics) for (const point of metric.dataPoints) {
      ends.add(Math.round(point.endTime[0] * 1000 + point.endTime[1] / 1e6));
    }
    expect(ends.size).toBe(1); // one collection, one end time
    const [end] = [...ends];
    const request = decodeBody(new WriteRequestEncoder().encode(data).requests[0]!.body);
    for (const series of request.timeseries) {
      expect(series.samples).toHaveLength(1);
      expect(Number.isInteger(series.samples[0]!.timestamp)).toBe(true);
      expect(series.samples[0]!.timestamp).toBe(end);
    }
    expect(Math.abs(end! - Date.now())).toBeLessThan(60_000);
  });

  it('splits into requests of at most maxSamplesPerRequest, keeping a histogram point together and repeating its metadata', async () => {
    const env = testProvider();
    const meter = env.provider.getMeter('t');
    const histogram = meter.createHistogram('h_seconds', { advice: { explicitBucketBoundaries: [1, 2, 3] } }); // 2 + 4 = 6 series per point
    const counter = meter.createCounter('c');
    for (let i = 0; i < 10; i++) histogram.record(i % 4, { i: String(i) });
    for (let i = 0; i < 25; i++) counter.add(i, { i: String(i) });
    const result = new WriteRequestEncoder({ maxSamplesPerRequest: 20 }).encode(await env.collect());
    const decoded = result.requests.map((request) => decodeBody(request.body));
    expect(result.samples).toBe(1 + 60 + 25); // target_info, histograms, counters
    expect(decoded.reduce((n, request) => n + request.timeseries.length, 0)).toBe(result.samples);
    for (const [i, request] of decoded.entries()) {
      expect(request.timeseries.length).toBeLessThanOrEqual(20);
      expect(result.requests[i]!.samples).toBe(request.timeseries.length);
      // Every family in a request has its metadata in that request.
      const families = new Set(request.metadata.map((m) => m.metricFamilyName));
      for (const series of request.timeseries) {
        const name = labelsOf(series).__name__!;
        expect(families.has(name.replace(/_(bucket|sum|count)$/, ''))).toBe(true);
      }
      // Histogram points are whole: as many buckets as count series.
      const points = new Map<string, number>();
      for (const series of request.timeseries) {
        const labels = labelsOf(series);
        if (labels.__name__!.startsWith('h_seconds')) points.set(labels.i!, (points.get(labels.i!) ?? 0) + 1);
      }
      for (const count of points.values()) expect(count).toBe(6);
    }
  });

  it('leaves out what remote write 1.0 cannot carry: delta sums and delta exponential histograms', async () => {
    const env = testProvider(undefined, (type) => (type === InstrumentType.COUNTER ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE));
    const meter = env.provider.getMeter('t');
    meter.createCounter('delta_counter').add(1, { a: '1' });
    meter.createGauge('g').record(5);
    const data = await env.collect();
    const result = new WriteRequestEncoder().encode(data);
    expect(result.skippedDataPoints).toBe(1);
    expect(result.skippedMetrics).toEqual(['delta_counter']);
    const names = decodeBody(result.requests[0]!.body).timeseries.map((s) => labelsOf(s).__name__);
    expect(names).toEqual(expect.arrayContaining(['g', 'target_info']));
    expect(names).not.toContain('delta_counter_total');

    const reader = new TestReader(() => AggregationTemporality.DELTA);
    const provider = new MeterProvider({ readers: [reader], views: [{ instrumentName: 'e', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }] });
    provider.getMeter('t').createHistogram('e').record(3);
    const skipped = new WriteRequestEncoder().encode((await reader.collect()).resourceMetrics);
    expect(skipped.skippedMetrics).toEqual(['e']);
  });

  it('encodes protobuf that an independent decoder reads the same with compress: false', async () => {
    const data = await catalogData();
    const raw = new WriteRequestEncoder({ compress: false, instance: 'x' }).encode(data).requests[0]!;
    const snappy = new WriteRequestEncoder({ instance: 'x' }).encode(data).requests[0]!;
    expect(raw.body.length).toBe(raw.uncompressedBytes);
    const a = decodeProtobuf(raw.body);
    const b = decodeBody(snappy.body);
    a.timeseries = a.timeseries.filter((s) => labelsOf(s).__name__ !== 'target_info');
    b.timeseries = b.timeseries.filter((s) => labelsOf(s).__name__ !== 'target_info');
    expect(a).toEqual(b);
  });

  it('refuses a bad maxSamplesPerRequest, naming it', () => {
    expect(() => new WriteRequestEncoder({ maxSamplesPerRequest: 0 })).toThrow('maxSamplesPerRequest must be a whole number of at least 1; got 0');
    expect(() => new WriteRequestEncoder({ maxSamplesPerRequest: 0 })).toThrow(InferometerConfigError);
  });
});

describe('WriteRequestEncoder exemplars', () => {
  const traceId = '0af7651916cd43dd8448eb211c80319c';
  const spanId = 'b7ad6b7169203331';
  const exemplar = (value: number, extra: Record<string, string> = {}) => ({ filteredAttributes: extra, value, timestamp: [1_700_000_000, 500_000_000] as [number, number], traceId, spanId });

  it('puts a histogram point\'s exemplars on the series of their buckets and a counter\'s on its series, labels sorted', async () => {
    const data = await catalogData();
    // Points as the catalog's native collector hands them over: with exemplars.
    for (const metric of data.scopeMetrics[0]!.metrics) {
      const points = metric.dataPoints as { exemplars?: unknown }[];
      if (metric.descriptor.name === METRIC_PREDICTION_LATENCY.name) points[0]!.exemplars = [exemplar(0.02), exemplar(20)];
      if (metric.descriptor.name === METRIC_PREDICTIONS.name) points[0]!.exemplars = [exemplar(1)];
    }
    const request = decodeProtobuf(new WriteRequestEncoder({ compress: false }).encode(data).requests[0]!.body);
    const withExemplars = request.timeseries.filter((s) => s.exemplars.length > 0).map((s) => [seriesKey(s, ['job', 'instance']), s.exemplars]);
    const expected = (value: number) => [{ labels: [{ name: 'span_id', value: spanId }, { name: 'trace_id', value: traceId }], value, timestamp: 1_700_000_000_500 }];
    expect(withExemplars).toEqual([
      ['ml_predictions_total{model_name="iris",model_version="1.0.0",status="success"}', expected(1)],
      ['ml_prediction_latency_seconds_bucket{le="0.025",model_name="iris",model_version="1.0.0"}', expected(0.02)],
      ['ml_prediction_latency_seconds_bucket{le="+Inf",model_name="iris",model_version="1.0.0"}', expected(20)],
    ]);
  });

  it('leaves out an exemplar whose labels pass OpenMetrics\' 128 characters, and keeps the sample', async () => {
    const data = await catalogData();
    const counter = data.scopeMetrics[0]!.metrics.find((m) => m.descriptor.name === METRIC_PREDICTIONS.name)!;
    (counter.dataPoints[0] as { exemplars?: unknown }).exemplars = [exemplar(1, { note: 'x'.repeat(70) })];
    const request = decodeProtobuf(new WriteRequestEncoder({ compress: false }).encode(data).requests[0]!.body);
    const series = request.timeseries.find((s) => seriesKey(s, ['job', 'instance']) === 'ml_predictions_total{model_name="iris",model_version="1.0.0",status="success"}')!;
    expect(series.samples[0]!.value).toBe(3);
    expect(series.exemplars).toEqual([]);
  });
});
