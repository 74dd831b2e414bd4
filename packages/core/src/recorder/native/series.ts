import type { Attributes } from '@opentelemetry/api';
import { ERROR_TYPE_OTHER, MAX_ERROR_TYPES_PER_SERIES } from '../../catalog.js';
import { ATTR_MODEL_NAME, ATTR_MODEL_VERSION } from '../../catalog.js';
import type { BucketOverrides, PredictionSeries, SeriesKey } from '../recorder.js';
import { NativeHistogram } from './histogram.js';

/** Start of a series' cumulative data, as OpenTelemetry HrTime `[seconds, nanoseconds]`. */
export type HrTimeLike = [number, number];

/** What the model gauges report, per model name. @internal */
export interface NativeModelState {
  activeVersion: number | undefined;
  readonly attributes: Attributes;
  /** Set on the state shared by overflow series. */
  readonly overflow?: boolean;
}

/** Boundaries in force for one series, and the overrides they came from. @internal */
export interface SeriesBoundaries {
  readonly source: BucketOverrides | undefined;
  readonly latency: Float64Array;
  readonly confidence: Float64Array;
  readonly batchSize: Float64Array;
  readonly timeToFirstItem: Float64Array;
  readonly streamItems: Float64Array;
}

/**
 * One (model, version, attributes) series, aggregated in place. Recording is
 * field arithmetic on this object: no attribute hashing, no allocation.
 *
 * While no collector is attached (no `@inferometer/node` setup), `api` holds
 * the OpenTelemetry API series and every call is forwarded to it, so a
 * service with its own MeterProvider gets the same names and attributes.
 * One field test per call decides.
 *
 * @internal
 */
export class NativeSeries implements PredictionSeries {
  /** The OpenTelemetry API series to forward to, or null while a collector reads the native state. */
  api: PredictionSeries | null;
  successes = 0;
  errors = 0;
  inFlight = 0;
  readonly latency: NativeHistogram;
  /**
   * What most series never need (confidence and batch-size histograms without
   * extractors, stream histograms, error types), created on first use: each
   * field on the series costs 8 bytes on every series.
   */
  extras: SeriesExtras | undefined;

  /*
   * No SeriesKey object is kept: the attributes hold model and version, and
   * the key is rebuilt on the rare occasions it is needed (every field here
   * is 8 bytes on every series).
   */
  constructor(
    /** The series' own attributes: model_name, model_version, then the user's. */
    readonly attributes: Attributes,
    private readonly _versionNumber: number | undefined,
    private readonly _model: NativeModelState,
    private readonly _boundaries: SeriesBoundaries,
    api: PredictionSeries | null,
  ) {
    this.api = api;
    this.latency = new NativeHistogram(_boundaries.latency);
  }

  /** Identity, as the recorders take it. */
  get key(): SeriesKey {
    const user: Attributes = {};
    for (const name in this.attributes) if (name !== ATTR_MODEL_NAME && name !== ATTR_MODEL_VERSION) user[name] = this.attributes[name];
    return {
      model: String(this.attributes[ATTR_MODEL_NAME]),
      version: String(this.attributes[ATTR_MODEL_VERSION]),
      attributes: user,
      buckets: this._boundaries.source,
      versionNumber: this._versionNumber,
    };
  }

  /** The metric's overflow series, standing for every label set past the series cap. */
  get overflow(): boolean {
    return this._model.overflow === true;
  }

  begin(): PredictionSeries {
    if (this.api !== null) {
      this.api.begin();
      this._extras().apiPending++;
      return this;
    }
    this.inFlight++;
    this._model.activeVersion = this._versionNumber;
    return this;
  }

  succeed(seconds: number): void {
    if (this.api !== null) {
      this.api.succeed(seconds, this._endsApiCall());
      return;
    }
    if (this.inFlight > 0) this.inFlight--;
    this.successes++;
    this.latency.record(seconds);
  }

  fail(seconds: number, errorType: string): void {
    if (this.api !== null) {
      this.api.fail(seconds, errorType, this._endsApiCall());
      return;
    }
    if (this.inFlight > 0) this.inFlight--;
    this.errors++;
    this.latency.record(seconds);
    const types = (this._extras().errorTypes ??= new Map());
    const seen = types.get(errorType);
    if (seen !== undefined) types.set(errorType, seen + 1);
    else if (types.size < MAX_ERROR_TYPES_PER_SERIES) types.set(errorType, 1);
    else types.set(ERROR_TYPE_OTHER, (types.get(ERROR_TYPE_OTHER) ?? 0) + 1);
  }

  confidence(value: number): void {
    if (this.api !== null) this.api.confidence(value);
    else {
      const extras = this._extras();
      (extras.confidence ??= new NativeHistogram(this._boundaries.confidence)).record(value);
    }
  }

  batchSize(items: number): void {
    if (this.api !== null) this.api.batchSize(items);
    else {
      const extras = this._extras();
      (extras.batchSize ??= new NativeHistogram(this._boundaries.batchSize)).record(items);
    }
  }

  firstItem(seconds: number): void {
    if (this.api !== null) this.api.firstItem(seconds);
    else {
      const extras = this._extras();
      (extras.timeToFirstItem ??= new NativeHistogram(this._boundaries.timeToFirstItem)).record(seconds);
    }
  }

  streamItems(items: number): void {
    if (this.api !== null) this.api.streamItems(items);
    else {
      const extras = this._extras();
      (extras.streamItems ??= new NativeHistogram(this._boundaries.streamItems)).record(items);
    }
  }

  /** Whether the call now ending began on the API path (then its in-flight +1 is taken back there). */
  private _endsApiCall(): boolean {
    const extras = this.extras;
    if (extras === undefined || extras.apiPending === 0) return false;
    extras.apiPending--;
    return true;
  }

  private _extras(): SeriesExtras {
    return (this.extras ??= { confidence: undefined, batchSize: undefined, timeToFirstItem: undefined, streamItems: undefined, errorTypes: undefined, apiPending: 0 });
  }
}

/** The lazily created part of a {@link NativeSeries}. @internal */
export interface SeriesExtras {
  confidence: NativeHistogram | undefined;
  batchSize: NativeHistogram | undefined;
  timeToFirstItem: NativeHistogram | undefined;
  streamItems: NativeHistogram | undefined;
  /** error_type -> count, at most MAX_ERROR_TYPES_PER_SERIES keys plus _OTHER. */
  errorTypes: Map<string, number> | undefined;
  /**
   * Calls begun through the OpenTelemetry API and not ended yet: a call that
   * spans `start()` or `shutdown()` begins on one path and ends on the other,
   * and neither path's in-flight count may go below zero for it.
   */
  apiPending: number;
}
