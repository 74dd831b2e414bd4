import { fileURLToPath } from 'node:url';
import { AggregationTemporality, AggregationType, MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { encodeProtobufExposition, PROTOBUF_CONTENT_TYPE } from '../../../src/prometheus/protobuf/index.js';
import { recordClashingInstruments } from '../../helpers/clashes.js';

// The official definitions (prometheus/client_model, vendored with its commit in fixtures/client_model/SOURCE.md).
const root = protobuf.loadSync(fileURLToPath(new URL('./fixtures/client_model/io/prometheus/client/metrics.proto', import.meta.url)));
const MetricFamily = root.lookupType('io.prometheus.client.MetricFamily');

interface Span {
  offset?: number;
  length?: number;
}
interface DecodedHistogram {
  sampleCount?: number;
  sampleSum?: number;
  bucket?: { cumulativeCount?: number; upperBound?: number }[];
  schema?: number;
  zeroThreshold?: number;
  zeroCount?: number;
  positiveSpan?: Span[];
  positiveDelta?: number[];
  negativeSpan?: Span[];
  negativeDelta?: number[];
}
interface DecodedFamily {
  name: string;
  help?: string;
  type?: string;
  unit?: string;
  metric: { label?: { name: string; value: string }[]; counter?: { value: number }; gauge?: { value: number }; histogram?: DecodedHistogram }[];
}

/** Reads the delimited stream back with protobufjs. */
function decode(bytes: Uint8Array): DecodedFamily[] {
  const reader = protobuf.Reader.create(bytes);
  const out: DecodedFamily[] = [];
  while (reader.pos < reader.len) {
    const message = MetricFamily.decodeDelimited(reader);
    out.push(MetricFamily.toObject(message, { enums: String, longs: Number, arrays: true }) as DecodedFamily);
  }
  return out;
}

/** Native buckets as index -> count, from spans and deltas. */
function nativeBuckets(spans: Span[] = [], deltas: number[] = []): Map<number, number> {
  const out = new Map<number, number>();
  let index = 0;
  let d = 0;
  let count = 0;
  spans.forEach((span) => {
    index += span.offset ?? 0;
    for (let i = 0; i < (span.length ?? 0); i++) {
      count += deltas[d++]!;
      out.set(index, count);
      index++;
    }
  });
  expect(d).toBe(deltas.length);
  return out;
}

class Reader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** The same values through SDK instruments: an exponential and an explicit histogram under one name each, a counter and a gauge. */
async function collect(values: number[], maxSize = 160): Promise<ResourceMetrics> {
  const reader = new Reader({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  const provider = new MeterProvider({ readers: [reader], views: [{ instrumentName: 'native_seconds', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM, options: { maxSize } } }] });
  const meter = provider.getMeter('t');
  const native = meter.createHistogram('native_seconds', { description: 'native', unit: 's' });
  const classic = meter.createHistogram('classic_seconds', { advice: { explicitBucketBoundaries: [0.01, 0.1, 1] } });
  const counter = meter.createCounter('calls');
  meter.createObservableGauge('temperature').addCallback((r) => r.observe(-3.5, { room: 'a' }));
  for (const v of values) {
    native.record(v, { model_name: 'm' });
    classic.record(v, { model_name: 'm' });
    counter.add(1, { model_name: 'm' });
  }
  const { resourceMetrics } = await reader.collect();
  await provider.shutdown();
  return resourceMetrics;
}

/** Values not within 1e-6 of a bucket boundary at the schema (so float rounding in the check cannot disagree). */
const safe = (schema: number) => (v: number) => {
  const x = Math.log2(v) * 2 ** schema;
  return Math.abs(x - Math.round(x)) > 1e-6;
};

describe('encodeProtobufExposition', () => {
  it('names its content type as Prometheus negotiates it', () => {
    expect(PROTOBUF_CONTENT_TYPE).toBe('application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited');
  });

  it('decodes with the official metrics.proto: native buckets hold exactly the values of (base^(k-1), base^k], count and sum agree', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.double({ min: 1e-6, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 300 }), async (values) => {
        const families = decode(encodeProtobufExposition(await collect(values)));
        const native = families.find((f) => f.name === 'native_seconds')!;
        expect(native.type).toBe('HISTOGRAM');
        expect(native.help).toBe('native');
        expect(native.unit).toBe('s');
        const h = native.metric[0]!.histogram!;
        expect(native.metric[0]!.label).toEqual([{ name: 'model_name', value: 'm' }]);
        expect(h.sampleCount).toBe(values.length);
        expect(h.sampleSum).toBeCloseTo(values.reduce((a, b) => a + b, 0), 6);
        expect(h.schema).toBeLessThanOrEqual(8);
        expect(h.bucket ?? []).toEqual([]);
        const buckets = nativeBuckets(h.positiveSpan, h.positiveDelta);
        expect([...buckets.values()].reduce((a, b) => a + b, 0)).toBe(values.length);
        const schema = h.schema ?? 0;
        const expected = new Map<number, number>();
        for (const v of values.filter(safe(schema))) {
          const k = Math.ceil(Math.log2(v) * 2 ** schema);
          expected.set(k, (expected.get(k) ?? 0) + 1);
        }
        if (values.every(safe(schema))) expect(buckets).toEqual(expected);
        else for (const [k, n] of expected) expect(buckets.get(k) ?? 0).toBeGreaterThanOrEqual(n);
      }),
      { numRuns: 60 },
    );
  });

  it('reduces OpenTelemetry scales above 8 to schema 8 by merging buckets', async () => {
    // Two close values keep the SDK at scale 20.
    const families = decode(encodeProtobufExposition(await collect([1.0001, 1.0002, 1.5])));
    const h = families.find((f) => f.name === 'native_seconds')!.metric[0]!.histogram!;
    expect(h.schema).toBe(8);
    const buckets = nativeBuckets(h.positiveSpan, h.positiveDelta);
    expect(buckets.get(1)).toBe(2);
    expect(buckets.get(Math.ceil(Math.log2(1.5) * 256))).toBe(1);
  });

  it('writes zero counts, and negative buckets for negative values', async () => {
    const reader = new Reader({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
    const provider = new MeterProvider({ readers: [reader], views: [{ instrumentName: 'g', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }] });
    const h = provider.getMeter('t').createHistogram('g');
    for (const v of [0, 0, 3]) h.record(v);
    const { resourceMetrics } = await reader.collect();
    await provider.shutdown();
    const point = resourceMetrics.scopeMetrics[0]!.metrics[0]!.dataPoints[0]! as { value: { scale: number; count: number; positive: object; negative: object } };
    // SDK histograms refuse negative values; the data model has them (an
    // exponential histogram of a gauge-like quantity), so the point gets
    // negative buckets by hand: -(2^(1/4))^4 once, -(2^(1/4))^6 twice... at scale 2.
    point.value.scale = 2;
    point.value.count = 6;
    point.value.positive = { offset: 1, bucketCounts: [1] };
    point.value.negative = { offset: 3, bucketCounts: [2, 0, 1] };
    const decoded = decode(encodeProtobufExposition(resourceMetrics)).find((f) => f.name === 'g')!.metric[0]!.histogram!;
    expect(decoded.zeroCount).toBe(2);
    expect(decoded.zeroThreshold ?? 0).toBe(0);
    expect(decoded.sampleCount).toBe(6);
    expect(decoded.schema).toBe(2);
    // OpenTelemetry index i is Prometheus index i + 1; a gap of one empty bucket between the spans.
    expect(decoded.negativeSpan).toEqual([{ offset: 4, length: 1 }, { offset: 1, length: 1 }]);
    expect(decoded.negativeDelta).toEqual([2, -1]);
    expect(decoded.positiveSpan).toEqual([{ offset: 2, length: 1 }]);
    expect(decoded.positiveDelta).toEqual([1]);
  });

  it('writes a classic histogram point without a sum (one that may record negatives) with its count and no sum', async () => {
    const resourceMetrics = await collect([0.005, 0.05]);
    const classicMetric = resourceMetrics.scopeMetrics[0]!.metrics.find((m) => m.descriptor.name === 'classic_seconds')!;
    for (const point of classicMetric.dataPoints) (point.value as { sum?: number }).sum = undefined;
    const classic = decode(encodeProtobufExposition(resourceMetrics)).find((f) => f.name === 'classic_seconds')!.metric[0]!.histogram!;
    expect(classic.sampleCount).toBe(2);
    expect(classic.sampleSum ?? 0).toBe(0);
  });

  it('writes classic buckets cumulatively, counters and gauges by value, and target_info', async () => {
    const families = decode(encodeProtobufExposition(await collect([0.005, 0.05, 0.5, 5])));
    const classic = families.find((f) => f.name === 'classic_seconds')!.metric[0]!.histogram!;
    expect(classic.bucket).toEqual([
      { cumulativeCount: 1, upperBound: 0.01 },
      { cumulativeCount: 2, upperBound: 0.1 },
      { cumulativeCount: 3, upperBound: 1 },
    ]);
    expect(classic.sampleCount).toBe(4);
    expect(classic.schema).toBeUndefined();
    expect(families.find((f) => f.name === 'calls_total')).toMatchObject({ type: 'COUNTER', metric: [{ counter: { value: 4 } }] });
    expect(families.find((f) => f.name === 'temperature')).toMatchObject({ type: 'GAUGE', metric: [{ gauge: { value: -3.5 }, label: [{ name: 'room', value: 'a' }] }] });
    expect(families[0]!.name).toBe('target_info');
  });

  it('leaves out the families the text formats leave out: one family per name, target_info and sample names claimed first', async () => {
    const reader = new Reader();
    const provider = new MeterProvider({ readers: [reader] });
    const meter = provider.getMeter('m');
    recordClashingInstruments(meter);
    provider.getMeter('other').createCounter('jobs').add(2, { shard: 'b' });
    const families = decode(encodeProtobufExposition((await reader.collect()).resourceMetrics));
    await provider.shutdown();
    expect(families.map((f) => [f.name, f.type])).toEqual([
      ['target_info', 'GAUGE'],
      ['latency', 'HISTOGRAM'],
      ['jobs_total', 'COUNTER'],
    ]);
    // The same counter from two scopes is one family with both series.
    expect(families[2]!.metric.map((m) => m.counter!.value)).toEqual([1, 2]);
  });

  it('tells diag once, not on every scrape, that a metric whose name another type holds is left out', async () => {
    const warnings: string[] = [];
    diag.setLogger({ warn: (message: string) => warnings.push(message), error: () => {}, info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN);
    try {
      const resourceMetrics = await collect([0.5]);
      const metrics = resourceMetrics.scopeMetrics[0]!.metrics;
      const histogram = metrics.find((m) => m.descriptor.name === 'classic_seconds')!;
      // A histogram that takes the gauge's name: the family is a gauge already, so this one is left out.
      metrics.push({ ...histogram, descriptor: { ...histogram.descriptor, name: 'temperature' } });
      for (let scrape = 0; scrape < 3; scrape++) {
        const families = decode(encodeProtobufExposition(resourceMetrics));
        expect(families.find((f) => f.name === 'temperature')).toMatchObject({ type: 'GAUGE' });
      }
    } finally {
      diag.disable();
    }
    // The text formats' rule and words (core's groupFamilies), once for three scrapes.
    expect(warnings.filter((w) => w.includes('metric "temperature" (histogram temperature) is left out of /metrics'))).toHaveLength(1);
  });
});
