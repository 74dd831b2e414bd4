import {
  type Attributes,
  type Counter,
  type Histogram,
  type Meter,
  type MeterProvider,
  type UpDownCounter,
} from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_FINISH_REASON,
  ATTR_MODEL_NAME,
  ATTR_PHASE,
  ATTR_TOKEN_TYPE,
  ATTR_REASON,
  ATTR_STATUS,
  DROP_REASONS,
  INSTRUMENTATION_SCOPE,
  METRIC_ACTIVE_MODEL_VERSION,
  METRIC_ATTRIBUTE_REJECTIONS,
  METRIC_DROPPED_OBSERVATIONS,
  METRIC_FINISH_REASONS,
  METRIC_PHASE_DURATION,
  METRIC_PREDICTION_TOKENS,
  METRIC_SERIES,
  METRIC_TIME_PER_OUTPUT_TOKEN,
  METRIC_MODEL_INFO,
  METRIC_PREDICTION_BATCH_SIZE,
  METRIC_PREDICTION_CONFIDENCE,
  METRIC_PREDICTION_ERRORS,
  METRIC_PREDICTION_LATENCY,
  METRIC_PREDICTIONS,
  METRIC_PREDICTIONS_IN_FLIGHT,
  METRIC_STREAM_ITEMS,
  METRIC_TIME_TO_FIRST_ITEM,
  STATUS_CANCELLED,
  STATUS_ERROR,
  STATUS_SUCCESS,
  type MetricDefinition,
  type Phase,
  type TokenType,
} from '../catalog.js';
import { flushDeferred } from '../deferred.js';
import { ProviderBound } from '../global-provider.js';
import { VERSION } from '../version.js';
import { activate, CANCELLED, type Outcome, type SeriesHandle, type SeriesTarget } from './handle.js';
import type { SeriesRecorder } from './native/recorder.js';
import { activeVersionPoints, modelInfoPoints, rejectionPoints, seriesCountPoints } from './native/points.js';
import type { HrTimeLike } from './native/series.js';
import type { BucketOverrides, CallSeries, GenerationRecord } from './recorder.js';
import { COUNT_IN_FLIGHT } from './native/series.js';

/**
 * The in-flight count's place in a series' counts, as a module-local constant:
 * the catches that take a call out of flight may run out of stack, so they
 * make no call at all (an imported binding can be a getter under some
 * bundlers and test runners; an accessor is a call).
 */
const IN_FLIGHT = COUNT_IN_FLIGHT;

/** The catalog's instruments, created from one MeterProvider. @internal */
export interface Instruments {
  readonly predictions: Counter;
  readonly errors: Counter;
  readonly latency: Histogram;
  readonly confidence: Histogram;
  readonly batchSize: Histogram;
  /** Brought to the exact count at each collection (see {@link OtelApiRecorder.settleInFlight}), never added to per call. */
  readonly inFlight: UpDownCounter;
  /** What `inFlight` holds per series on this provider (series released since included, until back at 0). */
  readonly inFlightReported: Map<SeriesHandle, number>;
  readonly timeToFirstItem: Histogram;
  readonly streamItems: Histogram;
  readonly dropped: Counter;
}

/**
 * The generative and phase instruments, created from one MeterProvider on
 * the first generative call or phase: a service without either never
 * creates them (the provider would otherwise list them, empty). @internal
 */
export interface GenerationInstruments {
  readonly tokens: Histogram;
  readonly timePerOutputToken: Histogram;
  readonly finishes: Counter;
  readonly phases: Histogram;
}

/**
 * The fallback path: records through the global OpenTelemetry MeterProvider,
 * whatever set it (`@inferometer/node`'s `start()` or the service's own SDK),
 * while no collector reads the fast path's state. No `start()` is needed when the
 * service already registered a provider.
 *
 * Instruments are taken again whenever the global provider changes (see
 * ProviderBound); series of the old provider then hand over to new ones
 * through their handle, so a call that spans the change ends where it began.
 * The model gauges and the guard's own metrics are read from the same state
 * and built by the same functions as on the fast path.
 *
 * @internal
 */
export class OtelApiRecorder {
  private readonly _instruments: ProviderBound<Instruments>;
  private readonly _generation: ProviderBound<GenerationInstruments>;
  /** Bucket boundaries each histogram was created with, to warn on conflicting overrides. */
  private _boundaries: Required<BucketOverrides> | undefined;
  private _created = false;

  constructor(private readonly _owner: SeriesRecorder) {
    this._instruments = new ProviderBound((provider) => this._create(provider));
    this._generation = new ProviderBound((provider) => {
      const meter = provider.getMeter(INSTRUMENTATION_SCOPE, VERSION);
      return {
        tokens: histogram(meter, METRIC_PREDICTION_TOKENS, undefined),
        timePerOutputToken: histogram(meter, METRIC_TIME_PER_OUTPUT_TOKEN, undefined),
        finishes: meter.createCounter(METRIC_FINISH_REASONS.name, describe(METRIC_FINISH_REASONS)),
        phases: histogram(meter, METRIC_PHASE_DURATION, undefined),
      };
    });
  }

  /** The generative instruments of the current global provider (created on first use). */
  generationInstruments(): GenerationInstruments {
    return this._generation.get();
  }

  /** The instruments of the current global provider. */
  instruments(): Instruments {
    return this._instruments.get();
  }

  /** A target for `handle` on the current provider's instruments. */
  target(handle: SeriesHandle): OtelApiSeries {
    return new OtelApiSeries(handle, this, this.instruments());
  }

  dropped(model: string, reason: string): void {
    try {
      this.instruments().dropped.add(1, { [ATTR_MODEL_NAME]: model, [ATTR_REASON]: reason });
    } catch (err) {
      // Out of stack: goes on to whoever can defer it (see failed()).
      if (err instanceof RangeError) throw err;
      this._owner.runtime.diag.error('error:record', '@inferometer/core: internal failure in record; the prediction was not affected', err);
    }
  }

  private _create(provider: MeterProvider): Instruments {
    this._created = true;
    const meter = provider.getMeter(INSTRUMENTATION_SCOPE, VERSION);
    const boundaries = this._boundaries;
    const instruments: Instruments = {
      predictions: meter.createCounter(METRIC_PREDICTIONS.name, describe(METRIC_PREDICTIONS)),
      errors: meter.createCounter(METRIC_PREDICTION_ERRORS.name, describe(METRIC_PREDICTION_ERRORS)),
      latency: histogram(meter, METRIC_PREDICTION_LATENCY, boundaries?.latency),
      confidence: histogram(meter, METRIC_PREDICTION_CONFIDENCE, boundaries?.confidence),
      batchSize: histogram(meter, METRIC_PREDICTION_BATCH_SIZE, boundaries?.batchSize),
      inFlight: meter.createUpDownCounter(METRIC_PREDICTIONS_IN_FLIGHT.name, describe(METRIC_PREDICTIONS_IN_FLIGHT)),
      inFlightReported: new Map(),
      timeToFirstItem: histogram(meter, METRIC_TIME_TO_FIRST_ITEM, boundaries?.timeToFirstItem),
      streamItems: histogram(meter, METRIC_STREAM_ITEMS, boundaries?.streamItems),
      dropped: meter.createCounter(METRIC_DROPPED_OBSERVATIONS.name, describe(METRIC_DROPPED_OBSERVATIONS)),
    };
    // Gauges and the guard's counters: the same points the fast path's
    // collector builds (points.ts), observed at collection. Skipped while a
    // collector is attached: the collector exports them then, and the
    // provider would otherwise hold them twice.
    const owner = this._owner;
    const now = (): HrTimeLike => [0, 0];
    const observe = (definition: MetricDefinition, kind: 'gauge' | 'counter', read: () => { value: number | object; attributes: Attributes }[], first?: () => void): void => {
      const instrument = kind === 'gauge' ? meter.createObservableGauge(definition.name, describe(definition)) : meter.createObservableCounter(definition.name, describe(definition));
      instrument.addCallback((result) => {
        first?.();
        if (owner.collectorAttached) return;
        for (const point of read()) result.observe(point.value as number, point.attributes);
      });
    };
    // Observable callbacks run at every collection, before the SDK reads its
    // sync instruments (MeterSharedState.collect): the first one does the
    // deferred work and brings in-flight up to date, so both are read whole.
    observe(METRIC_MODEL_INFO, 'gauge', () => modelInfoPoints(owner, now()), () => this.settleInFlight(instruments));
    observe(METRIC_ACTIVE_MODEL_VERSION, 'gauge', () => activeVersionPoints(owner, now()));
    observe(METRIC_ATTRIBUTE_REJECTIONS, 'counter', () => rejectionPoints(owner.runtime.guard, owner.startTime, now(), undefined));
    observe(METRIC_SERIES, 'gauge', () => seriesCountPoints(owner.runtime.guard, now()));
    return instruments;
  }

  /**
   * OpenTelemetry bucket boundaries belong to the instrument, not to a series:
   * the first model that declares boundaries for a histogram sets them for
   * every model on this recorder (decorators run before the first call, so
   * this is the first decorated model), and a model that asks for different
   * ones is told once. Per-series boundaries need the fast path.
   */
  checkBuckets(model: string, buckets: BucketOverrides): void {
    if (this._boundaries === undefined && !this._created) {
      this._boundaries = { ...DEFAULT_BOUNDARIES, ...definedOnly(buckets) };
      return;
    }
    const inForce = this._boundaries ?? DEFAULT_BOUNDARIES;
    for (const name of Object.keys(buckets) as (keyof BucketOverrides)[]) {
      const wanted = buckets[name];
      if (wanted !== undefined && !sameBoundaries(wanted, inForce[name])) {
        this._owner.runtime.diag.warn(
          `buckets:${model}:${name}`,
          `@inferometer/core: model "${model}" asks for its own ${name} buckets, but OpenTelemetry bucket boundaries belong to the instrument and are already set; the boundaries in force stay.`,
        );
      }
    }
  }

  /**
   * Brings `ml_predictions_in_flight` of one provider to the exact count of
   * every series. In-flight is one plain integer per series on both paths
   * (the native series' `inFlight`): an `add(±1)` per call through the SDK
   * could not be made exact, since one that runs out of stack inside the SDK
   * (a stack overflow through an instrumented recursive function) may have
   * recorded or not, for some of its readers or all. So calls only move the
   * integer, and here, at collection, with the whole stack, the instrument is
   * moved by the difference: the same points an up-down counter added to per
   * call gives, exact. While a collector is attached it exports in-flight, so
   * a series is only brought down here (a call begun through the API that
   * ended since), never up by calls the collector counts.
   */
  settleInFlight(instruments: Instruments): void {
    flushDeferred();
    const reported = instruments.inFlightReported;
    const fastPath = this._owner.collectorAttached;
    try {
      for (const handle of this._owner.handles) {
        // Series that recorded through this path (or began a call on it) get a point, as with an add per call.
        if (!reported.has(handle) && (handle.statuses !== 0 || (!fastPath && handle.native.inFlight !== 0))) reported.set(handle, Number.NaN);
      }
      for (const [handle, was] of reported) {
        const count = handle.native.inFlight;
        let target: number;
        if (!fastPath) target = count;
        // A point at 0, as the add of the call begun here made one; the collector counts the call.
        else if (Number.isNaN(was)) target = 0;
        else target = Math.min(count, was);
        if (target === was) continue;
        instruments.inFlight.add(Number.isNaN(was) ? target : target - was, handle.attributes);
        // A released series is kept until it is back at 0 on this provider.
        if (target === 0 && !handle.registered) reported.delete(handle);
        else reported.set(handle, target);
      }
    } catch (err) {
      this._owner.runtime.diag.error('error:in-flight', '@inferometer/core: internal failure in ml_predictions_in_flight; retried at the next collection', err);
    }
  }

  /**
   * Reports a failure of the API path once, and counts the observation it
   * lost as dropped. A RangeError is the stack running out (a stack overflow
   * through an instrumented recursive function; the SDK throws none
   * otherwise): it goes on to the caller, whose code defers the work to a
   * frame with room, and counts it once (instrument.ts), instead of losing
   * the outcome here uncounted.
   */
  failed(err: unknown, handle: SeriesHandle): void {
    if (err instanceof RangeError) throw err;
    this._owner.runtime.diag.error('error:record', '@inferometer/core: internal failure in record; the prediction was not affected', err);
    this._owner.dropped(handle.version.model.name, DROP_REASONS.internal);
  }
}

const DEFAULT_BOUNDARIES: Required<BucketOverrides> = {
  latency: METRIC_PREDICTION_LATENCY.buckets,
  confidence: METRIC_PREDICTION_CONFIDENCE.buckets,
  batchSize: METRIC_PREDICTION_BATCH_SIZE.buckets,
  timeToFirstItem: METRIC_TIME_TO_FIRST_ITEM.buckets,
  streamItems: METRIC_STREAM_ITEMS.buckets,
};

/**
 * The fallback path's target: one series on one provider's instruments.
 * Each method guards its own failures (the SDK is the service's code).
 *
 * @internal
 */
export class OtelApiSeries implements SeriesTarget {
  current = false;
  private readonly _base: Attributes;
  private readonly _success: Attributes;
  private readonly _error: Attributes;
  private readonly _cancelled: Attributes;
  private readonly _errorTypes = new Map<string, Attributes>();
  /** Attributes with a token type, finish reason or phase (the values are bounded sets of the catalog). */
  private _more: Map<string, Attributes> | undefined;

  constructor(
    readonly handle: SeriesHandle,
    private readonly _recorder: OtelApiRecorder,
    private readonly _instruments: Instruments,
  ) {
    this._base = handle.attributes;
    this._success = { ...handle.attributes, [ATTR_STATUS]: STATUS_SUCCESS };
    this._error = { ...handle.attributes, [ATTR_STATUS]: STATUS_ERROR };
    this._cancelled = { ...handle.attributes, [ATTR_STATUS]: STATUS_CANCELLED };
  }

  fresh(): SeriesTarget {
    if (!this.current) return this.handle.now();
    // The global provider changed: the handle moves to the new one's instruments.
    if (this._recorder.instruments() !== this._instruments) this.handle.swap(this._recorder.target(this.handle));
    return this.handle.target;
  }

  /*
   * In-flight is the handle's native count (the instrument is brought to it
   * at collection, see OtelApiRecorder.settleInFlight), +1 as begin()'s last
   * step and -1 as each end's last, inline: a begin or an end that throws
   * has not moved it (see PredictionSeries).
   */

  begin(): CallSeries {
    const target = this.fresh();
    if (target !== this) return target.begin();
    const handle = this.handle;
    const version = handle.version;
    if (version.model.active !== version) activate(version);
    // This series now has an in-flight point on the API path (see settleInFlight).
    handle.statuses |= 8;
    handle.native.counts[handle.native.at + IN_FLIGHT]!++;
    return this;
  }

  succeed(seconds: number): void {
    this.outcome(seconds, undefined);
    const count = this.handle.native;
    const slot = count.at + IN_FLIGHT;
    if (count.counts[slot]! > 0) count.counts[slot]!--;
  }

  fail(seconds: number, errorType: string): void {
    this.outcome(seconds, errorType);
    const count = this.handle.native;
    const slot = count.at + IN_FLIGHT;
    if (count.counts[slot]! > 0) count.counts[slot]!--;
  }

  cancel(): void {
    this.outcome(0, CANCELLED);
    const count = this.handle.native;
    const slot = count.at + IN_FLIGHT;
    if (count.counts[slot]! > 0) count.counts[slot]!--;
  }

  outcome(seconds: number, errorType: Outcome): void {
    const target = this.fresh();
    if (target !== this) {
      target.outcome(seconds, errorType);
      return;
    }
    try {
      const i = this._instruments;
      if (errorType === CANCELLED) {
        this.handle.statuses |= 4;
        i.predictions.add(1, this._cancelled);
        return;
      }
      // The prediction count last: an outcome cut short is counted once,
      // as dropped, never twice (see NativeSeries.succeed).
      i.latency.record(seconds, this._base);
      if (errorType === undefined) {
        this.handle.statuses |= 1;
        i.predictions.add(1, this._success);
      } else {
        this.handle.statuses |= 2;
        i.errors.add(1, this._errorAttributes(this.handle.errorType(errorType)));
        i.predictions.add(1, this._error);
      }
    } catch (err) {
      this._recorder.failed(err, this.handle);
    }
  }

  confidence(value: number): void {
    const target = this.fresh();
    if (target !== this) return target.confidence(value);
    this._record(this._instruments.confidence, value);
  }

  batchSize(items: number): void {
    const target = this.fresh();
    if (target !== this) return target.batchSize(items);
    this._record(this._instruments.batchSize, items);
  }

  firstItem(seconds: number): void {
    const target = this.fresh();
    if (target !== this) return target.firstItem(seconds);
    this._record(this._instruments.timeToFirstItem, seconds);
  }

  streamItems(items: number): void {
    const target = this.fresh();
    if (target !== this) return target.streamItems(items);
    this._record(this._instruments.streamItems, items);
  }

  generation(record: GenerationRecord): void {
    const target = this.fresh();
    if (target !== this) return target.generation(record);
    try {
      const i = this._recorder.generationInstruments();
      if (record.inputTokens !== undefined) i.tokens.record(record.inputTokens, this._labelled(ATTR_TOKEN_TYPE, 'input' satisfies TokenType));
      if (record.outputTokens !== undefined) i.tokens.record(record.outputTokens, this._labelled(ATTR_TOKEN_TYPE, 'output' satisfies TokenType));
      if (record.cachedInputTokens !== undefined) i.tokens.record(record.cachedInputTokens, this._labelled(ATTR_TOKEN_TYPE, 'cached_input' satisfies TokenType));
      if (record.timePerOutputToken !== undefined) i.timePerOutputToken.record(record.timePerOutputToken, this._base);
      if (record.finish !== undefined) i.finishes.add(1, this._labelled(ATTR_FINISH_REASON, record.finish));
    } catch (err) {
      this._recorder.failed(err, this.handle);
    }
  }

  phase(phase: Phase, seconds: number): void {
    const target = this.fresh();
    if (target !== this) return target.phase(phase, seconds);
    try {
      this._recorder.generationInstruments().phases.record(seconds, this._labelled(ATTR_PHASE, phase));
    } catch (err) {
      this._recorder.failed(err, this.handle);
    }
  }

  /** The series' attributes plus one bounded key, one object per (key, value), made on first use. */
  private _labelled(key: string, value: string): Attributes {
    const labelled = (this._more ??= new Map());
    const id = `${key}\u0000${value}`;
    let attributes = labelled.get(id);
    if (attributes === undefined) labelled.set(id, (attributes = { ...this._base, [key]: value }));
    return attributes;
  }

  private _record(histogram: Histogram, value: number): void {
    try {
      histogram.record(value, this._base);
    } catch (err) {
      this._recorder.failed(err, this.handle);
    }
  }

  private _errorAttributes(type: string): Attributes {
    let attributes = this._errorTypes.get(type);
    if (attributes === undefined) this._errorTypes.set(type, (attributes = { ...this._base, [ATTR_ERROR_TYPE]: type }));
    return attributes;
  }
}

function describe(metric: MetricDefinition): { description: string; unit: string } {
  return { description: metric.description, unit: metric.unit };
}

function histogram(meter: Meter, metric: MetricDefinition, boundaries: readonly number[] | undefined): Histogram {
  return meter.createHistogram(metric.name, {
    ...describe(metric),
    // Without advice the SDK's default boundaries are millisecond-scale and
    // every observation in seconds lands in the first bucket.
    advice: { explicitBucketBoundaries: [...(boundaries ?? metric.buckets ?? [])] },
  });
}

function sameBoundaries(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

function definedOnly(buckets: BucketOverrides): BucketOverrides {
  return Object.fromEntries(Object.entries(buckets).filter(([, value]) => value !== undefined));
}
