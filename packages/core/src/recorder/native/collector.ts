import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_STATUS,
  METRIC_ACTIVE_MODEL_VERSION,
  METRIC_ATTRIBUTE_REJECTIONS,
  METRIC_DROPPED_OBSERVATIONS,
  METRIC_FINISH_REASONS,
  METRIC_MODEL_INFO,
  METRIC_PHASE_DURATION,
  METRIC_PREDICTION_TOKENS,
  METRIC_TIME_PER_OUTPUT_TOKEN,
  METRIC_PREDICTION_BATCH_SIZE,
  METRIC_PREDICTION_CONFIDENCE,
  METRIC_PREDICTION_ERRORS,
  METRIC_PREDICTION_LATENCY,
  METRIC_PREDICTIONS,
  METRIC_PREDICTIONS_IN_FLIGHT,
  METRIC_SERIES,
  METRIC_STREAM_ITEMS,
  METRIC_TIME_TO_FIRST_ITEM,
  STATUS_CANCELLED,
  STATUS_ERROR,
  STATUS_SUCCESS,
  type MetricDefinition,
} from '../../catalog.js';
export { SERIES_METRICS } from '../../catalog.js';
import { flushDeferred } from '../../deferred.js';
import { DeltaTracker } from './delta.js';
import { GenerationBatch, pushGeneration, type GenerationReading } from './generation.js';
import {
  activeVersionPoints,
  modelInfoPoints,
  pushExponential,
  pushHistogram,
  pushSum,
  rejectionPoints,
  seriesCountPoints,
  type CollectedPoint,
} from './points.js';
import type { CollectedExemplar, SeriesExemplars } from './exemplars.js';
import type { NativeHistogram } from './histogram.js';
import type { HistogramKind } from '../recorder.js';
import type { SeriesRecorder } from './recorder.js';
import type { HrTimeLike, NativeSeries } from './series.js';

export type { CollectedExponentialHistogram, CollectedHistogram, CollectedPoint } from './points.js';
export type { CollectedExemplar } from './exemplars.js';

/**
 * Aggregation temporality of a collector: `cumulative` (Prometheus, and the
 * OTLP default) or `delta` for counters and histograms (Datadog, New Relic);
 * up-down counters and gauges stay cumulative either way, as in the
 * OpenTelemetry SDK's delta preference.
 */
export type Temporality = 'cumulative' | 'delta';

/** One catalog metric's points at one collection. */
export interface CollectedMetric {
  readonly definition: MetricDefinition;
  /** Temporality of these points (gauges and up-down counters are always cumulative). */
  readonly temporality: Temporality;
  readonly points: CollectedPoint[];
  /**
   * True when the points are exponential histograms ({@link CollectedExponentialHistogram}).
   * A histogram read as `both` comes as two entries with one definition:
   * explicit first, then exponential, the same attribute objects in each.
   */
  readonly exponential?: boolean;
}

/**
 * What the points of one series are read from: a {@link NativeSeries}, or
 * (in the main thread) the same numbers a worker thread keeps in shared
 * memory (shared.ts). Its histograms are {@link NativeHistogram}s over the
 * slab the numbers are in.
 *
 * @internal
 */
export interface SeriesReading {
  readonly attributes: Attributes;
  readonly successes: number;
  readonly errors: number;
  readonly cancelled: number;
  readonly inFlight: number;
  readonly latency: NativeHistogram;
  readonly exemplars: SeriesExemplars | undefined;
  readonly extras: ExtrasReading | undefined;
}

/** The lazily created part of a {@link SeriesReading}. @internal */
export interface ExtrasReading {
  readonly errorTypes: ReadonlyMap<string, { readonly value: number }> | undefined;
  readonly confidence: NativeHistogram | undefined;
  readonly batchSize: NativeHistogram | undefined;
  readonly timeToFirstItem: NativeHistogram | undefined;
  readonly streamItems: NativeHistogram | undefined;
  readonly generation: GenerationReading | undefined;
}

/**
 * Status and error-type attribute objects of one series, reused across
 * collections (serializers cache label strings per object). Each is made
 * the first time its count is above zero, and the success one, which
 * nearly every series has, is kept on its own: three status objects and a
 * Map made up front for every series cost 436 B a series from the first
 * scrape on (bench/scenarios/memory.mjs).
 */
const successLabels = new WeakMap<SeriesReading, Attributes>();
/** The labels of series that failed or were cancelled. */
interface RareLabels {
  error: Attributes | undefined;
  cancelled: Attributes | undefined;
  types: Map<string, Attributes> | undefined;
}
const rareLabels = new WeakMap<SeriesReading, RareLabels>();

function rareLabelsOf(series: SeriesReading): RareLabels {
  let found = rareLabels.get(series);
  if (found === undefined) rareLabels.set(series, (found = { error: undefined, cancelled: undefined, types: undefined }));
  return found;
}

/**
 * The predictions count of one status: no point (and no attribute object)
 * while it is zero. A count only grows, so a delta reader has nothing to
 * subtract from either: it saw zero or nothing before.
 */
function pushStatus(batch: Batch, series: SeriesReading, status: 'success' | 'error' | 'cancelled', total: number, start: HrTimeLike, end: HrTimeLike, tracker: DeltaTracker | undefined): void {
  if (total === 0) return;
  let attributes: Attributes | undefined;
  if (status === 'success') {
    attributes = successLabels.get(series);
    if (attributes === undefined) successLabels.set(series, (attributes = { ...series.attributes, [ATTR_STATUS]: STATUS_SUCCESS }));
  } else {
    const found = rareLabelsOf(series);
    attributes = found[status] ??= { ...series.attributes, [ATTR_STATUS]: status === 'error' ? STATUS_ERROR : STATUS_CANCELLED };
  }
  pushSum(batch.predictions, start, end, attributes, total, tracker);
}

function errorTypeLabels(series: SeriesReading, type: string): Attributes {
  const types = (rareLabelsOf(series).types ??= new Map());
  let attributes = types.get(type);
  if (attributes === undefined) types.set(type, (attributes = { ...series.attributes, [ATTR_ERROR_TYPE]: type }));
  return attributes;
}

/** Puts `exemplars` on the last point of `points` when it is the one just pushed for `attributes`. */
function withExemplars(points: CollectedPoint[], attributes: Attributes, exemplars: CollectedExemplar[] | undefined): void {
  const last = points.length - 1;
  if (exemplars === undefined || last < 0 || points[last]!.attributes !== attributes) return;
  points[last] = { ...points[last]!, exemplars };
}

/** The points of one collection, per catalog metric. @internal */
export class Batch {
  readonly predictions: CollectedPoint[] = [];
  readonly errors: CollectedPoint[] = [];
  readonly latency: CollectedPoint[] = [];
  readonly confidence: CollectedPoint[] = [];
  readonly batchSize: CollectedPoint[] = [];
  readonly firstItem: CollectedPoint[] = [];
  readonly streamItems: CollectedPoint[] = [];
  readonly inFlight: CollectedPoint[] = [];
  readonly generation = new GenerationBatch();
  readonly latencyExp: CollectedPoint[] = [];
  readonly confidenceExp: CollectedPoint[] = [];
  readonly batchSizeExp: CollectedPoint[] = [];
  readonly firstItemExp: CollectedPoint[] = [];
  readonly streamItemsExp: CollectedPoint[] = [];
}

/**
 * Reads a {@link SeriesRecorder}'s state into OpenTelemetry-shaped points.
 * Counts are copied, so a serializer that yields to the event loop midway
 * never sees a histogram whose buckets and count disagree.
 *
 * @internal
 */
export class NativeCollector {
  /** What this reader exported last, for delta; undefined for cumulative. */
  private readonly _tracker: DeltaTracker | undefined;
  /** End of the previous collection: a delta point's start. */
  private _lastEnd: HrTimeLike | undefined;
  private _detached = false;

  constructor(
    private readonly _recorder: SeriesRecorder,
    readonly temporality: Temporality,
    /** The histogram kind this reader exports: of a histogram that keeps both, the one named (both with `both`); of one that keeps one kind, that one. */
    readonly histograms: HistogramKind = 'explicit',
    /**
     * In a worker thread whose main thread reads its series from shared
     * memory (shared.ts): leave out what it reads there, so the thread's
     * answers carry only the rest (exponential buckets, the recorder's own metrics).
     */
    private readonly _omitShared = false,
  ) {
    this._tracker = temporality === 'delta' ? new DeltaTracker() : undefined;
    _recorder.attach(this, histograms);
  }

  /** Stops reading; with no collector left, recording goes back to the OpenTelemetry API. */
  detach(): void {
    if (this._detached) return;
    this._detached = true;
    this._recorder.detach(this);
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
   *
   * With `onPart`, each step's per-series points are handed to it before
   * the pause instead of being kept to the end (the return value then holds
   * the last step's and the process-wide metrics): a reader that encodes
   * each part at once holds one step's points at a time, not a whole
   * collection's, so the garbage collector's scavenges find almost nothing
   * alive to copy (bench/scenarios/scrape-stall.mjs).
   */
  *collectInSteps(endTime: HrTimeLike, seriesPerStep: number, onPart?: (metrics: CollectedMetric[]) => void): Generator<void, CollectedMetric[], void> {
    const recorder = this._recorder;
    flushDeferred();
    recorder.sweep();
    recorder.checkTracing();
    let batch = new Batch();
    let inStep = 0;
    // A copy: a version released by another reader mid-collection must not shift this loop.
    for (const handle of recorder.handles.slice()) {
      if (++inStep >= seriesPerStep) {
        inStep = 0;
        if (onPart !== undefined) {
          const part: CollectedMetric[] = [];
          seriesMetrics(part, batch, this.temporality);
          batch = new Batch();
          onPart(part);
        }
        yield;
      }
      this._series(batch, handle.native, endTime);
    }
    const tracker = this._tracker;
    // Delta points of process-wide counters start where the previous collection ended.
    const intervalStart = tracker !== undefined ? (this._lastEnd ?? recorder.startTime) : undefined;
    const dropped: CollectedPoint[] = [];
    for (const entry of recorder.droppedCounts.values()) pushSum(dropped, intervalStart ?? entry.startTime, endTime, entry.attributes, entry.count, tracker);
    this._lastEnd = endTime;

    const out: CollectedMetric[] = [];
    const add = (definition: MetricDefinition, points: CollectedPoint[], temporality: Temporality = this.temporality): void => {
      if (points.length > 0) out.push({ definition, temporality, points });
    };
    seriesMetrics(out, batch, this.temporality);
    add(METRIC_MODEL_INFO, modelInfoPoints(recorder, endTime), 'cumulative');
    add(METRIC_ACTIVE_MODEL_VERSION, activeVersionPoints(recorder, endTime), 'cumulative');
    add(METRIC_DROPPED_OBSERVATIONS, dropped);
    add(METRIC_ATTRIBUTE_REJECTIONS, rejectionPoints(recorder.runtime.guard, intervalStart ?? recorder.startTime, endTime, tracker));
    add(METRIC_SERIES, seriesCountPoints(recorder.runtime.guard, endTime), 'cumulative');
    // Last: a retired version this collection was the last to export is
    // released here, after its series and its ml_model_info point were read.
    recorder.exported(this);
    return out;
  }

  /** One series' points: every metric it has data for. */
  private _series(batch: Batch, series: NativeSeries, end: HrTimeLike): void {
    if (series.successes === 0 && series.errors === 0 && series.cancelled === 0 && series.inFlight === 0) return;
    const recorder = this._recorder;
    const tracker = this._tracker;
    // The series' own start (not the recorder's): a series created after a
    // scrape, or released and created again, must not claim counts from
    // before it existed (Prometheus' created-timestamp-zero-ingestion reads it).
    const start = tracker === undefined ? series.startTime : tracker.interval(series, series.startTime, end);
    if (this._omitShared) pushSeriesExponential(batch, series, start, end, tracker, this.histograms);
    else pushSeries(batch, series, start, end, recorder.startTime, tracker, this.histograms);
  }
}


/** Appends the batch's per-series metrics to `out` ({@link SERIES_METRICS}, exponential ones beside their explicit ones). @internal */
export function seriesMetrics(out: CollectedMetric[], batch: Batch, temporality: Temporality): void {
  const add = (definition: MetricDefinition, points: CollectedPoint[], pointsTemporality: Temporality = temporality): void => {
    if (points.length > 0) out.push({ definition, temporality: pointsTemporality, points });
  };
  const addExp = (definition: MetricDefinition, points: CollectedPoint[]): void => {
    if (points.length > 0) out.push({ definition, temporality, points, exponential: true });
  };
  add(METRIC_PREDICTIONS, batch.predictions);
  add(METRIC_PREDICTION_ERRORS, batch.errors);
  add(METRIC_PREDICTION_LATENCY, batch.latency);
  addExp(METRIC_PREDICTION_LATENCY, batch.latencyExp);
  add(METRIC_PREDICTION_CONFIDENCE, batch.confidence);
  addExp(METRIC_PREDICTION_CONFIDENCE, batch.confidenceExp);
  add(METRIC_PREDICTION_BATCH_SIZE, batch.batchSize);
  addExp(METRIC_PREDICTION_BATCH_SIZE, batch.batchSizeExp);
  add(METRIC_PREDICTIONS_IN_FLIGHT, batch.inFlight, 'cumulative');
  add(METRIC_TIME_TO_FIRST_ITEM, batch.firstItem);
  addExp(METRIC_TIME_TO_FIRST_ITEM, batch.firstItemExp);
  add(METRIC_STREAM_ITEMS, batch.streamItems);
  addExp(METRIC_STREAM_ITEMS, batch.streamItemsExp);
  add(METRIC_PREDICTION_TOKENS, batch.generation.tokens);
  add(METRIC_TIME_PER_OUTPUT_TOKEN, batch.generation.timePerOutputToken);
  add(METRIC_FINISH_REASONS, batch.generation.finishes);
  add(METRIC_PHASE_DURATION, batch.generation.phases);
}

/**
 * One series' points: every metric it has data for, from `start` (its
 * cumulative start, or with a tracker its delta interval's) to `end`; the
 * in-flight gauge from `inFlightStart`. `wants` is the histogram kind the
 * reader exports (see {@link NativeCollector.histograms}).
 *
 * @internal
 */
export function pushSeries(batch: Batch, series: SeriesReading, start: HrTimeLike, end: HrTimeLike, inFlightStart: HrTimeLike, tracker: DeltaTracker | undefined, wants: HistogramKind): void {
  pushStatus(batch, series, 'success', series.successes, start, end, tracker);
  pushStatus(batch, series, 'error', series.errors, start, end, tracker);
  pushStatus(batch, series, 'cancelled', series.cancelled, start, end, tracker);
  const attributes = series.attributes;
  pushHistogramKinds(batch.latency, batch.latencyExp, start, end, attributes, series.latency, tracker, wants);
  // Exemplars on cumulative points only: a delta reader is an OTLP one,
  // and no OTLP exporter of OpenTelemetry JS writes exemplars (open-telemetry/opentelemetry-js#5147).
  const exemplars = tracker === undefined ? series.exemplars : undefined;
  if (exemplars !== undefined) withExemplars(batch.latency, attributes, exemplars.latencyExemplars());
  const extras = series.extras;
  if (extras !== undefined) {
    if (extras.errorTypes !== undefined) {
      for (const [type, cell] of extras.errorTypes) {
        const labels = errorTypeLabels(series, type);
        pushSum(batch.errors, start, end, labels, cell.value, tracker);
        if (exemplars !== undefined) withExemplars(batch.errors, labels, exemplars.errorExemplar(type));
      }
    }
    if (extras.confidence) pushHistogramKinds(batch.confidence, batch.confidenceExp, start, end, attributes, extras.confidence, tracker, wants);
    if (extras.batchSize) pushHistogramKinds(batch.batchSize, batch.batchSizeExp, start, end, attributes, extras.batchSize, tracker, wants);
    if (extras.timeToFirstItem) pushHistogramKinds(batch.firstItem, batch.firstItemExp, start, end, attributes, extras.timeToFirstItem, tracker, wants);
    if (extras.streamItems) pushHistogramKinds(batch.streamItems, batch.streamItemsExp, start, end, attributes, extras.streamItems, tracker, wants);
    if (extras.generation) pushGeneration(batch.generation, start, end, attributes, extras.generation, tracker);
  }
  batch.inFlight.push({ startTime: inFlightStart, endTime: end, attributes, value: series.inFlight });
}

/** Of one series, only the exponential points the reader exports: what shared memory does not carry (shared.ts). */
function pushSeriesExponential(batch: Batch, series: SeriesReading, start: HrTimeLike, end: HrTimeLike, tracker: DeltaTracker | undefined, wants: HistogramKind): void {
  if (wants === 'explicit') return;
  const attributes = series.attributes;
  const push = (points: CollectedPoint[], histogram: NativeHistogram | undefined): void => {
    const exp = histogram?.exponential;
    if (exp !== undefined) pushExponential(points, start, end, attributes, exp, tracker);
  };
  push(batch.latencyExp, series.latency);
  const extras = series.extras;
  if (extras === undefined) return;
  push(batch.confidenceExp, extras.confidence);
  push(batch.batchSizeExp, extras.batchSize);
  push(batch.firstItemExp, extras.timeToFirstItem);
  push(batch.streamItemsExp, extras.streamItems);
}

/** One histogram's points, of the kinds it keeps that the reader exports. */
function pushHistogramKinds(
  explicit: CollectedPoint[],
  exponential: CollectedPoint[],
  start: HrTimeLike,
  end: HrTimeLike,
  attributes: Attributes,
  histogram: NativeHistogram,
  tracker: DeltaTracker | undefined,
  wants: HistogramKind,
): void {
  const exp = histogram.exponential;
  if (histogram.explicit && (wants !== 'exponential' || exp === undefined)) pushHistogram(explicit, start, end, attributes, histogram, tracker);
  if (exp !== undefined && (wants !== 'explicit' || !histogram.explicit)) pushExponential(exponential, start, end, attributes, exp, tracker);
}
