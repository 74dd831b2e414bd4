import { AggregationTemporality, AggregationType, MeterProvider, MetricReader, type ExponentialHistogramMetricData } from '@opentelemetry/sdk-metrics';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_SIZE, ExponentialHistogram, mapToIndex, MAX_SCALE } from '../../../src/recorder/native/exponential.js';

class Reader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** What the OpenTelemetry SDK's ExponentialHistogramAggregator makes of the same values (a view selects it). */
async function sdkExponential(values: number[], maxSize: number) {
  const reader = new Reader({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  const provider = new MeterProvider({
    readers: [reader],
    views: [{ instrumentName: 'h', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM, options: { maxSize } } }],
  });
  const histogram = provider.getMeter('t').createHistogram('h');
  for (const v of values) histogram.record(v);
  const { resourceMetrics } = await reader.collect();
  await provider.shutdown();
  const metric = resourceMetrics.scopeMetrics[0]?.metrics[0] as ExponentialHistogramMetricData | undefined;
  return metric?.dataPoints[0]?.value;
}

function ours(values: number[], maxSize: number) {
  const h = new ExponentialHistogram(maxSize);
  for (const v of values) h.record(v);
  return h;
}

/** Latency-like values: spread over many orders of magnitude, with exact powers of two, zeros and repeats. */
const value = fc.oneof(
  { arbitrary: fc.double({ min: 1e-9, max: 1e6, noNaN: true, noDefaultInfinity: true }), weight: 6 },
  { arbitrary: fc.integer({ min: -30, max: 30 }).map((e) => 2 ** e), weight: 2 },
  { arbitrary: fc.constantFrom(0, Number.MIN_VALUE, 2 ** -1022, Number.MAX_VALUE), weight: 1 },
);

describe('ExponentialHistogram', () => {
  it('gives the SDK ExponentialHistogramAggregator\'s scale, offset, buckets, count, sum, min and max', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(value, { minLength: 1, maxLength: 300 }), fc.constantFrom(2, 4, 20, DEFAULT_MAX_SIZE), async (values, maxSize) => {
        const expected = (await sdkExponential(values, maxSize))!;
        const h = ours(values, maxSize);
        expect(h.pointScale).toBe(expected.scale);
        expect(h.posStart === 0 && h.positiveCounts().length === 0 ? 0 : h.posStart).toBe(expected.positive.offset);
        expect(h.positiveCounts()).toEqual(expected.positive.bucketCounts);
        expect(h.negativeCounts()).toEqual(expected.negative.bucketCounts);
        expect(h.count).toBe(expected.count);
        expect(h.zeroCount).toBe(expected.zeroCount);
        expect(h.sum).toBe(expected.sum);
        expect(h.min).toBe(expected.min);
        expect(h.max).toBe(expected.max);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps at most maxSize buckets per sign and lowers the scale to do so', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e12, max: 1e12, noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 500 }), fc.integer({ min: 2, max: 200 }), (values, maxSize) => {
        const h = ours(values, maxSize);
        expect(h.positiveCounts().length).toBeLessThanOrEqual(maxSize);
        expect(h.negativeCounts().length).toBeLessThanOrEqual(maxSize);
        expect(h.scale).toBeLessThanOrEqual(MAX_SCALE);
        const bucketed = [...h.positiveCounts(), ...h.negativeCounts()].reduce((a, b) => a + b, 0);
        expect(bucketed + h.zeroCount).toBe(values.length);
        // Every value lies in the bucket its index names: (base^i, base^(i+1)].
        const base = 2 ** (2 ** -h.scale);
        for (const v of values) {
          if (v === 0) continue;
          const i = mapToIndex(Math.abs(v), h.scale);
          const start = v > 0 ? h.posStart : h.negStart;
          const counts = v > 0 ? h.positiveCounts() : h.negativeCounts();
          expect(counts[i - start]).toBeGreaterThan(0);
          // Powers of a base near 1 lose digits; the bounds hold to 1e-6.
          if (Math.abs(v) > 1e-300 && Math.abs(v) < 1e300 && h.scale >= -4) {
            expect(Math.abs(v)).toBeLessThanOrEqual(base ** (i + 1) * (1 + 1e-6));
            expect(Math.abs(v)).toBeGreaterThan(base ** i * (1 - 1e-6));
          }
        }
      }),
    );
  });

  it('takes the latency range 1 ms to 10 s in 160 buckets at scale 3 (a 9 % bucket width)', () => {
    const h = ours([0.001, 10], DEFAULT_MAX_SIZE);
    expect(h.scale).toBe(3);
    expect(h.positiveCounts().length).toBeLessThanOrEqual(DEFAULT_MAX_SIZE);
  });

  it('drops NaN and infinities, as the SDK', () => {
    const h = ours([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1], DEFAULT_MAX_SIZE);
    expect(h.count).toBe(1);
    expect(h.sum).toBe(1);
  });
});
