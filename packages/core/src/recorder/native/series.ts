import type { Attributes } from '@opentelemetry/api';
import type { Phase } from '../../catalog.js';
import type { BucketOverrides, CallSeries, GenerationRecord, HistogramKind, HistogramKinds } from '../recorder.js';
import { activate, CANCELLED, type Outcome, type SeriesHandle, type SeriesTarget, type VersionState } from '../handle.js';
import { NativeGeneration } from './generation.js';
import { NativeHistogram, type HistogramSlab } from './histogram.js';
import { sampledSpan, SeriesExemplars } from './exemplars.js';

/** Start of a series' cumulative data, as OpenTelemetry HrTime `[seconds, nanoseconds]`. */
export type HrTimeLike = [number, number];

/** Boundaries in force for one series, and the overrides they came from. @internal */
export interface SeriesBoundaries {
  readonly source: BucketOverrides | undefined;
  readonly latency: Float64Array;
  readonly confidence: Float64Array;
  readonly batchSize: Float64Array;
  readonly timeToFirstItem: Float64Array;
  readonly streamItems: Float64Array;
  /** Kinds the model fixed; absent ones follow the runtime's default. */
  readonly kinds: HistogramKinds;
}

/**
 * One (model, version, attributes) series, aggregated in place: the fast
 * path's target. Recording is field arithmetic on this object: no attribute
 * hashing, no allocation. While it is not its handle's current target (no
 * collector attached), it only ends the calls it began and passes their
 * outcome on (see {@link SeriesTarget}).
 *
 * @internal
 */
export class NativeSeries implements SeriesTarget {
  current = false;
  successes = 0;
  errors = 0;
  inFlight = 0;
  readonly latency: NativeHistogram;
  /**
   * What most series never need (confidence and batch-size histograms without
   * extractors, stream histograms, error types), created on first use: each
   * field on the series costs 8 bytes on every series (cancelled calls and
   * exemplars live here too: most series never have either).
   */
  extras: SeriesExtras | undefined = undefined;
  /** Set once by the recorder, right after construction (the handle needs this series first). */
  handle!: SeriesHandle;

  /**
   * The model comes from the version, the boundaries and the slab from the
   * handle: fields kept once per series cost 8 bytes each on every series.
   */
  constructor(
    private readonly _version: VersionState,
    boundaries: SeriesBoundaries,
    slab: HistogramSlab,
  ) {
    this.latency = new NativeHistogram(boundaries.latency, slab, boundaries.kinds.latency);
  }

  /** Cancelled calls counted here. */
  get cancelled(): number {
    return this.extras?.cancelled ?? 0;
  }

  /** Latency and error exemplars, from the first call inside a sampled span (while the recorder's `tracing` is on). */
  get exemplars(): SeriesExemplars | undefined {
    return this.extras?.exemplars;
  }

  private get _boundaries(): SeriesBoundaries {
    return this.handle.boundaries;
  }

  private get _slab(): HistogramSlab {
    return this.handle.recorder.runtime.slab;
  }

  /** The series' own attributes: model_name, model_version, then the user's. */
  get attributes(): Attributes {
    return this.handle.attributes;
  }

  fresh(): SeriesTarget {
    return this.current ? this : this.handle.now();
  }

  /*
   * The +1 is begin()'s last step and the -1 each end's last: a begin or an
   * end that throws (out of stack) has not moved in-flight (see
   * PredictionSeries). `inFlight` also counts the calls begun on this
   * handle's OpenTelemetry API targets: one count per series on both paths.
   */

  begin(): CallSeries {
    if (this._version.model.active !== this._version) activate(this._version);
    this.inFlight++;
    return this;
  }

  succeed(seconds: number): void {
    if (this.current) {
      this.latency.record(seconds);
      if (this.handle.recorder.tracing) this._exemplar(seconds, undefined);
      // The count last: an outcome cut short is then counted once, as
      // dropped by whoever catches it (see instrument.ts), never twice.
      this.successes++;
    } else this.handle.now().outcome(seconds, undefined);
    if (this.inFlight > 0) this.inFlight--;
  }

  fail(seconds: number, errorType: string): void {
    this.outcome(seconds, errorType);
    if (this.inFlight > 0) this.inFlight--;
  }

  cancel(): void {
    this.outcome(0, CANCELLED);
    if (this.inFlight > 0) this.inFlight--;
  }

  outcome(seconds: number, errorType: Outcome): void {
    if (!this.current) {
      this.handle.now().outcome(seconds, errorType);
      return;
    }
    if (errorType === CANCELLED) {
      this._extras().cancelled++;
      return;
    }
    this.latency.record(seconds);
    // Counts last, as in succeed().
    if (errorType === undefined) {
      if (this.handle.recorder.tracing) this._exemplar(seconds, undefined);
      this.successes++;
      return;
    }
    const type = this.handle.errorType(errorType);
    const types = (this._extras().errorTypes ??= new Map());
    if (this.handle.recorder.tracing) this._exemplar(seconds, type);
    types.set(type, (types.get(type) ?? 0) + 1);
    this.errors++;
  }

  /** The call's exemplars when it ran inside a sampled span; off the path unless a context manager is registered. */
  private _exemplar(seconds: number, errorType: string | undefined): void {
    const span = sampledSpan();
    if (span === undefined) return;
    const exemplars = (this._extras().exemplars ??= new SeriesExemplars(this._boundaries.latency));
    exemplars.latency(seconds, span);
    if (errorType !== undefined) exemplars.error(errorType, span);
  }

  confidence(value: number): void {
    if (this.current) (this._extras().confidence ??= new NativeHistogram(this._boundaries.confidence, this._slab, this._boundaries.kinds.confidence)).record(value);
    else this.handle.now().confidence(value);
  }

  batchSize(items: number): void {
    if (this.current) (this._extras().batchSize ??= new NativeHistogram(this._boundaries.batchSize, this._slab, this._boundaries.kinds.batchSize)).record(items);
    else this.handle.now().batchSize(items);
  }

  firstItem(seconds: number): void {
    if (this.current) (this._extras().timeToFirstItem ??= new NativeHistogram(this._boundaries.timeToFirstItem, this._slab, this._boundaries.kinds.timeToFirstItem)).record(seconds);
    else this.handle.now().firstItem(seconds);
  }

  streamItems(items: number): void {
    if (this.current) (this._extras().streamItems ??= new NativeHistogram(this._boundaries.streamItems, this._slab, this._boundaries.kinds.streamItems)).record(items);
    else this.handle.now().streamItems(items);
  }

  generation(record: GenerationRecord): void {
    if (this.current) (this._extras().generation ??= new NativeGeneration(this._slab)).record(record);
    else this.handle.now().generation(record);
  }

  phase(phase: Phase, seconds: number): void {
    if (this.current) (this._extras().generation ??= new NativeGeneration(this._slab)).phase(phase, seconds);
    else this.handle.now().phase(phase, seconds);
  }

  /** A reader needing `kind` attached: histograms whose kind the model did not fix gain it. */
  widen(kind: HistogramKind): void {
    const kinds = this._boundaries.kinds;
    const slab = this._slab;
    if (kinds.latency === undefined) this.latency.ensure(kind, slab);
    const extras = this.extras;
    if (extras === undefined) return;
    if (kinds.confidence === undefined) extras.confidence?.ensure(kind, slab);
    if (kinds.batchSize === undefined) extras.batchSize?.ensure(kind, slab);
    if (kinds.timeToFirstItem === undefined) extras.timeToFirstItem?.ensure(kind, slab);
    if (kinds.streamItems === undefined) extras.streamItems?.ensure(kind, slab);
  }

  private _extras(): SeriesExtras {
    return (this.extras ??= { cancelled: 0, exemplars: undefined, confidence: undefined, batchSize: undefined, timeToFirstItem: undefined, streamItems: undefined, errorTypes: undefined, generation: undefined });
  }
}

/** The lazily created part of a {@link NativeSeries}. @internal */
export interface SeriesExtras {
  /** Cancelled calls (see {@link PredictionSeries.cancel}). */
  cancelled: number;
  /** Latency and error exemplars, from the first call inside a sampled span. */
  exemplars: SeriesExemplars | undefined;
  confidence: NativeHistogram | undefined;
  batchSize: NativeHistogram | undefined;
  timeToFirstItem: NativeHistogram | undefined;
  streamItems: NativeHistogram | undefined;
  /** error_type -> count, at most MAX_ERROR_TYPES_PER_SERIES keys plus _OTHER. */
  errorTypes: Map<string, number> | undefined;
  /** Tokens, time per output token, finish reasons and phases (models with the `llm`, `phases` or `arrivedAt` options). */
  generation: NativeGeneration | undefined;
}
