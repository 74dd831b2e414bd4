/**
 * The points a worker sends the primary: its cumulative ScopeMetrics in a
 * plain JSON shape, every point kind (sums, gauges, explicit and
 * exponential histograms) and the catalog's exemplars. The cluster IPC
 * channel serializes with JSON by default
 * (https://nodejs.org/api/child_process.html#advanced-serialization), which
 * would turn a histogram's `Infinity` min or a `NaN` gauge into `null` (and
 * `-0` into `0`), so
 * numbers that JSON cannot carry travel as strings and are read back here.
 * Exponential histograms and exemplars came after the first release of the
 * format and only add to it: a payload without them reads as before.
 */
import type { Attributes, HrTime } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType, type ExponentialHistogram, type MetricData, type ScopeMetrics } from '@opentelemetry/sdk-metrics';
import type { InstrumentationScope } from '@opentelemetry/core';
import { EXPONENTIAL_MAX_SCALE, EXPONENTIAL_MIN_SCALE, type CollectedExemplar } from '@inferometer/core/internal';
import type { Point } from './merge.js';

type WireNumber = number | string;

/** One point: start, end, attributes, value, and its exemplars when it has some. */
type WirePoint = [HrTime, HrTime, Attributes, WireNumber | WireHistogram | WireExponential] | [HrTime, HrTime, Attributes, WireNumber | WireHistogram | WireExponential, WireExemplar[]];

/** An exemplar: filtered attributes, value, timestamp, trace id, span id. */
type WireExemplar = [Attributes, WireNumber, HrTime, string, string];

interface WireExponential {
  /** Scale (its presence tells an exponential histogram from an explicit one). */
  e: number;
  /** Zero count, and the zero threshold when the point has one. */
  z: number;
  zt?: WireNumber;
  /** Positive and negative buckets: offset, then counts. */
  p: [number, number[]];
  q: [number, number[]];
  /** Sum (absent when the point has none), count, min, max. */
  s?: WireNumber;
  n: number;
  lo?: WireNumber;
  hi?: WireNumber;
}

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
  type: DataPointType;
  monotonic: boolean;
  points: WirePoint[];
}

/** A worker's answer body. */
export interface WirePayload {
  scopes: { scope: InstrumentationScope; metrics: WireMetric[] }[];
}

function num(value: number): WireNumber {
  // JSON writes -0 as 0 (a histogram's min of -0 recorded), so it travels as a string too.
  if (Object.is(value, -0)) return '-0';
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
      const { descriptor } = metric;
      const points: WirePoint[] = [];
      for (const point of metric.dataPoints as Point[]) {
        const value = point.value;
        let wire: WireNumber | WireHistogram | WireExponential;
        if (typeof value === 'number') {
          wire = num(value);
        } else if ('buckets' in value) {
          const histogram: WireHistogram = { b: value.buckets.boundaries, c: value.buckets.counts, s: num(value.sum ?? 0), n: value.count };
          if (value.min !== undefined) histogram.lo = num(value.min);
          if (value.max !== undefined) histogram.hi = num(value.max);
          wire = histogram;
        } else {
          wire = encodeExponential(value);
        }
        const exemplars = point.exemplars;
        if (exemplars === undefined || exemplars.length === 0) points.push([point.startTime, point.endTime, point.attributes, wire]);
        else points.push([point.startTime, point.endTime, point.attributes, wire, exemplars.map((x) => [x.filteredAttributes, num(x.value), x.timestamp as HrTime, x.traceId, x.spanId])]);
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
      const points = metric.points.map(([startTime, endTime, attributes, value, exemplars]): Point => {
        const point: Point = {
          startTime,
          endTime,
          attributes,
          value:
            typeof value !== 'object'
              ? readNum(value)
              : 'e' in value
                ? decodeExponential(value)
                : {
                    buckets: { boundaries: value.b, counts: value.c },
                    sum: readNum(value.s),
                    count: value.n,
                    ...(value.lo === undefined ? {} : { min: readNum(value.lo) }),
                    ...(value.hi === undefined ? {} : { max: readNum(value.hi) }),
                  },
        };
        if (exemplars === undefined) return point;
        if (!Array.isArray(exemplars)) throw new TypeError('cluster payload with exemplars that are not a list');
        return {
          ...point,
          exemplars: exemplars.map(([filteredAttributes, exemplarValue, timestamp, traceId, spanId]): CollectedExemplar => ({ filteredAttributes, value: readNum(exemplarValue), timestamp, traceId, spanId })),
        };
      });
      switch (metric.type) {
        case DataPointType.SUM:
          return { ...base, dataPointType: DataPointType.SUM, isMonotonic: metric.monotonic, dataPoints: points as never[] };
        case DataPointType.GAUGE:
          return { ...base, dataPointType: DataPointType.GAUGE, dataPoints: points as never[] };
        case DataPointType.HISTOGRAM:
          return { ...base, dataPointType: DataPointType.HISTOGRAM, dataPoints: points as never[] };
        case DataPointType.EXPONENTIAL_HISTOGRAM:
          return { ...base, dataPointType: DataPointType.EXPONENTIAL_HISTOGRAM, dataPoints: points as never[] };
        default:
          throw new TypeError(`cluster payload with an unknown point type ${String(metric.type)}`);
      }
    }),
  }));
}

function encodeExponential(value: ExponentialHistogram & { zeroThreshold?: number }): WireExponential {
  const wire: WireExponential = {
    e: value.scale,
    z: value.zeroCount,
    p: [value.positive.offset, value.positive.bucketCounts],
    q: [value.negative.offset, value.negative.bucketCounts],
    n: value.count,
  };
  if (value.zeroThreshold !== undefined) wire.zt = num(value.zeroThreshold);
  if (value.sum !== undefined) wire.s = num(value.sum);
  if (value.min !== undefined) wire.lo = num(value.min);
  if (value.max !== undefined) wire.hi = num(value.max);
  return wire;
}

/**
 * An exponential histogram back, its scale and offsets checked: the merge
 * shifts bucket indexes by scale differences and sizes arrays by offsets,
 * so a value out of range is a payload it cannot read.
 */
function decodeExponential(wire: WireExponential): ExponentialHistogram & { zeroThreshold?: number } {
  const { e: scale } = wire;
  if (!Number.isInteger(scale) || scale < EXPONENTIAL_MIN_SCALE || scale > EXPONENTIAL_MAX_SCALE) {
    throw new TypeError(`cluster payload with an exponential histogram of scale ${String(scale)} (accepted: integers from ${EXPONENTIAL_MIN_SCALE} to ${EXPONENTIAL_MAX_SCALE})`);
  }
  const buckets = ([offset, counts]: [number, number[]]): ExponentialHistogram['positive'] => {
    // Bucket indexes fit in 32 bits at every scale (sdk-metrics' mappings): the merge shifts them with >>.
    if (!Number.isInteger(offset) || Math.abs(offset) > 2 ** 31 || !Array.isArray(counts)) throw new TypeError('cluster payload with exponential buckets that cannot be read');
    return { offset, bucketCounts: counts };
  };
  return {
    scale,
    zeroCount: wire.z,
    positive: buckets(wire.p),
    negative: buckets(wire.q),
    count: wire.n,
    ...(wire.zt === undefined ? {} : { zeroThreshold: readNum(wire.zt) }),
    ...(wire.s === undefined ? {} : { sum: readNum(wire.s) }),
    ...(wire.lo === undefined ? {} : { min: readNum(wire.lo) }),
    ...(wire.hi === undefined ? {} : { max: readNum(wire.hi) }),
  };
}
