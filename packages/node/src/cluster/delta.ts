/**
 * Cumulative to delta for one delta reader (Datadog, New Relic, OTLP
 * `lowmemory`), after sdk-metrics' TemporalMetricProcessor: the merged
 * cluster points are cumulative, and producers are not told their reader's
 * temporality. Counters and histograms become the change since this
 * reader's previous collection, sent only when something changed; up-down
 * counters and gauges stay cumulative, as with the SDK's delta preference.
 * Exponential histograms are differenced at their common scale, as the
 * SDK's ExponentialHistogramAccumulation.diff does.
 */
import type { HrTime } from '@opentelemetry/api';
import { AggregationTemporality, type DataPoint, type Histogram, type MetricData, type ScopeMetrics } from '@opentelemetry/sdk-metrics';
import { attributesKey, exponentialDifference, keptAfterExit, metricKey, type PointValue } from './merge.js';

type Last = PointValue;

/** One delta reader's memory of what it exported last. */
export class DeltaConverter {
  private _last = new Map<string, Last>();
  private _lastEnd: HrTime | undefined;

  convert(scopeMetrics: readonly ScopeMetrics[], endTime: HrTime): ScopeMetrics[] {
    const seen = new Map<string, Last>();
    const intervalStart = this._lastEnd;
    const out: ScopeMetrics[] = [];
    for (const { scope, metrics } of scopeMetrics) {
      const converted: MetricData[] = [];
      for (const metric of metrics) {
        if (!keptAfterExit(metric)) {
          converted.push(metric);
          continue;
        }
        const points: DataPoint<PointValue>[] = [];
        // The metric's kind in the key too: a histogram read as `both` is two metrics of one name.
        const prefix = `${scope.name}\u0000${metricKey(metric)}\u0000`;
        for (const point of metric.dataPoints as DataPoint<PointValue>[]) {
          const key = prefix + attributesKey(point.attributes);
          seen.set(key, point.value);
          const previous = this._last.get(key);
          const value = difference(point.value, previous);
          if (value === undefined) continue;
          points.push({ startTime: previous === undefined || intervalStart === undefined ? point.startTime : intervalStart, endTime, attributes: point.attributes, value });
        }
        if (points.length > 0) {
          converted.push({ ...metric, aggregationTemporality: AggregationTemporality.DELTA, dataPoints: points } as MetricData);
        }
      }
      if (converted.length > 0) out.push({ scope, metrics: converted });
    }
    // Series that disappeared (a released model version) are forgotten: memory follows the live series.
    this._last = seen;
    this._lastEnd = endTime;
    return out;
  }
}

/** The change since `previous`; undefined when nothing changed. A value below the previous one is a reset: all of it is new. */
function difference(current: PointValue, previous: Last | undefined): PointValue | undefined {
  if (typeof current === 'number') {
    const before = typeof previous === 'number' && previous <= current ? previous : 0;
    const delta = current - before;
    return delta > 0 ? delta : undefined;
  }
  if (!('buckets' in current)) {
    if (previous === undefined || typeof previous !== 'object' || 'buckets' in previous) return current.count > 0 ? current : undefined;
    if (current.count === previous.count) return undefined;
    return exponentialDifference(current, previous) ?? current;
  }
  // An exponential point before an explicit one of the same key cannot happen (the key names the kind); narrowed for the compiler.
  if (typeof previous === 'object' && !('buckets' in previous)) return current.count > 0 ? current : undefined;
  const before = typeof previous === 'object' && previous.count <= current.count && sameBounds(previous, current) ? previous : undefined;
  if (before === undefined) return current.count > 0 ? current : undefined;
  const count = current.count - before.count;
  if (count <= 0) return undefined;
  // min and max of the interval cannot be told from two cumulative histograms: left out.
  return {
    buckets: { boundaries: current.buckets.boundaries, counts: current.buckets.counts.map((n, i) => n - (before.buckets.counts[i] ?? 0)) },
    sum: (current.sum ?? 0) - (before.sum ?? 0),
    count,
  };
}

function sameBounds(a: Histogram, b: Histogram): boolean {
  const x = a.buckets.boundaries;
  const y = b.buckets.boundaries;
  return x.length === y.length && x.every((bound, i) => bound === y[i]);
}
