/**
 * How the primary adds its workers' cumulative points into one set, per
 * point kind (same scope, same metric name, identical label set):
 *
 * - monotonic sums (counters): summed; a worker that exited keeps adding its
 *   last reported value, so the cluster's counter never goes down and
 *   Prometheus sees no reset (https://prometheus.io/docs/prometheus/latest/querying/functions/#resets);
 * - histograms: bucket counts, sum and count summed; min the smallest, max
 *   the largest; an exited worker's last histogram keeps adding too;
 * - non-monotonic sums (up-down counters: calls in flight): summed over the
 *   workers alive; an exited worker's calls ended with it, so it adds nothing;
 * - gauges (`ml_active_model_version`, `ml_model_info`, `inferometer_series`,
 *   process gauges): the largest value over the workers alive: the newest
 *   active version, 1 for a model any worker serves, the busiest worker's
 *   series count, memory or event-loop lag.
 *
 * Points whose kinds or histogram boundaries disagree between workers (two
 * versions of the service at once) cannot be added: the first source's
 * point stays and the disagreement goes to `diag` once per metric.
 */
import { diag, type Attributes, type HrTime } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType, type DataPoint, type Histogram, type MetricData, type ScopeMetrics } from '@opentelemetry/sdk-metrics';

/** One contributor to a merge: a worker alive, or the kept points of exited ones. */
export interface MergeSource {
  readonly scopeMetrics: readonly ScopeMetrics[];
  /** False for exited workers: only their counters and histograms count. */
  readonly alive: boolean;
}

interface Slot {
  metric: MetricData;
  points: Map<string, DataPoint<number | Histogram>>;
}

const told = new Set<string>();
function tellOnce(key: string, message: string): void {
  if (told.has(key)) return;
  told.add(key);
  diag.warn(`@inferometer/node cluster: ${message}`);
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
  return metric.dataPointType === DataPointType.HISTOGRAM || (metric.dataPointType === DataPointType.SUM && metric.isMonotonic);
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
        if (metric.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM) continue;
        if (!source.alive && !keptAfterExit(metric)) continue;
        let slot = entry.metrics.get(metric.descriptor.name);
        if (slot === undefined) entry.metrics.set(metric.descriptor.name, (slot = { metric, points: new Map() }));
        else if (slot.metric.dataPointType !== metric.dataPointType || isMonotonic(slot.metric) !== isMonotonic(metric)) {
          tellOnce(`kind:${metric.descriptor.name}`, `workers report ${metric.descriptor.name} as different kinds of point; serving the first worker's`);
          continue;
        }
        for (const point of metric.dataPoints as DataPoint<number | Histogram>[]) {
          const key = attributesKey(point.attributes);
          const previous = slot.points.get(key);
          slot.points.set(key, previous === undefined ? { ...point, endTime } : combine(slot.metric, previous, point, endTime));
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

function combine(metric: MetricData, a: DataPoint<number | Histogram>, b: DataPoint<number | Histogram>, endTime: HrTime): DataPoint<number | Histogram> {
  const startTime = earlier(a.startTime, b.startTime);
  if (typeof a.value === 'number' && typeof b.value === 'number') {
    const value = metric.dataPointType === DataPointType.GAUGE ? Math.max(a.value, b.value) : a.value + b.value;
    return { startTime, endTime, attributes: a.attributes, value };
  }
  if (typeof a.value === 'object' && typeof b.value === 'object') {
    const x = a.value;
    const y = b.value;
    const bx = x.buckets.boundaries;
    const by = y.buckets.boundaries;
    if (bx.length !== by.length || bx.some((bound, i) => bound !== by[i])) {
      tellOnce(`bounds:${metric.descriptor.name}`, `workers report ${metric.descriptor.name} with different bucket boundaries; serving the first worker's`);
      return a;
    }
    const value: Histogram = {
      buckets: { boundaries: bx, counts: x.buckets.counts.map((count, i) => count + (y.buckets.counts[i] ?? 0)) },
      sum: (x.sum ?? 0) + (y.sum ?? 0),
      count: x.count + y.count,
    };
    if (x.min !== undefined || y.min !== undefined) value.min = Math.min(x.min ?? Infinity, y.min ?? Infinity);
    if (x.max !== undefined || y.max !== undefined) value.max = Math.max(x.max ?? -Infinity, y.max ?? -Infinity);
    return { startTime, endTime, attributes: a.attributes, value };
  }
  return a;
}
