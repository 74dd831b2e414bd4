import type { Attributes } from '@opentelemetry/api';
import type { Phase } from '../../catalog.js';
import type { BucketOverrides, CallSeries, GenerationRecord, HistogramKind, HistogramKinds } from '../recorder.js';
import { activate, CANCELLED, type Outcome, type SeriesHandle, type SeriesTarget } from '../handle.js';
import { NativeGeneration } from './generation.js';
import { NativeHistogram, type HistogramSlab } from './histogram.js';
import { sampledSpan, SeriesExemplars } from './exemplars.js';
import { hrFromMonotonic } from './recorder.js';

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
  /**
   * The series' counts, in a slab rather than fields ({@link COUNT_SUCCESSES}
   * and on from `at`): in a worker thread the slab is a SharedArrayBuffer the
   * main thread reads directly, so a call that returned is counted even when
   * the thread is terminated right after (see shared.ts).
   */
  readonly counts: Float64Array;
  /** Offset of this series' counts in {@link counts}. */
  readonly at: number;
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
   * When this series' cumulative counts began: its creation, in whole
   * milliseconds of `performance.now()` (rounded up, so never before the
   * series existed). A series released (its version idle, or evicted under
   * the guard) and created again starts from zero with a new start; a
   * released handle put back keeps its series, counts and start. Every
   * cumulative point of the series carries it as its `startTime`
   * ({@link startTime}), which the protobuf exposition writes as
   * `created_timestamp` and remote write 2.0 as `start_timestamp` (both in
   * milliseconds). A small integer, held in the field itself for the first
   * 12 days of a process: an HrTime array here cost 70 bytes a series
   * (bench/scenarios/memory.mjs: 700 -> 770 B per histogram series).
   */
  readonly startedAt: number = Math.ceil(performance.now());

  /** {@link startedAt} as OpenTelemetry HrTime. */
  get startTime(): HrTimeLike {
    return hrFromMonotonic(this.startedAt);
  }

  /**
   * The version, the boundaries and the slab come from the handle: fields
   * kept once per series cost 8 bytes each on every series.
   */
  constructor(boundaries: SeriesBoundaries, slab: HistogramSlab) {
    this.at = slab.take(COUNT_FIELDS);
    this.counts = slab.data;
    this.latency = new NativeHistogram(boundaries.latency, slab, boundaries.kinds.latency);
  }

  /** Successful calls. */
  get successes(): number {
    return this.counts[this.at + COUNT_SUCCESSES]!;
  }

  /** Failed calls. */
  get errors(): number {
    return this.counts[this.at + COUNT_ERRORS]!;
  }

  /**
   * Calls begun and not ended, on both paths (the OpenTelemetry API targets'
   * calls too). Written by the wrappers as well, with plain updates that
   * cannot throw (see PredictionSeries): in the slab like the other counts.
   */
  get inFlight(): number {
    return this.counts[this.at + COUNT_IN_FLIGHT]!;
  }

  set inFlight(value: number) {
    this.counts[this.at + COUNT_IN_FLIGHT] = value;
  }

  /** Cancelled calls counted here. */
  get cancelled(): number {
    return this.counts[this.at + COUNT_CANCELLED]!;
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
    const version = this.handle.version;
    if (version.model.active !== version) activate(version);
    this.counts[this.at + COUNT_IN_FLIGHT]!++;
    return this;
  }

  succeed(seconds: number): void {
    const counts = this.counts;
    const at = this.at;
    if (this.current) {
      this.latency.record(seconds);
      if (this.handle.recorder.tracing) this._exemplar(seconds, undefined);
      // The count last: an outcome cut short is then counted once, as
      // dropped by whoever catches it (see instrument.ts), never twice.
      counts[at + COUNT_SUCCESSES]!++;
    } else this.handle.now().outcome(seconds, undefined);
    if (counts[at + COUNT_IN_FLIGHT]! > 0) counts[at + COUNT_IN_FLIGHT]!--;
  }

  fail(seconds: number, errorType: string): void {
    this.outcome(seconds, errorType);
    this._ended();
  }

  cancel(): void {
    this.outcome(0, CANCELLED);
    this._ended();
  }

  private _ended(): void {
    const at = this.at + COUNT_IN_FLIGHT;
    if (this.counts[at]! > 0) this.counts[at]!--;
  }

  outcome(seconds: number, errorType: Outcome): void {
    if (!this.current) {
      this.handle.now().outcome(seconds, errorType);
      return;
    }
    if (errorType === CANCELLED) {
      this.counts[this.at + COUNT_CANCELLED]!++;
      return;
    }
    this.latency.record(seconds);
    // Counts last, as in succeed().
    if (errorType === undefined) {
      if (this.handle.recorder.tracing) this._exemplar(seconds, undefined);
      this.counts[this.at + COUNT_SUCCESSES]!++;
      return;
    }
    const type = this.handle.errorType(errorType);
    const types = (this._extras().rare().errorTypes ??= new Map());
    let cell = types.get(type);
    if (cell === undefined) {
      types.set(type, (cell = new CountCell(this._slab)));
      this._layoutChanged();
    }
    if (this.handle.recorder.tracing) this._exemplar(seconds, type);
    cell.data[cell.at]!++;
    this.counts[this.at + COUNT_ERRORS]!++;
  }

  /** The call's exemplars when it ran inside a sampled span; off the path unless a context manager is registered. */
  private _exemplar(seconds: number, errorType: string | undefined): void {
    const span = sampledSpan();
    if (span === undefined) return;
    const exemplars = (this._extras().rare().exemplars ??= new SeriesExemplars(this._boundaries.latency));
    exemplars.latency(seconds, span);
    if (errorType !== undefined) exemplars.error(errorType, span);
  }

  confidence(value: number): void {
    if (this.current) (this._extras().confidence ?? this._histogram('confidence')).record(value);
    else this.handle.now().confidence(value);
  }

  batchSize(items: number): void {
    if (this.current) (this._extras().batchSize ?? this._histogram('batchSize')).record(items);
    else this.handle.now().batchSize(items);
  }

  firstItem(seconds: number): void {
    if (this.current) (this._extras().timeToFirstItem ?? this._histogram('timeToFirstItem')).record(seconds);
    else this.handle.now().firstItem(seconds);
  }

  streamItems(items: number): void {
    if (this.current) (this._extras().streamItems ?? this._histogram('streamItems')).record(items);
    else this.handle.now().streamItems(items);
  }

  generation(record: GenerationRecord): void {
    if (this.current) this._generation().record(record);
    else this.handle.now().generation(record);
  }

  phase(phase: Phase, seconds: number): void {
    if (this.current) this._generation().phase(phase, seconds);
    else this.handle.now().phase(phase, seconds);
  }

  /** An extras histogram on its first value (its kind and boundaries are the series'). */
  private _histogram(name: 'confidence' | 'batchSize' | 'timeToFirstItem' | 'streamItems'): NativeHistogram {
    const histogram = new NativeHistogram(this._boundaries[name], this._slab, this._boundaries.kinds[name]);
    const extras = this._extras();
    if (name === 'confidence' || name === 'batchSize') extras[name] = histogram;
    else extras.rare()[name] = histogram;
    this._layoutChanged();
    return histogram;
  }

  private _generation(): NativeGeneration {
    const rare = this._extras().rare();
    let generation = rare.generation;
    if (generation === undefined) {
      rare.generation = generation = new NativeGeneration(this._slab, () => this._layoutChanged());
      this._layoutChanged();
    }
    return generation;
  }

  /**
   * Where this series' numbers live changed (a histogram, an error type or
   * explicit buckets were added): a worker thread tells the main thread at
   * once, before any value lands there (see shared.ts). Never on a call's
   * path once the series has its shape.
   */
  private _layoutChanged(): void {
    this.handle.recorder.runtime.directory?.publish(this);
  }

  /** A reader needing `kind` attached: histograms whose kind the model did not fix gain it. */
  widen(kind: HistogramKind): void {
    const kinds = this._boundaries.kinds;
    const slab = this._slab;
    if (kinds.latency === undefined) this.latency.ensure(kind, slab);
    const extras = this.extras;
    if (extras !== undefined) {
      if (kinds.confidence === undefined) extras.confidence?.ensure(kind, slab);
      if (kinds.batchSize === undefined) extras.batchSize?.ensure(kind, slab);
      if (kinds.timeToFirstItem === undefined) extras.timeToFirstItem?.ensure(kind, slab);
      if (kinds.streamItems === undefined) extras.streamItems?.ensure(kind, slab);
    }
    this._layoutChanged();
  }

  private _extras(): SeriesExtras {
    return (this.extras ??= new SeriesExtras());
  }
}

/** Doubles of a series' counts in the slab, and their order. @internal */
export const COUNT_FIELDS = 4;
/** @internal */
export const COUNT_SUCCESSES = 0;
/** @internal */
export const COUNT_ERRORS = 1;
/** @internal */
export const COUNT_IN_FLIGHT = 2;
/** @internal */
export const COUNT_CANCELLED = 3;

/** One count in a slab (an error type's), where the main thread can read it too. @internal */
export class CountCell {
  readonly data: Float64Array;
  readonly at: number;

  constructor(slab: HistogramSlab) {
    this.at = slab.take(1);
    this.data = slab.data;
  }

  get value(): number {
    return this.data[this.at]!;
  }
}

/**
 * The lazily created part of a {@link NativeSeries}: the confidence and
 * batch-size histograms, which every series of a model with those
 * extractors has, and the rest, which few series ever need, one object
 * further (an object with all seven fields cost 32 B more on every series
 * with a confidence extractor; bench/scenarios/memory.mjs). Readers see all
 * seven as properties ({@link ExtrasReading}).
 *
 * @internal
 */
export class SeriesExtras {
  confidence: NativeHistogram | undefined = undefined;
  batchSize: NativeHistogram | undefined = undefined;
  private _rare: RareExtras | undefined = undefined;

  /** The rarely needed part, made on first use. */
  rare(): RareExtras {
    return (this._rare ??= { exemplars: undefined, timeToFirstItem: undefined, streamItems: undefined, errorTypes: undefined, generation: undefined });
  }

  /** Latency and error exemplars, from the first call inside a sampled span. */
  get exemplars(): SeriesExemplars | undefined {
    return this._rare?.exemplars;
  }

  get timeToFirstItem(): NativeHistogram | undefined {
    return this._rare?.timeToFirstItem;
  }

  get streamItems(): NativeHistogram | undefined {
    return this._rare?.streamItems;
  }

  /** error_type -> its count, at most MAX_ERROR_TYPES_PER_SERIES keys plus _OTHER. */
  get errorTypes(): Map<string, CountCell> | undefined {
    return this._rare?.errorTypes;
  }

  /** Tokens, time per output token, finish reasons and phases (models with the `llm`, `phases` or `arrivedAt` options). */
  get generation(): NativeGeneration | undefined {
    return this._rare?.generation;
  }
}

/** What few series of a {@link SeriesExtras} need. @internal */
export interface RareExtras {
  exemplars: SeriesExemplars | undefined;
  timeToFirstItem: NativeHistogram | undefined;
  streamItems: NativeHistogram | undefined;
  errorTypes: Map<string, CountCell> | undefined;
  generation: NativeGeneration | undefined;
}
