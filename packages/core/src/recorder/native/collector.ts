import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_STATUS,
  METRIC_ACTIVE_MODEL_VERSION,
  METRIC_DROPPED_OBSERVATIONS,
  METRIC_MODEL_INFO,
  METRIC_PREDICTION_BATCH_SIZE,
  METRIC_PREDICTION_CONFIDENCE,
  METRIC_PREDICTION_ERRORS,
  METRIC_PREDICTION_LATENCY,
  METRIC_PREDICTIONS,
  METRIC_PREDICTIONS_IN_FLIGHT,
  METRIC_STREAM_ITEMS,
  METRIC_TIME_TO_FIRST_ITEM,
  STATUS_ERROR,
  STATUS_SUCCESS,
  type MetricDefinition,
} from '../../catalog.js';
import { ATTR_METRIC, METRIC_ATTRIBUTE_REJECTIONS, METRIC_SERIES } from '../../catalog.js';
import { rejectionCounts, seriesPerMetric } from '../../guard/registry.js';
import type { NativeHistogram } from './histogram.js';
import type { NativeRecorder } from './recorder.js';
import type { HrTimeLike, NativeSeries } from './series.js';

/**
 * Aggregation temporality of a collector: `cumulative` (Prometheus, and the
 * OTLP default) or `delta` for counters and histograms (Datadog, New Relic);
 * up-down counters and gauges stay cumulative either way, as in the
 * OpenTelemetry SDK's delta preference.
 */
export type Temporality = 'cumulative' | 'delta';

/** A histogram point's value; the same shape as the OpenTelemetry SDK's. */
export interface CollectedHistogram {
  readonly buckets: { readonly boundaries: number[]; readonly counts: number[] };
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
  readonly value: number | CollectedHistogram;
}

/** One catalog metric's points at one collection. */
export interface CollectedMetric {
  readonly definition: MetricDefinition;
  /** Temporality of these points (gauges and up-down counters are always cumulative). */
  readonly temporality: Temporality;
  readonly points: CollectedPoint[];
}

/** What a collector keeps of the previous collection, for delta. */
interface Previous {
  successes: number;
  errors: number;
  errorTypes: Map<string, number>;
  histograms: Map<NativeHistogram, { counts: number[]; sum: number; count: number }>;
  endTime: HrTimeLike;
}

/** Attribute objects reused across collections (so serializers can cache label strings per object). */
const statusAttributes = new WeakMap<NativeSeries, { success: Attributes; error: Attributes; types: Map<string, Attributes> }>();
const boundaryArrays = new WeakMap<Float64Array, number[]>();

/**
 * Reads a {@link NativeRecorder}'s state into OpenTelemetry-shaped points.
 * Counts are copied, so a serializer that yields to the event loop midway
 * never sees a histogram whose buckets and count disagree.
 *
 * @internal
 */
export class NativeCollector {
  private readonly _previous = new WeakMap<NativeSeries, Previous>();
  private readonly _droppedPrevious = new Map<string, number>();
  private readonly _rejectionsPrevious = new WeakMap<object, number>();
  /** End of the previous collection: a delta point's start. */
  private _lastEnd: HrTimeLike | undefined;
  private _detached = false;

  constructor(
    private readonly _recorder: NativeRecorder,
    readonly temporality: Temporality,
  ) {
    _recorder.attach();
  }

  /** Stops reading; with no collector left, recording goes back to the OpenTelemetry API. */
  detach(): void {
    if (this._detached) return;
    this._detached = true;
    this._recorder.detach();
  }

  collect(endTime: HrTimeLike): CollectedMetric[] {
    const steps = this.collectInSteps(endTime, Number.POSITIVE_INFINITY);
    for (;;) {
      const step = steps.next();
      if (step.done === true) return step.value;
    }
  }

  /**
   * The same collection, pausing (yielding) after every `seriesPerStep`
   * series so the caller can give the event loop back between steps; the
   * generator's return value is the result. Every series is read whole in
   * one step, so its points always agree with each other.
   */
  *collectInSteps(endTime: HrTimeLike, seriesPerStep: number): Generator<void, CollectedMetric[], void> {
    const delta = this.temporality === 'delta';
    const t: Temporality = this.temporality;
    const predictions: CollectedPoint[] = [];
    const errors: CollectedPoint[] = [];
    const latency: CollectedPoint[] = [];
    const confidence: CollectedPoint[] = [];
    const batch: CollectedPoint[] = [];
    const firstItem: CollectedPoint[] = [];
    const streamItems: CollectedPoint[] = [];
    const inFlight: CollectedPoint[] = [];

    let inStep = 0;
    for (const series of this._recorder.series_) {
      if (++inStep >= seriesPerStep) {
        inStep = 0;
        yield;
      }
      if (series.successes === 0 && series.errors === 0 && series.inFlight === 0) continue;
      const attrs = attributesOf(series);
      let previous: Previous | undefined;
      let start = this._recorder.startTime;
      if (delta) {
        previous = this._previous.get(series);
        if (previous === undefined) {
          previous = { successes: 0, errors: 0, errorTypes: new Map(), histograms: new Map(), endTime: this._recorder.startTime };
          this._previous.set(series, previous);
        }
        start = previous.endTime;
      }
      pushCount(predictions, start, endTime, attrs.success, series.successes - (previous?.successes ?? 0));
      pushCount(predictions, start, endTime, attrs.error, series.errors - (previous?.errors ?? 0));
      const extras = series.extras;
      if (extras?.errorTypes !== undefined) for (const [type, count] of extras.errorTypes) {
        let typeAttrs = attrs.types.get(type);
        if (typeAttrs === undefined) {
          typeAttrs = { ...series.attributes, [ATTR_ERROR_TYPE]: type };
          attrs.types.set(type, typeAttrs);
        }
        pushCount(errors, start, endTime, typeAttrs, count - (previous?.errorTypes.get(type) ?? 0));
        if (previous) previous.errorTypes.set(type, count);
      }
      pushHistogram(latency, start, endTime, series.attributes, series.latency, previous);
      if (extras !== undefined) {
        if (extras.confidence) pushHistogram(confidence, start, endTime, series.attributes, extras.confidence, previous);
        if (extras.batchSize) pushHistogram(batch, start, endTime, series.attributes, extras.batchSize, previous);
        if (extras.timeToFirstItem) pushHistogram(firstItem, start, endTime, series.attributes, extras.timeToFirstItem, previous);
        if (extras.streamItems) pushHistogram(streamItems, start, endTime, series.attributes, extras.streamItems, previous);
      }
      inFlight.push({ startTime: this._recorder.startTime, endTime, attributes: series.attributes, value: series.inFlight });
      if (previous) {
        previous.successes = series.successes;
        previous.errors = series.errors;
        previous.endTime = endTime;
      }
    }

    const info: CollectedPoint[] = [];
    for (const attributes of this._recorder.versions.values()) info.push({ startTime: endTime, endTime, attributes, value: 1 });
    const active: CollectedPoint[] = [];
    for (const model of this._recorder.models.values()) {
      if (model.activeVersion !== undefined) active.push({ startTime: endTime, endTime, attributes: model.attributes, value: model.activeVersion });
    }
    // Delta points start where the previous collection ended.
    const intervalStart = delta ? (this._lastEnd ?? this._recorder.startTime) : undefined;
    const dropped: CollectedPoint[] = [];
    for (const [id, entry] of this._recorder.dropped_) {
      const before = delta ? (this._droppedPrevious.get(id) ?? 0) : 0;
      pushCount(dropped, intervalStart ?? entry.startTime, endTime, entry.attributes, entry.count - before);
      if (delta) this._droppedPrevious.set(id, entry.count);
    }

    // The cardinality guard's own metrics.
    const rejections: CollectedPoint[] = [];
    for (const entry of rejectionCounts()) {
      const before = delta ? (this._rejectionsPrevious.get(entry) ?? 0) : 0;
      pushCount(rejections, intervalStart ?? this._recorder.startTime, endTime, entry.attributes, entry.count - before);
      if (delta) this._rejectionsPrevious.set(entry, entry.count);
    }
    const seriesCounts: CollectedPoint[] = [];
    for (const [metric, count] of seriesPerMetric()) {
      seriesCounts.push({ startTime: endTime, endTime, attributes: seriesAttributes(metric), value: count });
    }

    this._lastEnd = endTime;
    const out: CollectedMetric[] = [];
    const add = (definition: MetricDefinition, points: CollectedPoint[], temporality: Temporality = t): void => {
      if (points.length > 0) out.push({ definition, temporality, points });
    };
    add(METRIC_PREDICTIONS, predictions);
    add(METRIC_PREDICTION_ERRORS, errors);
    add(METRIC_PREDICTION_LATENCY, latency);
    add(METRIC_PREDICTION_CONFIDENCE, confidence);
    add(METRIC_PREDICTION_BATCH_SIZE, batch);
    add(METRIC_PREDICTIONS_IN_FLIGHT, inFlight, 'cumulative');
    add(METRIC_TIME_TO_FIRST_ITEM, firstItem);
    add(METRIC_STREAM_ITEMS, streamItems);
    add(METRIC_MODEL_INFO, info, 'cumulative');
    add(METRIC_ACTIVE_MODEL_VERSION, active, 'cumulative');
    add(METRIC_DROPPED_OBSERVATIONS, dropped);
    add(METRIC_ATTRIBUTE_REJECTIONS, rejections);
    add(METRIC_SERIES, seriesCounts, 'cumulative');
    return out;
  }
}

const seriesAttributeCache = new Map<string, Attributes>();
function seriesAttributes(metric: string): Attributes {
  let attributes = seriesAttributeCache.get(metric);
  if (attributes === undefined) seriesAttributeCache.set(metric, (attributes = { [ATTR_METRIC]: metric }));
  return attributes;
}

function attributesOf(series: NativeSeries): { success: Attributes; error: Attributes; types: Map<string, Attributes> } {
  let attrs = statusAttributes.get(series);
  if (attrs === undefined) {
    attrs = {
      success: { ...series.attributes, [ATTR_STATUS]: STATUS_SUCCESS },
      error: { ...series.attributes, [ATTR_STATUS]: STATUS_ERROR },
      types: new Map(),
    };
    statusAttributes.set(series, attrs);
  }
  return attrs;
}

/** A counter point: cumulative points once non-zero; delta points only when something happened. */
function pushCount(points: CollectedPoint[], start: HrTimeLike, end: HrTimeLike, attributes: Attributes, value: number): void {
  if (value > 0) points.push({ startTime: start, endTime: end, attributes, value });
}

function pushHistogram(
  points: CollectedPoint[],
  start: HrTimeLike,
  end: HrTimeLike,
  attributes: Attributes,
  histogram: NativeHistogram,
  previous: Previous | undefined,
): void {
  if (histogram.count === 0) return;
  const n = histogram.buckets;
  const counts = new Array<number>(n);
  let value: CollectedHistogram;
  if (previous === undefined) {
    for (let i = 0; i < n; i++) counts[i] = histogram.bucket(i);
    value = { buckets: { boundaries: boundariesArray(histogram.boundaries), counts }, sum: histogram.sum, count: histogram.count, min: histogram.min, max: histogram.max };
  } else {
    let last = previous.histograms.get(histogram);
    if (last === undefined) {
      last = { counts: new Array<number>(n).fill(0), sum: 0, count: 0 };
      previous.histograms.set(histogram, last);
    }
    const count = histogram.count - last.count;
    if (count === 0) return;
    for (let i = 0; i < n; i++) counts[i] = histogram.bucket(i) - last.counts[i]!;
    // Min and max of an interval cannot be derived from cumulative state; they are left out.
    value = { buckets: { boundaries: boundariesArray(histogram.boundaries), counts }, sum: histogram.sum - last.sum, count };
    for (let i = 0; i < n; i++) last.counts[i] = histogram.bucket(i);
    last.sum = histogram.sum;
    last.count = histogram.count;
  }
  points.push({ startTime: start, endTime: end, attributes, value });
}

function boundariesArray(boundaries: Float64Array): number[] {
  let array = boundaryArrays.get(boundaries);
  if (array === undefined) {
    array = Array.from(boundaries);
    boundaryArrays.set(boundaries, array);
  }
  return array;
}
