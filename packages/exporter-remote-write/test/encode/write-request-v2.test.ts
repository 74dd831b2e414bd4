/**
 * The remote write 2.0 encoder, decoded with the official
 * io.prometheus.write.v2 definition (vendored, test/fixtures/prometheus-proto).
 */
import { AggregationTemporality, AggregationType, MeterProvider, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LATENCY_BUCKETS, METRIC_PREDICTION_LATENCY, METRIC_PREDICTIONS, METRIC_PREDICTIONS_IN_FLIGHT } from '@inferometer/core/catalog';
import { decodeBody, seriesKey as v1SeriesKey } from '@inferometer/testing';
import { WriteRequestEncoder } from '../../src/encode/write-request.js';
import { WriteRequestV2Encoder } from '../../src/encode/write-request-v2.js';
import { TestReader, testProvider } from '../helpers/collect.js';
import { decodeV2, decodeV2Body, type SeriesV2 } from '../helpers/receiver-v2.js';

const traceId = '0af7651916cd43dd8448eb211c80319c';
const spanId = 'b7ad6b7169203331';
const exemplar = (value: number, seconds = 1_700_000_000) => ({ filteredAttributes: {}, value, timestamp: [seconds, 500_000_000] as [number, number], traceId, spanId });

async function catalogData(): Promise<ResourceMetrics> {
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

/** The 1.0 request's native Histogram (prompb types.proto fields the encoder writes). */
const V1_NATIVE = protobuf.parse(`
syntax = "proto3";
message WriteRequest { repeated TimeSeries timeseries = 1; }
message TimeSeries { repeated Histogram histograms = 4; }
message BucketSpan { sint32 offset = 1; uint32 length = 2; }
message Histogram { uint64 count_int = 1; sint32 schema = 4; repeated BucketSpan positive_spans = 11; repeated sint64 positive_deltas = 12; }
`).root.lookupType('WriteRequest');
function decodeV1Native(bytes: Uint8Array): { schema: number; positiveSpans: { offset: number; length: number }[]; positiveDeltas: number[] } {
  const request = V1_NATIVE.toObject(V1_NATIVE.decode(bytes), { longs: Number, defaults: true, arrays: true }) as { timeseries: { histograms: { schema: number; positiveSpans: { offset: number; length: number }[]; positiveDeltas: number[] }[] }[] };
  return request.timeseries.flatMap((s) => s.histograms)[0]!;
}

const millis = (time: readonly [number, number]) => Math.round(time[0] * 1000 + time[1] / 1e6);

function key(series: SeriesV2): string {
  const { __name__: name, job: _job, instance: _instance, ...rest } = series.labels;
  return `${name}{${Object.keys(rest).map((k) => `${k}="${rest[k]}"`).join(',')}}`;
}

describe('WriteRequestV2Encoder', () => {
  it('writes the 1.0 encoder\'s series with interned labels, metadata on every series and start timestamps on counters and histograms', async () => {
    const data = await catalogData();
    const { requests, samples } = new WriteRequestV2Encoder({ compress: false }).encode(data);
    expect(requests).toHaveLength(1);
    const decoded = decodeV2(requests[0]!.body);
    expect(decoded.symbols[0]).toBe('');
    // Interned: every string once.
    expect(new Set(decoded.symbols).size).toBe(decoded.symbols.length);
    expect(decoded.series).toHaveLength(samples);
    expect(requests[0]).toMatchObject({ samples, floatSamples: samples, histograms: 0, exemplars: 0 });

    const metrics = data.scopeMetrics[0]!.metrics;
    // Each series' own start: the SDK starts a cumulative series when it is first recorded.
    const point = (name: string, status?: string) => metrics.find((m) => m.descriptor.name === name)!.dataPoints.find((p) => status === undefined || p.attributes.status === status)!;
    const counterStart = millis(point(METRIC_PREDICTIONS.name, 'success').startTime);
    const counterEnd = millis(point(METRIC_PREDICTIONS.name, 'success').endTime);
    const errorStart = millis(point(METRIC_PREDICTIONS.name, 'error').startTime);
    const latencyStart = millis(point(METRIC_PREDICTION_LATENCY.name).startTime);
    const latencyEnd = millis(point(METRIC_PREDICTION_LATENCY.name).endTime);
    const gaugeEnd = millis(point(METRIC_PREDICTIONS_IN_FLIGHT.name).endTime);
    expect(counterStart).toBeGreaterThan(0);

    const byKey = new Map(decoded.series.map((series) => [key(series), series]));
    const counter = { type: 'METRIC_TYPE_COUNTER', help: METRIC_PREDICTIONS.description, unit: '{prediction}' };
    const histogram = { type: 'METRIC_TYPE_HISTOGRAM', help: METRIC_PREDICTION_LATENCY.description, unit: 's' };
    expect(byKey.get('ml_predictions_total{model_name="iris",model_version="1.0.0",status="success"}')).toMatchObject({
      samples: [{ value: 3, timestamp: counterEnd, startTimestamp: counterStart }],
      histograms: [],
      metadata: counter,
    });
    expect(byKey.get('ml_predictions_total{model_name="iris",model_version="1.0.0",status="error"}')?.samples).toEqual([{ value: 1, timestamp: counterEnd, startTimestamp: errorStart }]);
    // A gauge has no start: start_timestamp 0 means unset (spec "Start timestamps").
    expect(byKey.get('ml_predictions_in_flight{model_name="iris",model_version="1.0.0"}')).toMatchObject({
      samples: [{ value: 2, timestamp: gaugeEnd, startTimestamp: 0 }],
      metadata: { type: 'METRIC_TYPE_GAUGE', help: 'description missing', unit: '{prediction}' },
    });
    const sample = (k: string) => byKey.get(k)?.samples;
    expect(sample('ml_prediction_latency_seconds_count{model_name="iris",model_version="1.0.0"}')).toEqual([{ value: 5, timestamp: latencyEnd, startTimestamp: latencyStart }]);
    expect(sample('ml_prediction_latency_seconds_sum{model_name="iris",model_version="1.0.0"}')?.[0]?.value).toBeCloseTo(20.344, 9);
    const bucket = (le: string) => byKey.get(`ml_prediction_latency_seconds_bucket{le="${le}",model_name="iris",model_version="1.0.0"}`);
    expect([bucket('0.005'), bucket('0.025'), bucket('0.25'), bucket('0.5'), bucket('10'), bucket('+Inf')].map((s) => s?.samples[0]?.value)).toEqual([1, 3, 3, 4, 4, 5]);
    expect(bucket('+Inf')).toMatchObject({ samples: [{ timestamp: latencyEnd, startTimestamp: latencyStart }], metadata: histogram });
    const info = decoded.series.find((s) => s.labels.__name__ === 'target_info')!;
    expect(info).toMatchObject({ labels: { job: 'ml/iris-server', instance: 'pod-1', deployment_environment: 'test' }, metadata: { type: 'METRIC_TYPE_GAUGE', help: 'Target metadata', unit: '' } });
    expect(info.samples[0]!.startTimestamp).toBe(0);
  });

  it('carries exactly the series, values and timestamps the 1.0 encoder writes, cut into requests at the same places', async () => {
    const data = await catalogData();
    for (const max of [1, 5, 7, 2000]) {
      const v1 = new WriteRequestEncoder({ maxSamplesPerRequest: max }).encode(data);
      const v2 = new WriteRequestV2Encoder({ maxSamplesPerRequest: max }).encode(data);
      expect(v2.requests.map((r) => r.samples)).toEqual(v1.requests.map((r) => r.samples));
      for (let i = 0; i < v1.requests.length; i++) {
        const one = decodeBody(v1.requests[i]!.body).timeseries.map((s) => [v1SeriesKey(s), s.samples]);
        const two = decodeV2Body(v2.requests[i]!.body).series.map((s) => [
          `${s.labels.__name__}{${s.labelNames.filter((n) => n !== '__name__').map((n) => `${n}="${s.labels[n]}"`).join(',')}}`,
          s.samples.map(({ value, timestamp }) => ({ value, timestamp })),
        ]);
        expect(two).toEqual(one);
      }
    }
  });

  it('puts a counter\'s and the buckets\' exemplars on their series, each with its timestamp', async () => {
    const data = await catalogData();
    for (const metric of data.scopeMetrics[0]!.metrics) {
      const points = metric.dataPoints as { exemplars?: unknown }[];
      if (metric.descriptor.name === METRIC_PREDICTION_LATENCY.name) points[0]!.exemplars = [exemplar(0.02, 1_700_000_001), exemplar(20, 1_700_000_002)];
      if (metric.descriptor.name === METRIC_PREDICTIONS.name) points[0]!.exemplars = [exemplar(1)];
    }
    const { requests } = new WriteRequestV2Encoder({ compress: false }).encode(data);
    expect(requests[0]!.exemplars).toBe(3);
    const withExemplars = decodeV2(requests[0]!.body).series.filter((s) => s.exemplars.length > 0).map((s) => [key(s), s.exemplars]);
    const expected = (value: number, timestamp: number) => [{ labels: { span_id: spanId, trace_id: traceId }, value, timestamp }];
    expect(withExemplars).toEqual([
      ['ml_predictions_total{model_name="iris",model_version="1.0.0",status="success"}', expected(1, 1_700_000_000_500)],
      ['ml_prediction_latency_seconds_bucket{le="0.025",model_name="iris",model_version="1.0.0"}', expected(0.02, 1_700_000_001_500)],
      ['ml_prediction_latency_seconds_bucket{le="+Inf",model_name="iris",model_version="1.0.0"}', expected(20, 1_700_000_002_500)],
    ]);
  });

  it('writes an exponential histogram as a native Histogram with its start timestamp and every exemplar', async () => {
    const reader = new TestReader(() => AggregationTemporality.CUMULATIVE);
    const provider = new MeterProvider({ readers: [reader], views: [{ instrumentName: 'rw_latency_seconds', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }] });
    const h = provider.getMeter('t').createHistogram('rw_latency_seconds', { unit: 's', description: 'latency' });
    const values = [0, 0.001, 0.0011, 0.002, 0.05, 0.051, 0.7, 3, 3, 9.5, 0];
    for (const v of values) h.record(v, { model_name: 'rw' });
    const data = (await reader.collect()).resourceMetrics;
    await provider.shutdown();
    const point = data.scopeMetrics[0]!.metrics[0]!.dataPoints[0]! as { exemplars?: unknown; startTime: [number, number]; endTime: [number, number] };
    point.exemplars = [exemplar(0.001, 1_700_000_003), exemplar(9.5, 1_700_000_004)];

    const v2 = new WriteRequestV2Encoder({ compress: false, instance: 'native' }).encode(data);
    expect(v2.skippedDataPoints).toBe(0);
    // The histogram and the SDK default resource's target_info.
    expect(v2.requests[0]).toMatchObject({ samples: 2, floatSamples: 1, histograms: 1, exemplars: 2 });
    const [series] = decodeV2(v2.requests[0]!.body).series.filter((s) => s.labels.__name__ === 'rw_latency_seconds');
    expect(series!.metadata).toEqual({ type: 'METRIC_TYPE_HISTOGRAM', help: 'latency', unit: 's' });
    expect(series!.samples).toEqual([]);
    expect(series!.exemplars.map((e) => [e.value, e.timestamp])).toEqual([
      [0.001, 1_700_000_003_500],
      [9.5, 1_700_000_004_500],
    ]);
    const histogram = series!.histograms[0]!;
    expect(histogram).toMatchObject({
      countInt: values.length,
      zeroCountInt: 2,
      zeroThreshold: 0,
      timestamp: millis(point.endTime),
      startTimestamp: millis(point.startTime),
    });
    expect(histogram.sum).toBeCloseTo(values.reduce((a, b) => a + b, 0), 9);
    // The same buckets as the 1.0 encoder's native Histogram (core's native bucket code for both).
    const buckets = (spans: { offset: number; length: number }[], deltas: number[]) => {
      const out: [number, number][] = [];
      let index = 0;
      let count = 0;
      let d = 0;
      for (const span of spans) {
        index += span.offset;
        for (let k = 0; k < span.length; k++) {
          count += deltas[d++]!;
          out.push([index, count]);
          index++;
        }
      }
      return out;
    };
    const positive = buckets(histogram.positiveSpans, histogram.positiveDeltas);
    expect(positive.reduce((a, [, c]) => a + c, 0)).toBe(9);
    expect(histogram.negativeSpans).toEqual([]);
    // Bucket for bucket what the 1.0 encoder writes (core's native bucket code for both; that path is checked against Prometheus in native-histogram.test.ts).
    const v1 = decodeV1Native(new WriteRequestEncoder({ compress: false, instance: 'native' }).encode(data).requests[0]!.body);
    expect(buckets(histogram.positiveSpans, histogram.positiveDeltas)).toEqual(buckets(v1.positiveSpans, v1.positiveDeltas));
    expect(histogram.schema).toBe(v1.schema);
  });

  it('writes series longer than 127 bytes and references past 127 (multi-byte lengths and varints) as the proto reads them', async () => {
    const env = testProvider();
    const counter = env.provider.getMeter('t').createCounter('wide');
    const attributes: Record<string, string> = {};
    for (let k = 0; k < 70; k++) attributes[`attr_${String(k).padStart(2, '0')}`] = `value-${k}`;
    for (let i = 0; i < 300; i++) counter.add(i + 1, { ...attributes, shard: `s${i}` });
    const { requests } = new WriteRequestV2Encoder({ compress: false }).encode(await env.collect());
    const decoded = decodeV2(requests[0]!.body);
    expect(decoded.symbols.length).toBeGreaterThan(300);
    const wide = decoded.series.filter((s) => s.labels.__name__ === 'wide_total');
    expect(wide).toHaveLength(300);
    for (const [i, series] of wide.entries()) {
      expect(series.labels).toMatchObject({ ...attributes, shard: `s${i}` });
      expect(series.samples[0]!.value).toBe(i + 1);
    }
  });

  it('keeps symbols[0] == "" and complete references in every request when it cuts a request in two', async () => {
    const env = testProvider();
    const counter = env.provider.getMeter('t').createCounter('c', { description: 'help', unit: '1' });
    for (let i = 0; i < 10; i++) counter.add(i + 1, { shard: `s${i}` });
    const { requests } = new WriteRequestV2Encoder({ maxSamplesPerRequest: 3 }).encode(await env.collect());
    expect(requests.map((r) => r.samples)).toEqual([3, 3, 3, 2]);
    const all = requests.flatMap((r) => decodeV2Body(r.body).series);
    expect(all.filter((s) => s.labels.__name__ === 'c_total').map((s) => [s.labels.shard, s.samples[0]!.value, s.metadata.help])).toEqual(
      Array.from({ length: 10 }, (_, i) => [`s${i}`, i + 1, 'help']),
    );
  });
});
