/**
 * How the primary adds its workers' cumulative points into one set, per
 * point kind (same scope, same metric name, identical label set):
 *
 * - monotonic sums (counters): summed; a worker that exited keeps adding its
 *   last reported value, so the cluster's counter never goes down and
 *   Prometheus sees no reset (https://prometheus.io/docs/prometheus/latest/querying/functions/#resets);
 * - explicit-bucket histograms: bucket counts, sum and count summed; min the
 *   smallest, max the largest; an exited worker's last histogram keeps adding too;
 * - base-2 exponential histograms (OTLP ExponentialHistogram, Prometheus
 *   native histograms): both brought to a common scale, as sdk-metrics'
 *   ExponentialHistogramAccumulation.merge does (the lower of the two
 *   scales, lowered further until each sign's buckets fit in the bucket
 *   limit, 160 as the SDK's default maxSize), then buckets, zero count,
 *   count and sum added, min and max as above; kept after exit like
 *   explicit ones. A histogram of zeros only has no buckets and says
 *   nothing about the scale, so it does not lower the other's (the SDK
 *   reports scale 0 for it);
 * - non-monotonic sums (up-down counters: calls in flight): summed over the
 *   workers alive; an exited worker's calls ended with it, so it adds nothing;
 * - gauges (`ml_active_model_version`, `ml_model_info`, `inferometer_series`,
 *   process gauges): the largest value over the workers alive: the newest
 *   active version, 1 for a model any worker serves, the busiest worker's
 *   series count, memory or event-loop lag;
 * - exemplars (the catalog's latency buckets and error counters): the latest
 *   per bucket, in bucket order, as each member keeps them (one per bucket,
 *   OpenMetrics' rule); a sum's single one is the latest of the members'.
 *
 * A histogram read as `both` comes as two metrics of one name, one explicit
 * and one exponential: they merge apart. Points whose kinds or histogram
 * boundaries disagree between workers (two versions of the service at once)
 * cannot be added: the first source's point stays and the disagreement goes
 * to `diag` once per metric.
 */
import type { Attributes, HrTime } from '@opentelemetry/api';
import {
  AggregationTemporality,
  DataPointType,
  type DataPoint,
  type ExponentialHistogram,
  type Histogram,
  type MetricData,
  type ScopeMetrics,
} from '@opentelemetry/sdk-metrics';
import { changeScale, EXPONENTIAL_DEFAULT_MAX_SIZE, mapToIndex, runtime, type CollectedExemplar } from '@inferometer/core/internal';

/** One contributor to a merge: a worker alive, or the kept points of exited ones. */
export interface MergeSource {
  readonly scopeMetrics: readonly ScopeMetrics[];
  /** False for exited workers: only their counters and histograms count. */
  readonly alive: boolean;
}

/** The value of any point kind. */
export type PointValue = number | Histogram | ExponentialHistogram;

/**
 * A data point as the catalog gives it: the SDK's shape, plus the exemplars
 * the SDK's own points dropped in 2.0 (see CollectedExemplar in @inferometer/core).
 */
export type Point = DataPoint<PointValue> & { readonly exemplars?: readonly CollectedExemplar[] };

/** An exponential histogram value as the catalog gives it: the SDK's shape plus its zero threshold (0). */
type Exponential = ExponentialHistogram & { readonly zeroThreshold?: number };
type Buckets = ExponentialHistogram['positive'];

interface Slot {
  metric: MetricData;
  points: Map<string, Point>;
}

/** `diag.warn` once per key, through core's bounded report-once memory (metric names are the keys: a bounded set). */
function tellOnce(key: string, message: string): void {
  runtime().diag.warn(`@inferometer/node:cluster:${key}`, `@inferometer/node cluster: ${message}`);
}

/**
 * A label set's identity: keys sorted, so `{a,b}` and `{b,a}` are one series.
 * Length-prefixed, so no name or value can forge another label set's key;
 * the catalog's keys come sorted already (the sort is skipped), and string
 * values are taken as they are: this runs once per point per member at
 * every collection.
 */
export function attributesKey(attributes: Attributes): string {
  const keys = Object.keys(attributes);
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1]! > keys[i]!) {
      keys.sort();
      break;
    }
  }
  let key = '';
  for (const name of keys) {
    const value = attributes[name];
    const text = typeof value === 'string' ? value : `\u0000${JSON.stringify(value)}`;
    key += `${name.length}:${name}${text.length}:${text}`;
  }
  return key;
}

/** Whether an exited worker's last points of this metric still count. */
export function keptAfterExit(metric: MetricData): boolean {
  return (
    metric.dataPointType === DataPointType.HISTOGRAM ||
    metric.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM ||
    (metric.dataPointType === DataPointType.SUM && metric.isMonotonic)
  );
}

/**
 * A metric's identity within its scope: its name, and for an exponential
 * histogram its kind too, since a histogram read as `both` is an explicit
 * and an exponential metric of one name.
 */
export function metricKey(metric: MetricData): string {
  return metric.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM ? `${metric.descriptor.name}\u0000exponential` : metric.descriptor.name;
}

/**
 * Adds the sources' points into one cumulative set (see the module comment
 * for the rules). `startTime` of a merged sum or histogram is the earliest
 * of its contributors', `endTime` the given one.
 */
export function mergeScopeMetrics(sources: readonly MergeSource[], endTime: HrTime): ScopeMetrics[] {
  const scopes = new Map<string, { scope: ScopeMetrics['scope']; metrics: Map<string, Slot> }>();
  for (const source of sources) {
    for (const { scope, metrics } of source.scopeMetrics) {
      const scopeKey = `${scope.name}\u0000${scope.version ?? ''}`;
      let entry = scopes.get(scopeKey);
      if (entry === undefined) scopes.set(scopeKey, (entry = { scope, metrics: new Map() }));
      for (const metric of metrics) {
        if (!source.alive && !keptAfterExit(metric)) continue;
        const key = metricKey(metric);
        let slot = entry.metrics.get(key);
        if (slot === undefined) entry.metrics.set(key, (slot = { metric, points: new Map() }));
        else if (slot.metric.dataPointType !== metric.dataPointType || isMonotonic(slot.metric) !== isMonotonic(metric)) {
          tellOnce(`kind:${metric.descriptor.name}`, `workers report ${metric.descriptor.name} as different kinds of point; serving the first worker's`);
          continue;
        }
        for (const point of metric.dataPoints as Point[]) {
          const pointKey = attributesKey(point.attributes);
          const previous = slot.points.get(pointKey);
          slot.points.set(pointKey, previous === undefined ? { ...point, endTime } : combine(slot.metric, previous, point, endTime));
        }
      }
    }
  }
  const out: ScopeMetrics[] = [];
  for (const { scope, metrics } of scopes.values()) {
    const merged: MetricData[] = [];
    for (const { metric, points } of metrics.values()) {
      if (points.size === 0) continue;
      merged.push({ ...metric, aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPoints: [...points.values()] } as MetricData);
    }
    if (merged.length > 0) out.push({ scope, metrics: merged });
  }
  return out;
}

function isMonotonic(metric: MetricData): boolean {
  return metric.dataPointType === DataPointType.SUM && metric.isMonotonic;
}

function earlier(a: HrTime, b: HrTime): HrTime {
  return a[0] < b[0] || (a[0] === b[0] && a[1] <= b[1]) ? a : b;
}

function combine(metric: MetricData, a: Point, b: Point, endTime: HrTime): Point {
  const startTime = earlier(a.startTime, b.startTime);
  let value: PointValue;
  let exemplars: readonly CollectedExemplar[] | undefined;
  if (typeof a.value === 'number' && typeof b.value === 'number') {
    value = metric.dataPointType === DataPointType.GAUGE ? Math.max(a.value, b.value) : a.value + b.value;
    exemplars = latestPerBucket(a.exemplars, b.exemplars, () => 0);
  } else if (metric.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM) {
    const merged = mergeExponential(a.value as Exponential, b.value as Exponential);
    value = merged;
    exemplars = latestPerBucket(a.exemplars, b.exemplars, (v) => exponentialBucket(merged, v));
  } else if (typeof a.value === 'object' && typeof b.value === 'object' && 'buckets' in a.value && 'buckets' in b.value) {
    const x = a.value;
    const y = b.value;
    const bx = x.buckets.boundaries;
    const by = y.buckets.boundaries;
    if (bx.length !== by.length || bx.some((bound, i) => bound !== by[i])) {
      tellOnce(`bounds:${metric.descriptor.name}`, `workers report ${metric.descriptor.name} with different bucket boundaries; serving the first worker's`);
      return a;
    }
    const histogram: Histogram = {
      buckets: { boundaries: bx, counts: x.buckets.counts.map((count, i) => count + (y.buckets.counts[i] ?? 0)) },
      sum: (x.sum ?? 0) + (y.sum ?? 0),
      count: x.count + y.count,
    };
    addMinMax(histogram, x, y);
    value = histogram;
    exemplars = latestPerBucket(a.exemplars, b.exemplars, (v) => explicitBucket(bx, v));
  } else {
    return a;
  }
  const point: Point = { startTime, endTime, attributes: a.attributes, value };
  return exemplars === undefined ? point : { ...point, exemplars };
}

function addMinMax(into: { min?: number; max?: number }, x: { min?: number; max?: number }, y: { min?: number; max?: number }): void {
  if (x.min !== undefined || y.min !== undefined) into.min = Math.min(x.min ?? Infinity, y.min ?? Infinity);
  if (x.max !== undefined || y.max !== undefined) into.max = Math.max(x.max ?? -Infinity, y.max ?? -Infinity);
}

/** Whether `a` is later than `b`. */
function later(a: HrTime, b: HrTime): boolean {
  return a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]);
}

/**
 * Of two points' exemplars, the latest per bucket (`bucketOf` an exemplar's
 * value), in bucket order; undefined when neither has any. A tie goes to
 * `b`'s, the newer source.
 */
function latestPerBucket(
  a: readonly CollectedExemplar[] | undefined,
  b: readonly CollectedExemplar[] | undefined,
  bucketOf: (value: number) => number | string,
): readonly CollectedExemplar[] | undefined {
  if ((a === undefined || a.length === 0) && (b === undefined || b.length === 0)) return undefined;
  const chosen = new Map<number | string, CollectedExemplar>();
  for (const list of [a, b]) {
    if (list === undefined) continue;
    for (const exemplar of list) {
      const bucket = bucketOf(exemplar.value);
      const previous = chosen.get(bucket);
      if (previous === undefined || !later(previous.timestamp as HrTime, exemplar.timestamp as HrTime)) chosen.set(bucket, exemplar);
    }
  }
  // Buckets are disjoint ranges of values, so value order is bucket order.
  return [...chosen.values()].sort((p, q) => p.value - q.value);
}

/** The explicit bucket of `value`: the first boundary at or above it (upper bounds inclusive), else the +Inf bucket. */
function explicitBucket(boundaries: readonly number[], value: number): number {
  let low = 0;
  let high = boundaries.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (value > boundaries[mid]!) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The exponential bucket of `value` at the histogram's scale: `z` (zero), `p<index>` or `n<index>`. */
function exponentialBucket(histogram: Exponential, value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude <= (histogram.zeroThreshold ?? 0) || !Number.isFinite(magnitude)) return 'z';
  return `${value > 0 ? 'p' : 'n'}${mapToIndex(magnitude, histogram.scale)}`;
}

/** First and last bucket index holding a count (leading and trailing empty buckets say nothing). */
interface Span {
  readonly low: number;
  readonly high: number;
  /** Position of `low` and `high` in bucketCounts. */
  readonly first: number;
  readonly last: number;
}

function spanOf(buckets: Buckets): Span | undefined {
  const counts = buckets.bucketCounts;
  let first = 0;
  while (first < counts.length && counts[first] === 0) first++;
  if (first === counts.length) return undefined;
  let last = counts.length - 1;
  while (counts[last] === 0) last--;
  return { low: buckets.offset + first, high: buckets.offset + last, first, last };
}

/** Lowest and highest bucket index of one sign of both sides at `scale` (arithmetic shifts, rounding down as the SDK does); undefined when neither has any. */
function rangeAt(x: Span | undefined, xScale: number, y: Span | undefined, yScale: number, scale: number): { low: number; high: number } | undefined {
  if (x === undefined) return y === undefined ? undefined : { low: y.low >> (yScale - scale), high: y.high >> (yScale - scale) };
  const low = x.low >> (xScale - scale);
  const high = x.high >> (xScale - scale);
  if (y === undefined) return { low, high };
  return { low: Math.min(low, y.low >> (yScale - scale)), high: Math.max(high, y.high >> (yScale - scale)) };
}

/** The halvings one sign's buckets of both sides need at `scale` to fit in `maxSize` together. */
function changeFor(x: Span | undefined, xScale: number, y: Span | undefined, yScale: number, scale: number, maxSize: number): number {
  const range = rangeAt(x, xScale, y, yScale, scale);
  return range === undefined ? 0 : changeScale(range.high, range.low, maxSize);
}

/** Adds `times` each of `buckets`' counts (from span.first to span.last) into `counts` at `scale`, `counts[0]` being index `low`. */
function addInto(counts: number[], low: number, buckets: Buckets, span: Span, from: number, scale: number, times: 1 | -1): void {
  const shift = from - scale;
  const source = buckets.bucketCounts;
  const offset = buckets.offset;
  if (shift === 0) {
    const at = offset - low;
    for (let i = span.first; i <= span.last; i++) counts[at + i]! += times * source[i]!;
  } else {
    for (let i = span.first; i <= span.last; i++) counts[((offset + i) >> shift) - low]! += times * source[i]!;
  }
}

/** Both sides' buckets of one sign at `scale`, `y`'s multiplied by `factor` (1 adds, -1 subtracts). */
function bucketsAt(x: Buckets, xs: Span | undefined, xScale: number, y: Buckets, ys: Span | undefined, yScale: number, scale: number, factor: 1 | -1): Buckets {
  const range = rangeAt(xs, xScale, ys, yScale, scale);
  if (range === undefined) return { offset: 0, bucketCounts: [] };
  const counts = new Array<number>(range.high - range.low + 1).fill(0);
  if (xs !== undefined) addInto(counts, range.low, x, xs, xScale, scale, 1);
  if (ys !== undefined) addInto(counts, range.low, y, ys, yScale, scale, factor);
  return { offset: range.low, bucketCounts: counts };
}

/** The common scale of two exponential histograms and their buckets there. */
function common(x: Exponential, y: Exponential, factor: 1 | -1): { scale: number; positive: Buckets; negative: Buckets } {
  // Never fewer buckets than either side already has (a reader with a larger maxSize), else the SDK's default.
  const maxSize = Math.max(EXPONENTIAL_DEFAULT_MAX_SIZE, x.positive.bucketCounts.length, x.negative.bucketCounts.length, y.positive.bucketCounts.length, y.negative.bucketCounts.length);
  const xp = spanOf(x.positive);
  const xn = spanOf(x.negative);
  const yp = spanOf(y.positive);
  const yn = spanOf(y.negative);
  const xHas = xp !== undefined || xn !== undefined;
  const yHas = yp !== undefined || yn !== undefined;
  // A side without buckets (zeros only) reports scale 0 (as the SDK) but holds nothing at any scale.
  let scale = xHas && yHas ? Math.min(x.scale, y.scale) : xHas ? x.scale : yHas ? y.scale : Math.min(x.scale, y.scale);
  scale -= Math.max(changeFor(xp, x.scale, yp, y.scale, scale, maxSize), changeFor(xn, x.scale, yn, y.scale, scale, maxSize));
  return {
    scale,
    positive: bucketsAt(x.positive, xp, x.scale, y.positive, yp, y.scale, scale, factor),
    negative: bucketsAt(x.negative, xn, x.scale, y.negative, yn, y.scale, scale, factor),
  };
}

/**
 * Two exponential histograms added (see the module comment): the result
 * has what one histogram recording both sides' values would have, bucket
 * for bucket (the property test records the union into the SDK's own
 * aggregator). A new object; the inputs are left as they are.
 */
export function mergeExponential(x: Exponential, y: Exponential): Exponential {
  const { scale, positive, negative } = common(x, y, 1);
  const value: { -readonly [K in keyof Exponential]: Exponential[K] } = { count: x.count + y.count, scale, zeroCount: x.zeroCount + y.zeroCount, positive, negative };
  if (x.sum !== undefined || y.sum !== undefined) value.sum = (x.sum ?? 0) + (y.sum ?? 0);
  addMinMax(value, x, y);
  // Every source here (the catalog, the SDK) counts exact zeros only: threshold 0.
  if (x.zeroThreshold !== undefined || y.zeroThreshold !== undefined) value.zeroThreshold = Math.max(x.zeroThreshold ?? 0, y.zeroThreshold ?? 0);
  return value;
}

/**
 * The change from `previous` to `current`, two cumulative exponential
 * histograms of one series (sdk-metrics ExponentialHistogramAccumulation.diff):
 * at their common scale, bucket by bucket, empty edge buckets trimmed;
 * min and max left out (an interval's cannot be told from two cumulative
 * histograms). Undefined when `previous` is not contained in `current`
 * (a bucket or the zero count went down: a reset).
 */
export function exponentialDifference(current: Exponential, previous: Exponential): Exponential | undefined {
  const zeroCount = current.zeroCount - previous.zeroCount;
  if (zeroCount < 0 || current.count < previous.count) return undefined;
  const { scale, positive, negative } = common(current, previous, -1);
  if (positive.bucketCounts.some((n) => n < 0) || negative.bucketCounts.some((n) => n < 0)) return undefined;
  const value: { -readonly [K in keyof Exponential]: Exponential[K] } = {
    count: current.count - previous.count,
    scale,
    zeroCount,
    positive: trimmed(positive),
    negative: trimmed(negative),
  };
  if (current.sum !== undefined) value.sum = current.sum - (previous.sum ?? 0);
  if (current.zeroThreshold !== undefined) value.zeroThreshold = current.zeroThreshold;
  return value;
}

function trimmed(buckets: Buckets): Buckets {
  const span = spanOf(buckets);
  if (span === undefined) return { offset: 0, bucketCounts: [] };
  return { offset: span.low, bucketCounts: buckets.bucketCounts.slice(span.first, span.last + 1) };
}
