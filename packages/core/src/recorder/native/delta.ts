import type { ExponentialHistogram } from './exponential.js';
import type { CollectedExponentialHistogram, CollectedHistogram } from './points.js';
import { boundariesArray, cumulativeExponential } from './points.js';
import type { NativeHistogram } from './histogram.js';
import type { HrTimeLike } from './series.js';

/**
 * What one delta reader exported last, per point, so the next collection
 * reports the change: the role of sdk-metrics' TemporalMetricProcessor and
 * Aggregator.diff (open-telemetry/opentelemetry-js,
 * packages/sdk-metrics/src/state/TemporalMetricProcessor.ts). Keys are the
 * points' own objects (attribute objects, histograms, series), held weakly,
 * so a released series leaves nothing behind.
 *
 * @internal
 */
export class DeltaTracker {
  private readonly _sums = new WeakMap<object, number>();
  private readonly _histograms = new WeakMap<NativeHistogram, { counts: number[]; sum: number; count: number }>();
  private readonly _starts = new WeakMap<object, HrTimeLike>();
  private readonly _exponentials = new WeakMap<ExponentialHistogram, CollectedExponentialHistogram>();

  /**
   * The interval's exponential histogram: the previous cumulative state
   * brought to the current scale (a cumulative histogram's scale only goes
   * down) and subtracted, as sdk-metrics' ExponentialHistogramAccumulation.diff;
   * undefined when nothing was recorded in it.
   */
  exponential(histogram: ExponentialHistogram): CollectedExponentialHistogram | undefined {
    const now = cumulativeExponential(histogram);
    const last = this._exponentials.get(histogram);
    this._exponentials.set(histogram, now);
    if (last === undefined) return { ...now, min: undefined, max: undefined };
    const count = now.count - last.count;
    if (count === 0) return undefined;
    const shift = last.scale - now.scale;
    return {
      scale: now.scale,
      zeroCount: now.zeroCount - last.zeroCount,
      zeroThreshold: 0,
      positive: subtractBuckets(now.positive, last.positive, last.count === last.zeroCount ? 0 : shift),
      negative: subtractBuckets(now.negative, last.negative, last.count === last.zeroCount ? 0 : shift),
      sum: now.sum - last.sum,
      count,
    };
  }

  /** The change of a counter since the previous collection. */
  sum(key: object, total: number): number {
    const before = this._sums.get(key) ?? 0;
    this._sums.set(key, total);
    return total - before;
  }

  /** The interval's histogram, or undefined when nothing was recorded in it. */
  histogram(histogram: NativeHistogram): CollectedHistogram | undefined {
    const n = histogram.buckets;
    let last = this._histograms.get(histogram);
    if (last === undefined) this._histograms.set(histogram, (last = { counts: new Array<number>(n).fill(0), sum: 0, count: 0 }));
    const count = histogram.count - last.count;
    if (count === 0) return undefined;
    const counts = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const now = histogram.bucket(i);
      counts[i] = now - last.counts[i]!;
      last.counts[i] = now;
    }
    const sum = histogram.sum - last.sum;
    last.sum = histogram.sum;
    last.count = histogram.count;
    // Min and max of an interval cannot be derived from cumulative state; they are left out.
    return { buckets: { boundaries: boundariesArray(histogram.boundaries), counts }, sum, count };
  }

  /** Start of `key`'s interval (the previous collection's end, or `first`), and `end` remembered as the next one's. */
  interval(key: object, first: HrTimeLike, end: HrTimeLike): HrTimeLike {
    const start = this._starts.get(key) ?? first;
    this._starts.set(key, end);
    return start;
  }
}

/** `now - before`, `before` first lowered by `shift` scales; leading and trailing empty buckets trimmed. */
function subtractBuckets(now: { offset: number; bucketCounts: number[] }, before: { offset: number; bucketCounts: number[] }, shift: number): { offset: number; bucketCounts: number[] } {
  const counts = now.bucketCounts.slice();
  for (let i = 0; i < before.bucketCounts.length; i++) counts[((before.offset + i) >> shift) - now.offset]! -= before.bucketCounts[i]!;
  let first = 0;
  while (first < counts.length && counts[first] === 0) first++;
  let last = counts.length - 1;
  while (last >= first && counts[last] === 0) last--;
  return first > last ? { offset: 0, bucketCounts: [] } : { offset: now.offset + first, bucketCounts: counts.slice(first, last + 1) };
}
