import {
  metrics,
  type Attributes,
  type Counter,
  type Histogram,
  type Meter,
  type MeterProvider,
  type ObservableGauge,
  type ObservableResult,
  type UpDownCounter,
} from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_MODEL_NAME,
  ATTR_MODEL_VERSION,
  ATTR_REASON,
  ATTR_STATUS,
  ERROR_TYPE_OTHER,
  INSTRUMENTATION_SCOPE,
  MAX_ERROR_TYPES_PER_SERIES,
  ATTR_METRIC,
  METRIC_ACTIVE_MODEL_VERSION,
  METRIC_ATTRIBUTE_REJECTIONS,
  METRIC_DROPPED_OBSERVATIONS,
  METRIC_SERIES,
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
} from '../catalog.js';
import { reportInternalError, warnOnce } from '../diagnostics.js';
import { rejectionCounts, seriesPerMetric } from '../guard/registry.js';
import { VERSION } from '../version.js';
import type { BucketOverrides, PredictionSeries, Recorder, SeriesKey } from './recorder.js';

/** The catalog's instruments, created from one MeterProvider. */
interface Instruments {
  readonly predictions: Counter;
  readonly errors: Counter;
  readonly latency: Histogram;
  readonly confidence: Histogram;
  readonly batchSize: Histogram;
  readonly inFlight: UpDownCounter;
  readonly timeToFirstItem: Histogram;
  readonly streamItems: Histogram;
  readonly dropped: Counter;
}

/** What the model gauges report: every version seen, and the latest one. */
interface ModelState {
  readonly versions: Map<string, Attributes>;
  activeVersion: number | undefined;
  readonly activeAttributes: Attributes;
}

/**
 * Records through the global OpenTelemetry MeterProvider, whatever set it:
 * `@inferometer/node`'s `start()` or the service's own SDK. No `start()` is
 * needed when the service already registered a provider.
 *
 * The JS metrics API has no proxy provider: instruments taken from the no-op
 * provider before an SDK registers stay no-ops. Decorators run at class
 * definition, usually before `start()`, so instruments are taken lazily and
 * taken again whenever the global provider changes; the check is one
 * reference comparison per call.
 *
 * @internal
 */
export class OtelApiRecorder implements Recorder {
  private _provider: MeterProvider | undefined;
  private _instruments: Instruments | undefined;
  private readonly _models = new Map<string, ModelState>();
  /** Bucket boundaries each histogram was created with, to warn on conflicting overrides. */
  private _boundaries: Required<BucketOverrides> | undefined;

  series(key: SeriesKey): PredictionSeries {
    const model = this._model(key.model);
    if (!model.versions.has(key.version)) {
      model.versions.set(key.version, {
        [ATTR_MODEL_NAME]: key.model,
        [ATTR_MODEL_VERSION]: key.version,
      });
    }
    if (key.buckets !== undefined) this._checkBuckets(key.model, key.buckets);
    return new OtelApiSeries(this, model, key);
  }

  dropped(model: string, reason: string): void {
    try {
      this.instruments().dropped.add(1, { [ATTR_MODEL_NAME]: model, [ATTR_REASON]: reason });
    } catch (err) {
      reportInternalError('record', err);
    }
  }

  /** The instruments of the current global provider (created on first use or after a change). */
  instruments(): Instruments {
    const provider = metrics.getMeterProvider();
    if (provider !== this._provider || this._instruments === undefined) {
      this._provider = provider;
      this._instruments = this._create(provider.getMeter(INSTRUMENTATION_SCOPE, VERSION));
    }
    return this._instruments;
  }

  private _model(name: string): ModelState {
    let state = this._models.get(name);
    if (state === undefined) {
      state = { versions: new Map(), activeVersion: undefined, activeAttributes: { [ATTR_MODEL_NAME]: name } };
      this._models.set(name, state);
    }
    return state;
  }

  private _create(meter: Meter): Instruments {
    const boundaries = this._boundaries;
    const instruments: Instruments = {
      predictions: meter.createCounter(METRIC_PREDICTIONS.name, describe(METRIC_PREDICTIONS)),
      errors: meter.createCounter(METRIC_PREDICTION_ERRORS.name, describe(METRIC_PREDICTION_ERRORS)),
      latency: histogram(meter, METRIC_PREDICTION_LATENCY, boundaries?.latency),
      confidence: histogram(meter, METRIC_PREDICTION_CONFIDENCE, boundaries?.confidence),
      batchSize: histogram(meter, METRIC_PREDICTION_BATCH_SIZE, boundaries?.batchSize),
      inFlight: meter.createUpDownCounter(
        METRIC_PREDICTIONS_IN_FLIGHT.name,
        describe(METRIC_PREDICTIONS_IN_FLIGHT),
      ),
      timeToFirstItem: histogram(meter, METRIC_TIME_TO_FIRST_ITEM, boundaries?.timeToFirstItem),
      streamItems: histogram(meter, METRIC_STREAM_ITEMS, boundaries?.streamItems),
      dropped: meter.createCounter(METRIC_DROPPED_OBSERVATIONS.name, describe(METRIC_DROPPED_OBSERVATIONS)),
    };
    const info: ObservableGauge = meter.createObservableGauge(METRIC_MODEL_INFO.name, describe(METRIC_MODEL_INFO));
    info.addCallback((result: ObservableResult) => {
      for (const model of this._models.values()) {
        for (const attributes of model.versions.values()) result.observe(1, attributes);
      }
    });
    const active: ObservableGauge = meter.createObservableGauge(
      METRIC_ACTIVE_MODEL_VERSION.name,
      describe(METRIC_ACTIVE_MODEL_VERSION),
    );
    active.addCallback((result: ObservableResult) => {
      for (const model of this._models.values()) {
        if (model.activeVersion !== undefined) result.observe(model.activeVersion, model.activeAttributes);
      }
    });
    // The cardinality guard's own metrics, read at collection.
    meter.createObservableCounter(METRIC_ATTRIBUTE_REJECTIONS.name, describe(METRIC_ATTRIBUTE_REJECTIONS)).addCallback((result) => {
      for (const entry of rejectionCounts()) result.observe(entry.count, entry.attributes);
    });
    meter.createObservableGauge(METRIC_SERIES.name, describe(METRIC_SERIES)).addCallback((result) => {
      for (const [metric, count] of seriesPerMetric()) result.observe(count, { [ATTR_METRIC]: metric });
    });
    return instruments;
  }

  /**
   * OpenTelemetry bucket boundaries belong to the instrument, not to a series:
   * the first model that declares boundaries for a histogram sets them for
   * every model on this recorder (decorators run before the first call, so
   * this is the first decorated model), and a model that asks for different
   * ones is told once. Per-series boundaries need the native recorder.
   */
  private _checkBuckets(model: string, buckets: BucketOverrides): void {
    if (this._boundaries === undefined && this._instruments === undefined) {
      this._boundaries = { ...DEFAULT_BOUNDARIES, ...definedOnly(buckets) };
      return;
    }
    const inForce = this._boundaries ?? DEFAULT_BOUNDARIES;
    for (const name of Object.keys(buckets) as (keyof BucketOverrides)[]) {
      const wanted = buckets[name];
      if (wanted !== undefined && !sameBoundaries(wanted, inForce[name])) {
        warnOnce(
          `buckets:${model}:${name}`,
          `@inferometer/core: model "${model}" asks for its own ${name} buckets, but OpenTelemetry bucket boundaries belong to the instrument and are already set; the boundaries in force stay.`,
        );
      }
    }
  }
}

const DEFAULT_BOUNDARIES: Required<BucketOverrides> = {
  latency: METRIC_PREDICTION_LATENCY.buckets,
  confidence: METRIC_PREDICTION_CONFIDENCE.buckets,
  batchSize: METRIC_PREDICTION_BATCH_SIZE.buckets,
  timeToFirstItem: METRIC_TIME_TO_FIRST_ITEM.buckets,
  streamItems: METRIC_STREAM_ITEMS.buckets,
};

/** Records one (model, version, attributes) series; each method guards its own failures. */
class OtelApiSeries implements PredictionSeries {
  private readonly _base: Attributes;
  private readonly _success: Attributes;
  private readonly _error: Attributes;
  private readonly _errorTypes = new Map<string, Attributes>();

  constructor(
    private readonly _recorder: OtelApiRecorder,
    private readonly _model: ModelState,
    private readonly _key: SeriesKey,
  ) {
    this._base = {
      ..._key.attributes,
      [ATTR_MODEL_NAME]: _key.model,
      [ATTR_MODEL_VERSION]: _key.version,
    };
    this._success = { ...this._base, [ATTR_STATUS]: STATUS_SUCCESS };
    this._error = { ...this._base, [ATTR_STATUS]: STATUS_ERROR };
  }

  begin(): PredictionSeries {
    try {
      this._model.activeVersion = this._key.versionNumber;
      this._recorder.instruments().inFlight.add(1, this._base);
    } catch (err) {
      reportInternalError('record', err);
    }
    return this;
  }

  succeed(seconds: number, begun = true): void {
    try {
      const i = this._recorder.instruments();
      if (begun) i.inFlight.add(-1, this._base);
      i.predictions.add(1, this._success);
      i.latency.record(seconds, this._base);
    } catch (err) {
      reportInternalError('record', err);
    }
  }

  fail(seconds: number, errorType: string, begun = true): void {
    try {
      const i = this._recorder.instruments();
      if (begun) i.inFlight.add(-1, this._base);
      i.predictions.add(1, this._error);
      i.latency.record(seconds, this._base);
      i.errors.add(1, this._errorAttributes(errorType));
    } catch (err) {
      reportInternalError('record', err);
    }
  }

  confidence(value: number): void {
    try {
      this._recorder.instruments().confidence.record(value, this._base);
    } catch (err) {
      reportInternalError('record', err);
    }
  }

  batchSize(items: number): void {
    try {
      this._recorder.instruments().batchSize.record(items, this._base);
    } catch (err) {
      reportInternalError('record', err);
    }
  }

  firstItem(seconds: number): void {
    try {
      this._recorder.instruments().timeToFirstItem.record(seconds, this._base);
    } catch (err) {
      reportInternalError('record', err);
    }
  }

  streamItems(items: number): void {
    try {
      this._recorder.instruments().streamItems.record(items, this._base);
    } catch (err) {
      reportInternalError('record', err);
    }
  }

  private _errorAttributes(errorType: string): Attributes {
    let attributes = this._errorTypes.get(errorType);
    if (attributes === undefined) {
      const bounded = this._errorTypes.size < MAX_ERROR_TYPES_PER_SERIES ? errorType : ERROR_TYPE_OTHER;
      attributes = this._errorTypes.get(bounded) ?? { ...this._base, [ATTR_ERROR_TYPE]: bounded };
      this._errorTypes.set(bounded, attributes);
    }
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
