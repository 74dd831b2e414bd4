import type { Attributes } from '@opentelemetry/api';
import { ATTR_METRIC, METRIC_PREDICTIONS } from '../../catalog.js';
import type { GuardRegistry } from '../../guard/registry.js';
import type { DeltaTracker } from './delta.js';
import type { ExponentialHistogram } from './exponential.js';
import type { CollectedExemplar } from './exemplars.js';
import type { NativeHistogram } from './histogram.js';
import type { SeriesRecorder } from './recorder.js';
import type { HrTimeLike } from './series.js';

/** A histogram point's value; the same shape as the OpenTelemetry SDK's. */
export interface CollectedHistogram {
  readonly buckets: { readonly boundaries: number[]; readonly counts: number[] };
  readonly sum: number;
  readonly count: number;
  readonly min?: number;
  readonly max?: number;
}

/**
 * An exponential histogram point's value; the shape of the OpenTelemetry
 * SDK's ExponentialHistogram points (bucket `offset + i` counts values in
 * (2^(2^-scale))^(offset+i), ^(offset+i+1)]), plus the zero threshold
 * (0: only exact zeros are in `zeroCount`, as the SDK).
 */
export interface CollectedExponentialHistogram {
  readonly scale: number;
  readonly zeroCount: number;
  readonly zeroThreshold: number;
  readonly positive: { readonly offset: number; readonly bucketCounts: number[] };
  readonly negative: { readonly offset: number; readonly bucketCounts: number[] };
  readonly sum: number;
  readonly count: number;
  readonly min?: number;
  readonly max?: number;
}

/** One data point; the same shape as the OpenTelemetry SDK's data points. */
export interface CollectedPoint {
  readonly startTime: HrTimeLike;
  readonly endTime: HrTimeLike;
  readonly attributes: Attributes;
  readonly value: number | CollectedHistogram | CollectedExponentialHistogram;
  /** Cumulative latency and error points of series that ran in sampled spans: their latest exemplars (see CollectedExemplar). */
  readonly exemplars?: readonly CollectedExemplar[];
}

/*
 * Builders, one per point kind, after sdk-metrics: storage records in place
 * (SyncMetricStorage), and temporality belongs to a per-reader processor
 * (TemporalMetricProcessor with Aggregator.diff), here DeltaTracker. Both
 * paths use the gauge and guard builders: the fast path's collector to
 * export them, the API path's recorder in its observable callbacks.
 */

/**
 * A counter point from a cumulative total: with a tracker, the change since
 * that reader's previous collection, pushed only when something happened;
 * without, the total once non-zero.
 */
export function pushSum(points: CollectedPoint[], start: HrTimeLike, end: HrTimeLike, attributes: Attributes, total: number, tracker: DeltaTracker | undefined): void {
  const value = tracker === undefined ? total : tracker.sum(attributes, total);
  if (value > 0) points.push({ startTime: start, endTime: end, attributes, value });
}

/** A histogram point: cumulative, or (with a tracker) the interval's buckets, sum and count. */
export function pushHistogram(points: CollectedPoint[], start: HrTimeLike, end: HrTimeLike, attributes: Attributes, histogram: NativeHistogram, tracker: DeltaTracker | undefined): void {
  if (histogram.count === 0) return;
  const value = tracker === undefined ? cumulativeHistogram(histogram) : tracker.histogram(histogram);
  if (value !== undefined) points.push({ startTime: start, endTime: end, attributes, value });
}

/** An exponential histogram point: cumulative, or (with a tracker) the interval's buckets at the current scale. */
export function pushExponential(points: CollectedPoint[], start: HrTimeLike, end: HrTimeLike, attributes: Attributes, histogram: ExponentialHistogram, tracker: DeltaTracker | undefined): void {
  if (histogram.count === 0) return;
  const value = tracker === undefined ? cumulativeExponential(histogram) : tracker.exponential(histogram);
  if (value !== undefined) points.push({ startTime: start, endTime: end, attributes, value });
}

/** @internal */
export function cumulativeExponential(h: ExponentialHistogram): CollectedExponentialHistogram {
  return {
    scale: h.pointScale,
    zeroCount: h.zeroCount,
    zeroThreshold: 0,
    positive: { offset: h.posStart, bucketCounts: h.positiveCounts() },
    negative: { offset: h.negStart, bucketCounts: h.negativeCounts() },
    sum: h.sum,
    count: h.count,
    min: h.min,
    max: h.max,
  };
}

function cumulativeHistogram(histogram: NativeHistogram): CollectedHistogram {
  const n = histogram.buckets;
  const counts = new Array<number>(n);
  for (let i = 0; i < n; i++) counts[i] = histogram.bucket(i);
  return { buckets: { boundaries: boundariesArray(histogram.boundaries), counts }, sum: histogram.sum, count: histogram.count, min: histogram.min, max: histogram.max };
}

const boundaryArrays = new WeakMap<Float64Array, number[]>();
/** Boundaries as the plain array points carry, one per boundary configuration. @internal */
export function boundariesArray(boundaries: Float64Array): number[] {
  let array = boundaryArrays.get(boundaries);
  if (array === undefined) boundaryArrays.set(boundaries, (array = Array.from(boundaries)));
  return array;
}

/** `ml_model_info`: 1 per (model, version) that has served and is not released. */
export function modelInfoPoints(recorder: SeriesRecorder, end: HrTimeLike): CollectedPoint[] {
  const points: CollectedPoint[] = [];
  for (const model of recorder.models.values()) {
    for (const version of model.versions.values()) points.push({ startTime: end, endTime: end, attributes: version.info, value: 1 });
  }
  return points;
}

/** `ml_active_model_version`: the numeric version of each model's latest call, when it has one. */
export function activeVersionPoints(recorder: SeriesRecorder, end: HrTimeLike): CollectedPoint[] {
  const points: CollectedPoint[] = [];
  for (const model of recorder.models.values()) {
    const number = model.active?.number;
    if (number !== undefined) points.push({ startTime: end, endTime: end, attributes: model.attributes, value: number });
  }
  return points;
}

/** `inferometer_attribute_rejections_total`. */
export function rejectionPoints(guard: GuardRegistry, start: HrTimeLike, end: HrTimeLike, tracker: DeltaTracker | undefined): CollectedPoint[] {
  const points: CollectedPoint[] = [];
  for (const entry of guard.rejectionCounts()) pushSum(points, start, end, entry.attributes, entry.count, tracker);
  return points;
}

const seriesAttributeCache = new Map<string, Attributes>();
/** `inferometer_series`: label sets per guarded metric. */
export function seriesCountPoints(guard: GuardRegistry, end: HrTimeLike): CollectedPoint[] {
  const points: CollectedPoint[] = [];
  for (const [metric, count] of guard.seriesPerMetric()) {
    let attributes = seriesAttributeCache.get(metric);
    if (attributes === undefined) seriesAttributeCache.set(metric, (attributes = { [ATTR_METRIC]: metric }));
    points.push({ startTime: end, endTime: end, attributes, value: count });
  }
  return points;
}

/** The per-prediction metrics' family name (the guard counts their label sets under it). @internal */
export const FAMILY = METRIC_PREDICTIONS.prometheusName;
