/**
 * The points a worker sends the primary: its cumulative ScopeMetrics in a
 * plain JSON shape. The cluster IPC channel serializes with JSON by default
 * (https://nodejs.org/api/child_process.html#advanced-serialization), which
 * would turn a histogram's `Infinity` min or a `NaN` gauge into `null`, so
 * numbers that JSON cannot carry travel as strings and are read back here.
 */
import type { Attributes, HrTime } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType, type MetricData, type ScopeMetrics } from '@opentelemetry/sdk-metrics';
import type { InstrumentationScope } from '@opentelemetry/core';

type WireNumber = number | string;

/** One point: start, end, attributes, value. */
type WirePoint = [HrTime, HrTime, Attributes, WireNumber | WireHistogram];

interface WireHistogram {
  /** Boundaries. */
  b: number[];
  /** Bucket counts. */
  c: number[];
  /** Sum, count, min, max. */
  s: WireNumber;
  n: number;
  lo?: WireNumber;
  hi?: WireNumber;
}

interface WireMetric {
  name: string;
  description: string;
  unit: string;
  valueType: number;
  /** SUM, GAUGE or HISTOGRAM (exponential histograms are not sent: see merge.ts). */
  type: DataPointType.SUM | DataPointType.GAUGE | DataPointType.HISTOGRAM;
  monotonic: boolean;
  points: WirePoint[];
}

/** A worker's answer body. */
export interface WirePayload {
  scopes: { scope: InstrumentationScope; metrics: WireMetric[] }[];
}

function num(value: number): WireNumber {
  return Number.isFinite(value) ? value : String(value);
}

function readNum(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

/** Cumulative ScopeMetrics as a JSON-safe payload. */
export function encode(scopeMetrics: readonly ScopeMetrics[]): WirePayload {
  const scopes: WirePayload['scopes'] = [];
  for (const { scope, metrics } of scopeMetrics) {
    const out: WireMetric[] = [];
    for (const metric of metrics) {
      if (metric.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM) continue;
      const { descriptor } = metric;
      const points: WirePoint[] = [];
      for (const point of metric.dataPoints) {
        const value = point.value;
        if (typeof value === 'number') {
          points.push([point.startTime, point.endTime, point.attributes, num(value)]);
        } else if ('buckets' in value && 'boundaries' in value.buckets) {
          const histogram: WireHistogram = { b: value.buckets.boundaries, c: value.buckets.counts, s: num(value.sum ?? 0), n: value.count };
          if (value.min !== undefined) histogram.lo = num(value.min);
          if (value.max !== undefined) histogram.hi = num(value.max);
          points.push([point.startTime, point.endTime, point.attributes, histogram]);
        }
      }
      out.push({
        name: descriptor.name,
        description: descriptor.description,
        unit: descriptor.unit,
        valueType: descriptor.valueType,
        type: metric.dataPointType,
        monotonic: metric.dataPointType === DataPointType.SUM ? metric.isMonotonic : false,
        points,
      });
    }
    scopes.push({ scope: { name: scope.name, ...(scope.version === undefined ? {} : { version: scope.version }), ...(scope.schemaUrl === undefined ? {} : { schemaUrl: scope.schemaUrl }) }, metrics: out });
  }
  return { scopes };
}

/** A payload back as cumulative ScopeMetrics; throws a TypeError on a shape it does not know. */
export function decode(payload: unknown): ScopeMetrics[] {
  const scopes = (payload as WirePayload | undefined)?.scopes;
  if (!Array.isArray(scopes)) throw new TypeError('cluster payload without scopes');
  return scopes.map(({ scope, metrics }) => ({
    scope,
    metrics: metrics.map((metric): MetricData => {
      const descriptor = { name: metric.name, description: metric.description, unit: metric.unit, valueType: metric.valueType };
      const base = { descriptor, aggregationTemporality: AggregationTemporality.CUMULATIVE };
      const points = metric.points.map(([startTime, endTime, attributes, value]) => ({
        startTime,
        endTime,
        attributes,
        value:
          typeof value === 'object'
            ? {
                buckets: { boundaries: value.b, counts: value.c },
                sum: readNum(value.s),
                count: value.n,
                ...(value.lo === undefined ? {} : { min: readNum(value.lo) }),
                ...(value.hi === undefined ? {} : { max: readNum(value.hi) }),
              }
            : readNum(value),
      }));
      switch (metric.type) {
        case DataPointType.SUM:
          return { ...base, dataPointType: DataPointType.SUM, isMonotonic: metric.monotonic, dataPoints: points as never[] };
        case DataPointType.GAUGE:
          return { ...base, dataPointType: DataPointType.GAUGE, dataPoints: points as never[] };
        case DataPointType.HISTOGRAM:
          return { ...base, dataPointType: DataPointType.HISTOGRAM, dataPoints: points as never[] };
        default:
          throw new TypeError(`cluster payload with an unknown point type ${String(metric.type)}`);
      }
    }),
  }));
}
