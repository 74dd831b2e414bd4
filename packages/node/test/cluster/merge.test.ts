import { ValueType, type HrTime } from '@opentelemetry/api';
import {
  AggregationTemporality,
  AggregationType,
  DataPointType,
  MeterProvider,
  MetricReader,
  type ExponentialHistogram,
  type ExponentialHistogramMetricData,
  type MetricData,
  type ScopeMetrics,
} from '@opentelemetry/sdk-metrics';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeltaConverter } from '../../src/cluster/delta.js';
import { attributesKey, mergeExponential, mergeScopeMetrics, type Point } from '../../src/cluster/merge.js';
import { selectHistograms } from '../../src/cluster/select.js';
import { decode, encode } from '../../src/cluster/wire.js';

const T0: [number, number] = [100, 0];
const T1: [number, number] = [200, 0];
const descriptor = (name: string) => ({ name, description: '', unit: '', valueType: ValueType.DOUBLE });
const scope = (metrics: MetricData[]): ScopeMetrics[] => [{ scope: { name: 's' }, metrics }];
const counter = (value: number, attributes = { model_name: 'm' }): MetricData => ({
  descriptor: descriptor('calls'),
  aggregationTemporality: AggregationTemporality.CUMULATIVE,
  dataPointType: DataPointType.SUM,
  isMonotonic: true,
  dataPoints: [{ startTime: T0, endTime: T0, attributes, value }],
});
const gauge = (name: string, value: number, monotonic?: boolean): MetricData =>
  monotonic === undefined
    ? { descriptor: descriptor(name), aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.GAUGE, dataPoints: [{ startTime: T0, endTime: T0, attributes: {}, value }] }
    : { descriptor: descriptor(name), aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.SUM, isMonotonic: monotonic, dataPoints: [{ startTime: T0, endTime: T0, attributes: {}, value }] };
const histogram = (counts: number[], sum: number, min: number, max: number): MetricData => ({
  descriptor: descriptor('latency'),
  aggregationTemporality: AggregationTemporality.CUMULATIVE,
  dataPointType: DataPointType.HISTOGRAM,
  dataPoints: [{ startTime: T0, endTime: T0, attributes: {}, value: { buckets: { boundaries: [1, 2], counts }, sum, count: counts.reduce((a, b) => a + b, 0), min, max } }],
});
const values = (merged: ScopeMetrics[], name: string): unknown[] => merged.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name)?.dataPoints.map((p) => p.value) ?? [];

describe('merging workers\' points', () => {
  it('sums counters and histograms, sums in-flight over live workers, takes the largest gauge', () => {
    const merged = mergeScopeMetrics(
      [
        { scopeMetrics: scope([counter(3), histogram([1, 0, 0], 0.5, 0.5, 0.5), gauge('version', 2), gauge('in_flight', 1, false)]), alive: true },
        { scopeMetrics: scope([counter(4), histogram([0, 2, 1], 6, 1.5, 3), gauge('version', 3), gauge('in_flight', 2, false)]), alive: true },
        // An exited worker: its counts stay, its gauges and in-flight calls do not.
        { scopeMetrics: scope([counter(10), histogram([1, 0, 0], 0.1, 0.1, 0.1), gauge('version', 9), gauge('in_flight', 5, false)]), alive: false },
      ],
      T1,
    );
    expect(values(merged, 'calls')).toEqual([17]);
    expect(values(merged, 'latency')).toEqual([{ buckets: { boundaries: [1, 2], counts: [2, 2, 1] }, sum: 6.6, count: 5, min: 0.1, max: 3 }]);
    expect(values(merged, 'version')).toEqual([3]);
    expect(values(merged, 'in_flight')).toEqual([3]);
  });

  it('keeps label sets apart, whatever the key order', () => {
    const merged = mergeScopeMetrics(
      [
        { scopeMetrics: scope([counter(1, { a: '1', b: '2' } as never)]), alive: true },
        { scopeMetrics: scope([counter(2, { b: '2', a: '1' } as never), counter(5, { a: 'other' } as never)]), alive: true },
      ],
      T1,
    );
    expect(merged[0]!.metrics.flatMap((m) => m.dataPoints.map((p) => p.value))).toEqual([3, 5]);
  });
});

describe('label set keys', () => {
  it('are one key whatever the key order, and no value forges another label set', () => {
    expect(attributesKey({ a: 'x', b: 'y' })).toBe(attributesKey({ b: 'y', a: 'x' }));
    expect(attributesKey({ a: 'x1:b1:y' })).not.toBe(attributesKey({ a: 'x', b: 'y' }));
    expect(attributesKey({ a: '1' })).not.toBe(attributesKey({ a: 1 }));
    expect(attributesKey({ ab: 'c' })).not.toBe(attributesKey({ a: 'bc' }));
  });
});

describe('the wire format', () => {
  it('carries what JSON cannot (Infinity, NaN) and reads back the same points', () => {
    const original = scope([histogram([1, 0, 0], 0.5, Infinity, -Infinity), gauge('nan', Number.NaN)]);
    const back = decode(JSON.parse(JSON.stringify(encode(original))));
    expect(back).toEqual(original);
  });
});

describe('cumulative to delta for a delta reader', () => {
  it('sends the change since its previous collection, nothing when nothing changed', () => {
    const delta = new DeltaConverter();
    expect(values(delta.convert(scope([counter(5)]), T0), 'calls')).toEqual([5]);
    expect(values(delta.convert(scope([counter(8)]), T1), 'calls')).toEqual([3]);
    expect(delta.convert(scope([counter(8)]), [300, 0])).toEqual([]);
  });
});

// ---------------------------------------------------------------------------
// Exponential (native) histograms, exemplars, and both histogram kinds of one name.

class Reader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/**
 * The OpenTelemetry SDK's own ExponentialHistogramAggregator (default
 * maxSize 160, selected by a view) over each value set: one series per set,
 * and one more, `union`, that records every value of every set.
 */
async function sdkAccumulations(parts: readonly (readonly number[])[]): Promise<{ parts: (ExponentialHistogram | undefined)[]; union: ExponentialHistogram | undefined }> {
  const reader = new Reader({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  const provider = new MeterProvider({ readers: [reader], views: [{ instrumentName: 'h', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }] });
  const histogram = provider.getMeter('oracle').createHistogram('h');
  parts.forEach((values, i) => {
    for (const v of values) {
      histogram.record(v, { part: i });
      histogram.record(v, { part: 'union' });
    }
  });
  const { resourceMetrics } = await reader.collect();
  await provider.shutdown();
  const points = (resourceMetrics.scopeMetrics[0]?.metrics[0] as ExponentialHistogramMetricData | undefined)?.dataPoints ?? [];
  const of = (part: number | string) => points.find((p) => p.attributes.part === part)?.value;
  return { parts: parts.map((_, i) => of(i)), union: of('union') };
}

const exponentialMetric = (value: ExponentialHistogram, name = 'latency', exemplars?: Point['exemplars']): MetricData => ({
  descriptor: descriptor(name),
  aggregationTemporality: AggregationTemporality.CUMULATIVE,
  dataPointType: DataPointType.EXPONENTIAL_HISTOGRAM,
  dataPoints: [{ startTime: T0, endTime: T0, attributes: {}, value, ...(exemplars === undefined ? {} : { exemplars }) }],
});

const exp = (scale: number, positive: [number, number[]], negative: [number, number[]] = [0, []], zeroCount = 0): ExponentialHistogram => {
  const count = zeroCount + [...positive[1], ...negative[1]].reduce((a, b) => a + b, 0);
  return { scale, zeroCount, count, sum: 0, positive: { offset: positive[0], bucketCounts: positive[1] }, negative: { offset: negative[0], bucketCounts: negative[1] } };
};

/**
 * The comparable parts of an exponential histogram: empty bucket lists at
 * offset 0, as the SDK reports them; a min or max of zero without its sign
 * (of 0 and -0 the SDK keeps whichever came first, and a merge has no "first").
 */
function shape(h: ExponentialHistogram) {
  const side = (b: ExponentialHistogram['positive']) => (b.bucketCounts.length === 0 ? { offset: 0, bucketCounts: [] } : b);
  const unsigned = (v: number | undefined) => (v === 0 ? 0 : v);
  return { scale: h.scale, zeroCount: h.zeroCount, count: h.count, min: unsigned(h.min), max: unsigned(h.max), positive: side(h.positive), negative: side(h.negative) };
}

/** Latency-like magnitudes over many orders, exact powers of two (bucket edges), zeros, extremes; either sign. */
const magnitude = fc.oneof(
  { arbitrary: fc.double({ min: 1e-9, max: 1e6, noNaN: true, noDefaultInfinity: true }), weight: 6 },
  { arbitrary: fc.integer({ min: -30, max: 30 }).map((e) => 2 ** e), weight: 2 },
  { arbitrary: fc.constantFrom(0, Number.MIN_VALUE, 2 ** -1022, Number.MAX_VALUE), weight: 1 },
);
const value = fc.tuple(magnitude, fc.boolean(), fc.nat(3)).map(([m, negative, kind]) => (negative && kind === 0 ? -m : m));
/** A narrow band (one order of magnitude): parts that stay at a high scale, so merging lowers one to the other's. */
const narrow = fc.double({ min: 1, max: 10, noNaN: true, noDefaultInfinity: true });

describe('merging exponential histograms (the SDK aggregator as oracle)', () => {
  it('gives what one SDK histogram recording every part\'s values gives: scale, offsets, buckets, zero count, count, min, max, sum', async () => {
    const parts = fc.array(fc.oneof(fc.array(value, { maxLength: 120 }), fc.array(narrow, { minLength: 1, maxLength: 40 }), fc.array(fc.constant(0), { minLength: 1, maxLength: 3 })), {
      minLength: 1,
      maxLength: 5,
    });
    await fc.assert(
      fc.asyncProperty(parts, async (valueSets) => {
        const oracle = await sdkAccumulations(valueSets);
        const sources = oracle.parts.flatMap((point) =>
          // Through the wire format, as a worker's points travel (JSON, as the IPC channel does).
          point === undefined ? [] : [{ scopeMetrics: decode(JSON.parse(JSON.stringify(encode(scope([exponentialMetric(point)]))))), alive: true }],
        );
        const merged = values(mergeScopeMetrics(sources, T1), 'latency') as ExponentialHistogram[];
        if (oracle.union === undefined) {
          expect(merged).toEqual([]);
          return;
        }
        expect(merged).toHaveLength(1);
        expect(shape(merged[0]!)).toEqual(shape(oracle.union));
        // Added in another order than recorded: equal up to rounding, which
        // scales with the magnitudes added (a fixed 6 decimals failed on a
        // sum of 2^30, off by 6 units in the last place).
        const magnitudes = valueSets.flat().reduce((total, v) => total + Math.abs(v), 0);
        if (merged[0]!.sum !== oracle.union.sum) expect(Math.abs(merged[0]!.sum! - oracle.union.sum!)).toBeLessThanOrEqual(1e-12 * Math.max(1, magnitudes));
      }),
      { numRuns: 200 },
    );
  });

  it('brings different scales and offsets to the lower scale before adding, positive and negative buckets alike', () => {
    // Scale 2: buckets 8..10 → at scale 1: 4, 4, 5. Scale 1: buckets 3..4 → 3, 4.
    const x = exp(2, [8, [1, 2, 3]], [-2, [4, 5]]);
    const y = exp(1, [3, [10, 20]], [0, [7]], 2);
    const m = mergeExponential(x, y);
    expect(m.scale).toBe(1);
    // Positive: index 3 ← 10; index 4 ← 1 + 2 + 20; index 5 ← 3.
    expect(m.positive).toEqual({ offset: 3, bucketCounts: [10, 23, 3] });
    // Negative (by magnitude): x's -2, -1 at scale 2 → -1, -1 at scale 1; y's 0.
    expect(m.negative).toEqual({ offset: -1, bucketCounts: [9, 7] });
    expect(m.zeroCount).toBe(2);
    expect(m.count).toBe(x.count + y.count);
  });

  it('lowers the scale further when the buckets of both together exceed 160 per sign, as the SDK\'s maxSize', () => {
    const x = exp(5, [0, [1]]);
    const y = exp(5, [200, [1]]);
    const m = mergeExponential(x, y);
    // 0..200 needs 201 buckets at scale 5, 101 at scale 4.
    expect(m.scale).toBe(4);
    expect(m.positive.offset).toBe(0);
    expect(m.positive.bucketCounts).toHaveLength(101);
    expect(m.positive.bucketCounts[0]).toBe(1);
    expect(m.positive.bucketCounts[100]).toBe(1);
  });

  it('does not lower a histogram to the scale 0 that a histogram of zeros only reports', () => {
    const m = mergeExponential(exp(0, [0, []], [0, []], 4), exp(20, [1_000, [1, 1]]));
    expect(m.scale).toBe(20);
    expect(m.zeroCount).toBe(4);
    expect(m.positive).toEqual({ offset: 1_000, bucketCounts: [1, 1] });
  });

  it('keeps an exited worker\'s exponential histogram in the sum', () => {
    const merged = mergeScopeMetrics(
      [
        { scopeMetrics: scope([exponentialMetric(exp(3, [4, [1]]))]), alive: true },
        { scopeMetrics: scope([exponentialMetric(exp(3, [4, [2]]))]), alive: false },
      ],
      T1,
    );
    expect((values(merged, 'latency') as ExponentialHistogram[])[0]!.positive.bucketCounts).toEqual([3]);
  });

  it('merges the explicit and the exponential histogram of one name apart (a histogram read as both)', () => {
    const both = (n: number) => scope([histogram([n, 0, 0], 0.5 * n, 0.5, 0.5), exponentialMetric(exp(3, [-8, [n]]))]);
    const merged = mergeScopeMetrics(
      [
        { scopeMetrics: both(1), alive: true },
        { scopeMetrics: both(2), alive: true },
      ],
      T1,
    );
    const metrics = merged[0]!.metrics;
    expect(metrics.map((m) => m.dataPointType)).toEqual([DataPointType.HISTOGRAM, DataPointType.EXPONENTIAL_HISTOGRAM]);
    expect((metrics[0]!.dataPoints[0]!.value as { count: number }).count).toBe(3);
    expect((metrics[1]!.dataPoints[0]!.value as ExponentialHistogram).positive.bucketCounts).toEqual([3]);
  });
});

const exemplar = (value: number, at: number, span: string) => ({ filteredAttributes: {}, value, timestamp: [at, 0] as HrTime, traceId: '0af7651916cd43dd8448eb211c80319c', spanId: span });
const withExemplars = (metric: MetricData, exemplars: Point['exemplars']): MetricData => ({ ...metric, dataPoints: metric.dataPoints.map((p) => ({ ...p, exemplars })) } as MetricData);
const exemplarsOf = (merged: ScopeMetrics[], name: string, type = DataPointType.HISTOGRAM) =>
  (merged.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name && m.dataPointType === type)?.dataPoints[0] as Point | undefined)?.exemplars;

describe('merging exemplars: the latest per bucket', () => {
  it('explicit histograms: the latest of one bucket, every bucket\'s, in bucket order', () => {
    // Buckets (-inf,1], (1,2], (2,+inf).
    const merged = mergeScopeMetrics(
      [
        { scopeMetrics: scope([withExemplars(histogram([1, 1, 0], 2, 0.5, 1.5), [exemplar(0.5, 10, 'a1'), exemplar(1.5, 30, 'a2')])]), alive: true },
        { scopeMetrics: scope([withExemplars(histogram([1, 1, 1], 7, 0.7, 5), [exemplar(0.7, 20, 'b1'), exemplar(1.2, 20, 'b2'), exemplar(5, 5, 'b3')])]), alive: true },
      ],
      T1,
    );
    expect(exemplarsOf(merged, 'latency')?.map((e) => e.spanId)).toEqual(['b1', 'a2', 'b3']);
  });

  it('counters: the latest one', () => {
    const merged = mergeScopeMetrics(
      [
        { scopeMetrics: scope([withExemplars(counter(1), [exemplar(1, 50, 'late')])]), alive: true },
        { scopeMetrics: scope([withExemplars(counter(1), [exemplar(1, 40, 'early')])]), alive: true },
        { scopeMetrics: scope([counter(1)]), alive: true },
      ],
      T1,
    );
    expect(exemplarsOf(merged, 'calls', DataPointType.SUM)?.map((e) => e.spanId)).toEqual(['late']);
  });

  it('exponential histograms: per bucket at the merged scale, so two that share a bucket there keep the latest', () => {
    // 1.1 and 1.9 are in different buckets at scale 3, one bucket (0: (1,2]) at scale 0.
    const x = exponentialMetric(exp(3, [1, [1, 0, 0, 0, 0, 1]]), 'latency', [exemplar(1.1, 10, 'x'), exemplar(1.9, 30, 'y')]);
    const y = exponentialMetric(exp(0, [0, [1, 0, 0, 1]]), 'latency', [exemplar(1.5, 20, 'z'), exemplar(9, 5, 'w')]);
    const merged = mergeScopeMetrics(
      [
        { scopeMetrics: scope([x]), alive: true },
        { scopeMetrics: scope([y]), alive: true },
      ],
      T1,
    );
    expect(exemplarsOf(merged, 'latency', DataPointType.EXPONENTIAL_HISTOGRAM)?.map((e) => e.spanId)).toEqual(['y', 'w']);
  });
});

describe('the wire format, every point kind', () => {
  it('reads back exponential histograms (negative buckets, no sum, Infinity min) and exemplars as they were', () => {
    const exponential = exp(-3, [-2, [1, 0, 5]], [7, [2]], 3);
    const original = scope([
      exponentialMetric({ ...exponential, min: -Infinity, max: 40 }, 'latency', [exemplar(Number.NaN, 1, 'n'), exemplar(2, 2, 'm')]),
      exponentialMetric({ ...exponential, sum: undefined }, 'no_sum'),
      withExemplars(counter(3), [exemplar(1, 3, 'c')]),
      withExemplars(histogram([1, 0, 0], 0.5, 0.5, 0.5), [exemplar(0.5, 4, 'h')]),
    ]);
    const { sum: _, ...noSum } = { ...exponential };
    (original[0]!.metrics[1]!.dataPoints[0] as { value: unknown }).value = noSum;
    const back = decode(JSON.parse(JSON.stringify(encode(original))));
    expect(back).toEqual(original);
  });

  it('refuses an exponential histogram whose scale is out of range (a bad answer, not a merge of garbage)', () => {
    const payload = JSON.parse(JSON.stringify(encode(scope([exponentialMetric(exp(3, [0, [1]]))])))) as { scopes: { metrics: { points: { e: number }[][] }[] }[] };
    (payload.scopes[0]!.metrics[0]!.points[0]![3] as { e: number }).e = 99;
    expect(() => decode(payload)).toThrow(TypeError);
  });
});

describe('one exporter\'s histogram kind out of a merge read as both', () => {
  const both = scope([
    histogram([1, 0, 0], 0.5, 0.5, 0.5),
    { ...exponentialMetric(exp(3, [-8, [1]])), dataPoints: [...exponentialMetric(exp(3, [-8, [1]])).dataPoints, { startTime: T0, endTime: T0, attributes: { fixed: 'exponential' }, value: exp(3, [0, [2]]) }] } as MetricData,
  ]);
  const kinds = (selected: ScopeMetrics[]) => selected[0]!.metrics.map((m) => `${m.dataPointType}:${m.dataPoints.map((p) => JSON.stringify(p.attributes)).join(',')}`);

  it('explicit: the explicit points, plus the series kept exponential only', () => {
    expect(kinds(selectHistograms(both, 'explicit'))).toEqual([`${DataPointType.HISTOGRAM}:{}`, `${DataPointType.EXPONENTIAL_HISTOGRAM}:{"fixed":"exponential"}`]);
  });

  it('exponential: the exponential points only, where every series has them', () => {
    expect(kinds(selectHistograms(both, 'exponential'))).toEqual([`${DataPointType.EXPONENTIAL_HISTOGRAM}:{},{"fixed":"exponential"}`]);
  });

  it('both: everything', () => {
    expect(selectHistograms(both, 'both')).toBe(both);
  });
});

describe('cumulative to delta, exponential histograms', () => {
  it('sends the change at the common scale, nothing when unchanged, all of it after a reset; apart from the explicit histogram of the same name', () => {
    const delta = new DeltaConverter();
    const at = (h: ExponentialHistogram) => scope([histogram([1, 0, 0], 0.5, 0.5, 0.5), exponentialMetric(h)]);
    const first = delta.convert(at({ ...exp(2, [8, [1, 1]]), sum: 3 }), T0);
    expect(first[0]!.metrics.map((m) => m.dataPointType)).toEqual([DataPointType.HISTOGRAM, DataPointType.EXPONENTIAL_HISTOGRAM]);
    // Later the histogram was lowered to scale 1 (8, 9 → 4) and got two more values in bucket 5.
    const second = delta.convert(at({ ...exp(1, [4, [2, 2]]), sum: 10 }), T1);
    const exponential = second[0]!.metrics.find((m) => m.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM)!;
    expect(exponential.dataPoints[0]!.value).toEqual({ scale: 1, zeroCount: 0, count: 2, sum: 7, positive: { offset: 5, bucketCounts: [2] }, negative: { offset: 0, bucketCounts: [] } });
    // The explicit one did not change: not sent.
    expect(second[0]!.metrics.some((m) => m.dataPointType === DataPointType.HISTOGRAM)).toBe(false);
    expect(delta.convert(at({ ...exp(1, [4, [2, 2]]), sum: 10 }), [300, 0]).flatMap((s) => s.metrics).filter((m) => m.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM)).toEqual([]);
    // A restart (the series counts from nothing again): all of it is new.
    const reset = exp(1, [4, [1]]);
    const after = delta.convert(at(reset), [400, 0]);
    expect(after[0]!.metrics.find((m) => m.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM)!.dataPoints[0]!.value).toEqual(reset);
  });
});
