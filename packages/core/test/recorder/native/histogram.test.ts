import { metrics } from '@opentelemetry/api';
import { AggregationTemporality, MeterProvider, MetricReader, type HistogramMetricData } from '@opentelemetry/sdk-metrics';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boundariesOf, HistogramSlab, LINEAR_SEARCH_MAX, NativeHistogram } from '../../../src/recorder/native/histogram.js';

class Reader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** What the OpenTelemetry SDK's explicit bucket histogram makes of the same values. */
async function sdkHistogram(boundaries: number[], values: number[]) {
  const reader = new Reader({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  const provider = new MeterProvider({ readers: [reader] });
  const histogram = provider.getMeter('t').createHistogram('h', { advice: { explicitBucketBoundaries: boundaries } });
  for (const v of values) histogram.record(v);
  const { resourceMetrics } = await reader.collect();
  await provider.shutdown();
  const point = (resourceMetrics.scopeMetrics[0]!.metrics[0] as HistogramMetricData).dataPoints[0]!;
  return point.value;
}

const boundaryLists = fc
  .uniqueArray(fc.double({ min: 0, max: 1000, noNaN: true }), { minLength: 1, maxLength: 15 })
  .map((list) => [...list].sort((a, b) => a - b));

const countsOf = (h: NativeHistogram): number[] => Array.from({ length: h.buckets }, (_, i) => h.bucket(i));

describe('NativeHistogram', () => {
  it('puts a value equal to a boundary in that boundary\'s bucket (upper bound inclusive)', () => {
    const h = new NativeHistogram(boundariesOf([1, 2, 3]), new HistogramSlab());
    for (const v of [0.5, 1, 1.5, 2, 3, 3.5]) h.record(v);
    expect(countsOf(h)).toEqual([2, 2, 1, 1]);
    expect({ sum: h.sum, count: h.count, min: h.min, max: h.max }).toEqual({ sum: 11.5, count: 6, min: 0.5, max: 3.5 });
  });

  it('has the same buckets, sum, count, min and max as the OpenTelemetry SDK for any values (property)', async () => {
    await fc.assert(
      fc.asyncProperty(boundaryLists, fc.array(fc.double({ min: 0, max: 2000, noNaN: true }), { minLength: 1, maxLength: 200 }), async (boundaries, values) => {
        const native = new NativeHistogram(boundariesOf(boundaries), new HistogramSlab());
        for (const v of values) native.record(v);
        const sdk = await sdkHistogram(boundaries, values);
        expect(countsOf(native)).toEqual(sdk.buckets.counts);
        expect(native.count).toBe(sdk.count);
        expect(native.sum).toBe(sdk.sum);
        expect(native.min).toBe(sdk.min);
        expect(native.max).toBe(sdk.max);
      }),
      { numRuns: 100 },
    );
    metrics.disable();
  });

  it('agrees with the SDK above the linear-search bound too, where lookup is a binary search (property)', async () => {
    const long = fc
      .uniqueArray(fc.integer({ min: 0, max: 100_000 }), { minLength: LINEAR_SEARCH_MAX + 1, maxLength: 256 })
      .map((list) => [...list].sort((a, b) => a - b));
    await fc.assert(
      fc.asyncProperty(long, fc.array(fc.integer({ min: 0, max: 100_010 }), { minLength: 1, maxLength: 300 }), async (boundaries, values) => {
        // Values on the boundaries themselves: the inclusive upper bound is where a binary search slips.
        const all = [...values, ...boundaries.slice(0, 20)];
        const native = new NativeHistogram(boundariesOf(boundaries), new HistogramSlab());
        for (const v of all) native.record(v);
        expect(countsOf(native)).toEqual((await sdkHistogram(boundaries, all)).buckets.counts);
      }),
      { numRuns: 30 },
    );
    metrics.disable();
  });
});

describe('NativeHistogram slabs', () => {
  it('keeps neighbouring histograms apart, across slab boundaries', () => {
    const boundaries = boundariesOf([1, 2]);
    const slab = new HistogramSlab();
    const histograms = Array.from({ length: 20_000 }, () => new NativeHistogram(boundaries, slab));
    histograms.forEach((h, i) => h.record(i % 3));
    histograms.forEach((h, i) => {
      expect(h.count).toBe(1);
      expect(h.sum).toBe(i % 3);
      expect(countsOf(h)).toEqual([i % 3 <= 1 ? 1 : 0, i % 3 === 2 ? 1 : 0, 0]);
    });
  });
});
