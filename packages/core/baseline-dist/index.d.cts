import { Attributes } from '@opentelemetry/api';
export { prometheusBucketBound, prometheusLabelName, prometheusLabelValue, prometheusMetricName } from './internal.cjs';

/**
 * Per-model histogram bucket boundaries, in the metric's unit. Each list must
 * be finite numbers in strictly increasing order.
 *
 * @example
 * ```ts
 * { latency: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05], batchSize: [1, 8, 32, 128] }
 * ```
 */
interface BucketOverrides {
    /** Boundaries for `ml_prediction_latency_seconds`, in seconds. */
    readonly latency?: readonly number[];
    /** Boundaries for `ml_prediction_confidence`, between 0 and 1. */
    readonly confidence?: readonly number[];
    /** Boundaries for `ml_prediction_batch_size`, in items. */
    readonly batchSize?: readonly number[];
    /** Boundaries for `ml_prediction_time_to_first_item_seconds`, in seconds. */
    readonly timeToFirstItem?: readonly number[];
    /** Boundaries for `ml_prediction_stream_items`, in items. */
    readonly streamItems?: readonly number[];
}

/**
 * Sees each call's inputs and results for one model version: the hook that
 * `@inferometer/drift` plugs into the `drift` option. `bind` runs once per
 * (model, version) series, never per call; the bound hooks run per call, on
 * the caller's path, so they must be cheap and must not keep references to
 * the arguments. A hook that throws costs that observation, never the call.
 *
 * @example
 * ```ts
 * const observer: InferenceObserver = {
 *   bind: ({ model, version }) => ({ input: (args) => window.add(args[0]) }),
 * };
 * ```
 */
interface InferenceObserver {
    /** Called once per (model, version) series; returns the per-call hooks. */
    bind(series: {
        readonly model: string;
        readonly version: string;
    }): BoundInferenceObserver;
}
/** The per-call hooks of an {@link InferenceObserver}, bound to one series. */
interface BoundInferenceObserver {
    /** The call's arguments, before the call runs. */
    input?(args: readonly unknown[]): void;
    /** The result of a call that succeeded (for async functions, the resolved value). */
    output?(result: unknown): void;
}
/** A value an extra attribute may take. */
type AttributeValue = string | number | boolean;
/**
 * Where an extra attribute's value comes from: a constant, fixed at
 * decoration time, or a function of the instance and the call's arguments,
 * evaluated per call. Keep the values bounded (a tenant tier, a route), never
 * an id: each distinct value is a new series.
 *
 * @example
 * ```ts
 * { region: 'eu-west-1', tier: (self, [request]) => request.tier }
 * ```
 */
type AttributeSource<This = any, Args extends unknown[] = any[]> = AttributeValue | ((self: This, args: Args) => AttributeValue | undefined);
/**
 * How a result's confidence is read: a number between 0 and 1, a probability
 * vector (its maximum is observed), or a list of vectors for a batch (one
 * observation per row, the row's maximum). Return `undefined` to observe
 * nothing for this call.
 *
 * @example
 * ```ts
 * confidence: (result: { probabilities: Float32Array }) => result.probabilities
 * ```
 */
type ConfidenceExtractor<Result = any> = (result: Result) => number | ArrayLike<number> | ArrayLike<ArrayLike<number>> | undefined;
/**
 * Options of {@link instrument} and {@link Instrument}. Checked once, when the
 * function is wrapped or the class is defined: a wrong option throws there
 * with a message naming it, never later in a prediction.
 *
 * @typeParam This - the type of `this` in the instrumented function.
 * @typeParam Args - its parameter list.
 * @typeParam Result - what it returns (for async functions, what the promise resolves to).
 */
interface InstrumentOptions<This = any, Args extends unknown[] = any[], Result = any> {
    /**
     * The model's name: the `model_name` attribute on every series. Required;
     * 1 to 128 characters.
     *
     * @example
     * ```ts
     * model: 'iris'
     * ```
     */
    model: string;
    /**
     * The model's version: the `model_version` attribute. A string is fixed at
     * decoration time; a function of the instance is read on every call, so the
     * series follow a model that is hot-swapped at run time. Defaults to
     * `'unknown'`.
     *
     * @example
     * ```ts
     * version: '1.2.0'
     * version: (self: IrisService) => self.loadedVersion
     * ```
     */
    version?: string | ((self: This) => string);
    /**
     * Numeric encoding of the version for `ml_active_model_version`, for
     * versions that {@link encodeVersion} cannot read (dates, names).
     *
     * @example
     * ```ts
     * versionNumber: (version) => Date.parse(version.slice(0, 10)) / 1000
     * ```
     */
    versionNumber?: (version: string) => number | undefined;
    /**
     * Reads the prediction's confidence from the result (see
     * {@link ConfidenceExtractor}). Not applied to streamed results.
     *
     * @example
     * ```ts
     * confidence: (result: { probabilities: number[] }) => result.probabilities
     * ```
     */
    confidence?: ConfidenceExtractor<Awaited<Result>>;
    /**
     * Reads the number of items in the call's batch from its arguments, for
     * `ml_prediction_batch_size`. Read before the call, so a callee that
     * consumes its input does not change the figure.
     *
     * @example
     * ```ts
     * batchSize: (rows: number[][]) => rows.length
     * ```
     */
    batchSize?: (...args: Args) => number;
    /**
     * Extra attributes on every per-prediction series, declared up front: the
     * keys are fixed here, the values are constants or read per call (see
     * {@link AttributeSource}). Keys follow Prometheus label rules
     * (`[a-zA-Z_][a-zA-Z0-9_]*`) and may not reuse the catalog's keys. Keys
     * that are unbounded by nature (`user_id`, `request_id`, `email`, `url`,
     * ...) are refused here, naming the key; values read per call pass the
     * cardinality guard (see `configureGuards`).
     *
     * @example
     * ```ts
     * attributes: { region: 'eu-west-1', tier: (self, [request]) => request.tier }
     * ```
     */
    attributes?: Record<string, AttributeSource<This, Args>>;
    /**
     * Attribute keys whose values come from {@link InstrumentOptions.attributesFrom},
     * declared up front like the keys of `attributes`. A key that
     * `attributesFrom` returns without being declared here is dropped from
     * the record and counted in `inferometer_attribute_rejections_total`
     * (`reason="undeclared"`).
     *
     * @example
     * ```ts
     * attributeKeys: ['tier', 'region']
     * ```
     */
    attributeKeys?: readonly string[];
    /**
     * Reads several attributes per call as one record (a request's context,
     * say). Only keys in {@link InstrumentOptions.attributeKeys} are kept; every
     * value passes the cardinality guard.
     *
     * @example
     * ```ts
     * attributesFrom: (self, [request]) => ({ tier: request.tier, region: request.region })
     * ```
     */
    attributesFrom?: (self: This, args: Args) => Record<string, unknown> | undefined;
    /**
     * Keys the built-in unbounded-key patterns would refuse (`user_id`,
     * `session_id`, `url`, ...) that are in fact bounded here: an explicit,
     * named opt-in. Their values still pass the run-time guard.
     *
     * @example
     * ```ts
     * allowUnboundedKeys: ['account_id'] // a handful of internal accounts
     * ```
     */
    allowUnboundedKeys?: readonly string[];
    /**
     * Histogram bucket boundaries for this model, replacing the catalog's
     * defaults (see {@link BucketOverrides}). Honoured per model on the fast
     * path (`@inferometer/node`). Through the OpenTelemetry API fallback (a
     * service's own MeterProvider) boundaries belong to the instrument: the
     * first decorated model that declares them sets them, and a later model
     * asking for different ones is warned through `diag`.
     *
     * @example
     * ```ts
     * buckets: { latency: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1] }
     * ```
     */
    buckets?: BucketOverrides;
    /**
     * Names the `error_type` of a failed call, when the error's class name is
     * not the useful label: onnxruntime throws a plain `Error` for a feed of
     * the wrong shape, which you may want counted as `invalid_input`. Gets the
     * error and the call's arguments; return `undefined` to keep the class
     * name. The caller still gets the very same error. Labels are cut to 64
     * characters of `[A-Za-z0-9_.]`, and at most 32 distinct ones are kept per
     * series.
     *
     * @example
     * ```ts
     * errorType: (error) => (error instanceof RangeError ? 'invalid_input' : undefined)
     * ```
     */
    errorType?: (error: unknown, args: Args) => string | undefined;
    /**
     * Watches inputs and results for drift: pass `@inferometer/drift`'s
     * monitor (or any {@link InferenceObserver}). Bound once per version.
     *
     * @example
     * ```ts
     * import { driftMonitor } from '@inferometer/drift';
     * drift: driftMonitor({ reference, features: (rows) => rows })
     * ```
     */
    drift?: InferenceObserver;
    /**
     * How results that are async iterables are treated. `'auto'` (default):
     * a returned async iterable (an async generator, or a sync function
     * returning one) is measured as a stream: time to first item, items
     * produced, and latency to the end. `true`: also a promise that resolves to
     * an async iterable (an LLM client's streaming call); the wrapper then
     * returns a new promise resolving to the measured stream. `false`: never.
     *
     * @example
     * ```ts
     * streaming: true
     * ```
     */
    streaming?: 'auto' | boolean;
}

/** Start of a series' cumulative data, as OpenTelemetry HrTime `[seconds, nanoseconds]`. */
type HrTimeLike = [number, number];

type AnyFunction = (this: any, ...args: any[]) => any;
/**
 * Wraps an inference function so every call is measured: counted by outcome,
 * timed, and (with the extractors in `options`) its confidence and batch size
 * observed, per model and version.
 *
 * Works for sync functions, async functions (or any function returning a
 * promise) and functions returning async iterables (streams). The wrapper
 * keeps `this`, the arguments, the return value (the very same promise for
 * async functions), the thrown error's identity, and the function's `name`
 * and `length`. Metrics are recorded through the global OpenTelemetry
 * MeterProvider, so a service that already registered one needs no
 * `start()`; without any provider, recording is a no-op.
 *
 * Options are checked here, once: a bad option throws a `TypeError` naming
 * it. After that the wrapper never throws anything of its own; its failures
 * go to OpenTelemetry's `diag`, and unusable extractor results are counted in
 * `inferometer_dropped_observations_total`.
 *
 * @example
 * ```ts
 * import { instrument } from '@inferometer/core';
 *
 * const predict = instrument(
 *   async (features: number[][]) => session.run(toTensor(features)),
 *   {
 *     model: 'iris',
 *     version: '1.0.0',
 *     batchSize: (features) => features.length,
 *     confidence: (out) => out.probabilities.data,
 *   },
 * );
 * ```
 */
declare function instrument<F extends AnyFunction>(fn: F, options: InstrumentOptions<ThisParameterType<F>, Parameters<F>, ReturnType<F>>): F;

type Method = (this: any, ...args: any[]) => any;
/** The legacy (`experimentalDecorators`, NestJS) method decorator signature. */
type LegacyMethodDecorator = <T>(target: object, propertyKey: string | symbol, descriptor: TypedPropertyDescriptor<T>) => TypedPropertyDescriptor<T> | void;
/** The TC39 standard (TypeScript 5+ default) method decorator signature. */
type StandardMethodDecorator = <M extends Method>(value: M, context: ClassMethodDecoratorContext<ThisParameterType<M>, M>) => M;
/** What {@link Instrument} returns: usable under both decorator flavours. */
type InstrumentDecorator = LegacyMethodDecorator & StandardMethodDecorator;
/**
 * Method decorator: instruments a predict method once, exactly as
 * {@link instrument} does for a plain function. One export serves both
 * TypeScript's standard (TC39) decorators and `experimentalDecorators`
 * (NestJS): the call's arguments tell which is in use.
 *
 * Options are checked when the class is defined; a bad option throws there,
 * naming it.
 *
 * @example
 * ```ts
 * import { Instrument } from '@inferometer/core';
 *
 * class IrisModel {
 *   version = '1.0.0';
 *
 *   @Instrument({
 *     model: 'iris',
 *     version: (self: IrisModel) => self.version,
 *     confidence: (probabilities: number[]) => probabilities,
 *   })
 *   async predict(features: number[]): Promise<number[]> {
 *     return this.session.run(features);
 *   }
 * }
 * ```
 */
declare function Instrument(options: InstrumentOptions): InstrumentDecorator;

/**
 * The metric catalog: the one module that owns metric names, units,
 * descriptions, attribute keys and default bucket boundaries. Everything else
 * (recorders, exporters, dashboards, tests) imports these constants.
 *
 * Naming rule: every instrument is named so that each export path yields the
 * same Prometheus series name.
 * - `@opentelemetry/exporter-prometheus` adds `_total` to monotonic sums and
 *   never adds unit suffixes.
 * - OTLP-to-Prometheus translation (specification
 *   compatibility/prometheus_and_openmetrics.md) adds `_total` to monotonic
 *   sums and a unit suffix from UCUM (`s` -> `seconds`) unless the name
 *   already ends with it; curly-brace units such as `{prediction}` add nothing.
 * So histograms in seconds carry `_seconds` in the instrument name, counters
 * do not carry `_total`, and gauges use curly-brace or empty units (unit `1`
 * would gain `_ratio` on gauges).
 *
 * @packageDocumentation
 */
/** Attribute key: the model's name, e.g. `iris`. */
declare const ATTR_MODEL_NAME: "model_name";
/** Attribute key: the model's version, e.g. `1.2.0`. */
declare const ATTR_MODEL_VERSION: "model_version";
/** Attribute key on {@link METRIC_PREDICTIONS}: {@link STATUS_SUCCESS} or {@link STATUS_ERROR}. */
declare const ATTR_STATUS: "status";
/** Attribute key on {@link METRIC_PREDICTION_ERRORS}: the error's class name, bounded. */
declare const ATTR_ERROR_TYPE: "error_type";
/** Value of {@link ATTR_STATUS} for a call that returned (or resolved, or finished streaming). */
declare const STATUS_SUCCESS: "success";
/** Value of {@link ATTR_STATUS} for a call that threw (or rejected, or failed mid-stream). */
declare const STATUS_ERROR: "error";
/**
 * Value of {@link ATTR_ERROR_TYPE} once a series has seen
 * {@link MAX_ERROR_TYPES_PER_SERIES} distinct error classes: class names are
 * bounded in well-behaved code, but a bug that builds classes dynamically
 * must not create series without end.
 */
declare const ERROR_TYPE_OTHER: "_OTHER";
/** Most distinct `error_type` values kept per series before {@link ERROR_TYPE_OTHER}. */
declare const MAX_ERROR_TYPES_PER_SERIES = 32;
/** The kinds of instrument the catalog uses. */
type MetricKind = 'counter' | 'histogram' | 'updowncounter' | 'gauge';
/** One catalog entry. */
interface MetricDefinition {
    /** OpenTelemetry instrument name. */
    readonly name: string;
    /** The series name a Prometheus user sees (histograms add `_bucket`, `_sum`, `_count`). */
    readonly prometheusName: string;
    /** Instrument kind. */
    readonly kind: MetricKind;
    /** UCUM unit given to the instrument. */
    readonly unit: string;
    /** Help text. */
    readonly description: string;
    /** Attribute keys every point of this metric carries (user-declared keys come on top). */
    readonly attributes: readonly string[];
    /** Default explicit bucket boundaries (histograms only). */
    readonly buckets?: readonly number[];
}
/** Default latency buckets in seconds: 5 ms to 10 s, the classic Prometheus client defaults. */
declare const DEFAULT_LATENCY_BUCKETS: readonly [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Default confidence buckets: 0.1 to 1.0 by 0.1. */
declare const DEFAULT_CONFIDENCE_BUCKETS: readonly [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
/** Default batch-size buckets: powers of two from 1 to 1024 items. */
declare const DEFAULT_BATCH_SIZE_BUCKETS: readonly [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];
/**
 * Default time-to-first-item buckets in seconds, those of the GenAI semantic
 * conventions' `gen_ai.server.time_to_first_token`.
 */
declare const DEFAULT_TIME_TO_FIRST_ITEM_BUCKETS: readonly [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
/** Default stream-length buckets: powers of four from 1 to 65536 items. */
declare const DEFAULT_STREAM_ITEMS_BUCKETS: readonly [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536];
/** `ml_predictions_total{model_name, model_version, status}`: every call, counted once when it ends. */
declare const METRIC_PREDICTIONS: {
    readonly name: "ml_predictions";
    readonly prometheusName: "ml_predictions_total";
    readonly kind: "counter";
    readonly unit: "{prediction}";
    readonly description: "Predictions completed, by outcome.";
    readonly attributes: readonly ["model_name", "model_version", "status"];
};
/** `ml_prediction_errors_total{model_name, model_version, error_type}`: failed calls by error class. */
declare const METRIC_PREDICTION_ERRORS: {
    readonly name: "ml_prediction_errors";
    readonly prometheusName: "ml_prediction_errors_total";
    readonly kind: "counter";
    readonly unit: "{error}";
    readonly description: "Predictions that failed, by error class.";
    readonly attributes: readonly ["model_name", "model_version", "error_type"];
};
/** `ml_prediction_latency_seconds{model_name, model_version}`: wall time of a call (a stream: until it ends). */
declare const METRIC_PREDICTION_LATENCY: {
    readonly name: "ml_prediction_latency_seconds";
    readonly prometheusName: "ml_prediction_latency_seconds";
    readonly kind: "histogram";
    readonly unit: "s";
    readonly description: "Prediction latency, from call to result (for streams, to the last item).";
    readonly attributes: readonly ["model_name", "model_version"];
    readonly buckets: readonly [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
};
/** `ml_prediction_confidence{model_name, model_version}`: the model's confidence in its answer, 0 to 1. */
declare const METRIC_PREDICTION_CONFIDENCE: {
    readonly name: "ml_prediction_confidence";
    readonly prometheusName: "ml_prediction_confidence";
    readonly kind: "histogram";
    readonly unit: "1";
    readonly description: "Confidence of each prediction (the top class probability for a probability vector).";
    readonly attributes: readonly ["model_name", "model_version"];
    readonly buckets: readonly [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
};
/** `ml_prediction_batch_size{model_name, model_version}`: items per call, for batched predict. */
declare const METRIC_PREDICTION_BATCH_SIZE: {
    readonly name: "ml_prediction_batch_size";
    readonly prometheusName: "ml_prediction_batch_size";
    readonly kind: "histogram";
    readonly unit: "{item}";
    readonly description: "Items per prediction call.";
    readonly attributes: readonly ["model_name", "model_version"];
    readonly buckets: readonly [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];
};
/** `ml_predictions_in_flight{model_name, model_version}`: calls started and not yet ended. */
declare const METRIC_PREDICTIONS_IN_FLIGHT: {
    readonly name: "ml_predictions_in_flight";
    readonly prometheusName: "ml_predictions_in_flight";
    readonly kind: "updowncounter";
    readonly unit: "{prediction}";
    readonly description: "Predictions in progress.";
    readonly attributes: readonly ["model_name", "model_version"];
};
/** `ml_prediction_time_to_first_item_seconds{model_name, model_version}`: streams only. */
declare const METRIC_TIME_TO_FIRST_ITEM: {
    readonly name: "ml_prediction_time_to_first_item_seconds";
    readonly prometheusName: "ml_prediction_time_to_first_item_seconds";
    readonly kind: "histogram";
    readonly unit: "s";
    readonly description: "Time from call to the first item of a streamed prediction.";
    readonly attributes: readonly ["model_name", "model_version"];
    readonly buckets: readonly [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
};
/** `ml_prediction_stream_items{model_name, model_version}`: items produced per streamed prediction. */
declare const METRIC_STREAM_ITEMS: {
    readonly name: "ml_prediction_stream_items";
    readonly prometheusName: "ml_prediction_stream_items";
    readonly kind: "histogram";
    readonly unit: "{item}";
    readonly description: "Items produced by each streamed prediction.";
    readonly attributes: readonly ["model_name", "model_version"];
    readonly buckets: readonly [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536];
};
/** `ml_model_info{model_name, model_version}` = 1 for each version that has served. */
declare const METRIC_MODEL_INFO: {
    readonly name: "ml_model_info";
    readonly prometheusName: "ml_model_info";
    readonly kind: "gauge";
    readonly unit: "";
    readonly description: "Always 1: one series per model version that has been loaded and served.";
    readonly attributes: readonly ["model_name", "model_version"];
};
/**
 * `ml_active_model_version{model_name}`: the numeric encoding of the version
 * that served the latest call (see `encodeVersion`), as in the classic
 * prometheus_client model-version gauge, so that a version change is a step
 * on a graph.
 */
declare const METRIC_ACTIVE_MODEL_VERSION: {
    readonly name: "ml_active_model_version";
    readonly prometheusName: "ml_active_model_version";
    readonly kind: "gauge";
    readonly unit: "";
    readonly description: "Numeric encoding of the model version that served the latest prediction.";
    readonly attributes: readonly ["model_name"];
};
/** Attribute key on {@link METRIC_DROPPED_OBSERVATIONS}: why an observation was dropped. */
declare const ATTR_REASON: "reason";
/**
 * Values of {@link ATTR_REASON}: a user-supplied extractor threw or returned
 * something unusable, so that one observation was left out (the prediction
 * itself is always counted and its result untouched).
 */
declare const DROP_REASONS: {
    /** The `version` function threw or returned a non-string; the call is counted under `unknown`. */
    readonly version: "version_error";
    /** An attribute function threw; the attribute is left off that call. */
    readonly attribute: "attribute_error";
    /** The `confidence` extractor threw or returned something that is not a number or vector. */
    readonly confidence: "confidence_error";
    /** A confidence value outside [0, 1] or not finite. */
    readonly confidenceRange: "confidence_out_of_range";
    /** The `batchSize` extractor threw or returned a negative or non-finite number. */
    readonly batchSize: "batch_size_error";
    /** A function's dynamic version/attribute combinations passed their cap; later ones share one series. */
    readonly seriesOverflow: "series_overflow";
};
/** `inferometer_dropped_observations_total{model_name, reason}`: what the instrumentation left out, and why. */
declare const METRIC_DROPPED_OBSERVATIONS: {
    readonly name: "inferometer_dropped_observations";
    readonly prometheusName: "inferometer_dropped_observations_total";
    readonly kind: "counter";
    readonly unit: "{observation}";
    readonly description: "Observations the instrumentation dropped because an extractor failed or a cap was hit.";
    readonly attributes: readonly ["model_name", "reason"];
};
/** Attribute key on the drift metrics: the input feature's name. */
declare const ATTR_FEATURE: "feature";
/** Attribute key on the drift metrics: the statistic (`psi`, `ks`, `js`, `chi2`). */
declare const ATTR_METHOD: "method";
/** Attribute key on the cardinality self-metrics: the metric's Prometheus name. */
declare const ATTR_METRIC: "metric";
/** Attribute key on the cardinality self-metrics: the attribute that was refused. */
declare const ATTR_ATTRIBUTE: "attribute";
/** Attribute key on the model load metric: the onnxruntime execution provider (`cpu`, `cuda`). */
declare const ATTR_EXECUTION_PROVIDER: "execution_provider";
/** Attribute key on `ml_prediction_drift_score`: which output drifted, {@link PREDICTION_CLASS} or {@link PREDICTION_CONFIDENCE}. */
declare const ATTR_PREDICTION: "prediction";
/** Value of {@link ATTR_PREDICTION}: the distribution of predicted classes. */
declare const PREDICTION_CLASS: "class";
/** Value of {@link ATTR_PREDICTION}: the distribution of confidence. */
declare const PREDICTION_CONFIDENCE: "confidence";
/**
 * `ml_data_drift_score{model_name, model_version, feature, method}`: how far
 * the recent inputs of one feature moved from the reference profile,
 * computed at collection time over a sliding window.
 */
declare const METRIC_DATA_DRIFT_SCORE: {
    readonly name: "ml_data_drift_score";
    readonly prometheusName: "ml_data_drift_score";
    readonly kind: "gauge";
    readonly unit: "";
    readonly description: "Drift of one input feature against its reference profile, by statistic, over the recent window.";
    readonly attributes: readonly ["model_name", "model_version", "feature", "method"];
};
/**
 * `ml_prediction_drift_score{model_name, model_version, method, prediction}`:
 * drift of the predicted classes (`prediction="class"`) or of the confidence
 * (`prediction="confidence"`) against the reference.
 */
declare const METRIC_PREDICTION_DRIFT_SCORE: {
    readonly name: "ml_prediction_drift_score";
    readonly prometheusName: "ml_prediction_drift_score";
    readonly kind: "gauge";
    readonly unit: "";
    readonly description: "Drift of the predictions (classes or confidence) against the reference, by statistic, over the recent window.";
    readonly attributes: readonly ["model_name", "model_version", "method", "prediction"];
};
/**
 * `inferometer_drift_dropped_observations_total{model_name, reason}`: inputs
 * or results the drift monitor could not use. A family of its own, apart
 * from {@link METRIC_DROPPED_OBSERVATIONS}: the drift monitor records through
 * the OpenTelemetry API while core records that one through its fast path,
 * and two instruments of one name would make two families of one name.
 */
declare const METRIC_DRIFT_DROPPED: {
    readonly name: "inferometer_drift_dropped_observations";
    readonly prometheusName: "inferometer_drift_dropped_observations_total";
    readonly kind: "counter";
    readonly unit: "{observation}";
    readonly description: "Rows or results the drift monitor left out, by reason.";
    readonly attributes: readonly ["model_name", "reason"];
};
/** Values of `reason` on {@link METRIC_DRIFT_DROPPED}. */
declare const DRIFT_DROP_REASONS: {
    /** The `features` (or a `predictions`) extractor threw. */
    readonly extractor: "drift_extractor_error";
    /** The extractor returned something that is not rows, a row, records or a tensor. */
    readonly unsupported: "drift_unsupported_input";
    /** A row had a different number of values than the profile has features. */
    readonly shape: "drift_shape_mismatch";
};
/** `ml_model_load_seconds{model_name, model_version, execution_provider}`: time to create an inference session. */
declare const METRIC_MODEL_LOAD: {
    readonly name: "ml_model_load_seconds";
    readonly prometheusName: "ml_model_load_seconds";
    readonly kind: "histogram";
    readonly unit: "s";
    readonly description: "Time to load a model and create its inference session.";
    readonly attributes: readonly ["model_name", "model_version", "execution_provider"];
    readonly buckets: readonly [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
};
/** `inferometer_attribute_rejections_total{metric, attribute, reason}`: attributes the cardinality guard refused. */
declare const METRIC_ATTRIBUTE_REJECTIONS: {
    readonly name: "inferometer_attribute_rejections";
    readonly prometheusName: "inferometer_attribute_rejections_total";
    readonly kind: "counter";
    readonly unit: "{rejection}";
    readonly description: "Attribute values the cardinality guard refused or replaced, by metric, attribute and reason.";
    readonly attributes: readonly ["metric", "attribute", "reason"];
};
/** `inferometer_series{metric}`: series each guarded metric holds now. */
declare const METRIC_SERIES: {
    readonly name: "inferometer_series";
    readonly prometheusName: "inferometer_series";
    readonly kind: "gauge";
    readonly unit: "{series}";
    readonly description: "Series each guarded metric currently holds.";
    readonly attributes: readonly ["metric"];
};
/** `inferometer_remote_write_samples_total`: samples the remote-write exporter delivered. */
declare const METRIC_REMOTE_WRITE_SENT: {
    readonly name: "inferometer_remote_write_samples";
    readonly prometheusName: "inferometer_remote_write_samples_total";
    readonly kind: "counter";
    readonly unit: "{sample}";
    readonly description: "Samples delivered by the remote-write exporter (2xx from the receiver).";
    readonly attributes: readonly [];
};
/** `inferometer_remote_write_samples_retried_total`: samples sent again after a 5xx, 429 or network error. */
declare const METRIC_REMOTE_WRITE_RETRIED: {
    readonly name: "inferometer_remote_write_samples_retried";
    readonly prometheusName: "inferometer_remote_write_samples_retried_total";
    readonly kind: "counter";
    readonly unit: "{sample}";
    readonly description: "Samples the remote-write exporter sent again after a retryable failure.";
    readonly attributes: readonly [];
};
/** `inferometer_remote_write_samples_dropped_total{reason}`: samples given up (4xx, queue full, shutdown). */
declare const METRIC_REMOTE_WRITE_DROPPED: {
    readonly name: "inferometer_remote_write_samples_dropped";
    readonly prometheusName: "inferometer_remote_write_samples_dropped_total";
    readonly kind: "counter";
    readonly unit: "{sample}";
    readonly description: "Samples the remote-write exporter gave up on, by reason.";
    readonly attributes: readonly ["reason"];
};
/** `inferometer_remote_write_samples_pending`: samples queued for sending. */
declare const METRIC_REMOTE_WRITE_PENDING: {
    readonly name: "inferometer_remote_write_samples_pending";
    readonly prometheusName: "inferometer_remote_write_samples_pending";
    readonly kind: "gauge";
    readonly unit: "{sample}";
    readonly description: "Samples waiting in the remote-write queue.";
    readonly attributes: readonly [];
};
/** The whole catalog, in a stable order. */
declare const CATALOG: readonly [{
    readonly name: "ml_predictions";
    readonly prometheusName: "ml_predictions_total";
    readonly kind: "counter";
    readonly unit: "{prediction}";
    readonly description: "Predictions completed, by outcome.";
    readonly attributes: readonly ["model_name", "model_version", "status"];
}, {
    readonly name: "ml_prediction_errors";
    readonly prometheusName: "ml_prediction_errors_total";
    readonly kind: "counter";
    readonly unit: "{error}";
    readonly description: "Predictions that failed, by error class.";
    readonly attributes: readonly ["model_name", "model_version", "error_type"];
}, {
    readonly name: "ml_prediction_latency_seconds";
    readonly prometheusName: "ml_prediction_latency_seconds";
    readonly kind: "histogram";
    readonly unit: "s";
    readonly description: "Prediction latency, from call to result (for streams, to the last item).";
    readonly attributes: readonly ["model_name", "model_version"];
    readonly buckets: readonly [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
}, {
    readonly name: "ml_prediction_confidence";
    readonly prometheusName: "ml_prediction_confidence";
    readonly kind: "histogram";
    readonly unit: "1";
    readonly description: "Confidence of each prediction (the top class probability for a probability vector).";
    readonly attributes: readonly ["model_name", "model_version"];
    readonly buckets: readonly [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
}, {
    readonly name: "ml_prediction_batch_size";
    readonly prometheusName: "ml_prediction_batch_size";
    readonly kind: "histogram";
    readonly unit: "{item}";
    readonly description: "Items per prediction call.";
    readonly attributes: readonly ["model_name", "model_version"];
    readonly buckets: readonly [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];
}, {
    readonly name: "ml_predictions_in_flight";
    readonly prometheusName: "ml_predictions_in_flight";
    readonly kind: "updowncounter";
    readonly unit: "{prediction}";
    readonly description: "Predictions in progress.";
    readonly attributes: readonly ["model_name", "model_version"];
}, {
    readonly name: "ml_prediction_time_to_first_item_seconds";
    readonly prometheusName: "ml_prediction_time_to_first_item_seconds";
    readonly kind: "histogram";
    readonly unit: "s";
    readonly description: "Time from call to the first item of a streamed prediction.";
    readonly attributes: readonly ["model_name", "model_version"];
    readonly buckets: readonly [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
}, {
    readonly name: "ml_prediction_stream_items";
    readonly prometheusName: "ml_prediction_stream_items";
    readonly kind: "histogram";
    readonly unit: "{item}";
    readonly description: "Items produced by each streamed prediction.";
    readonly attributes: readonly ["model_name", "model_version"];
    readonly buckets: readonly [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536];
}, {
    readonly name: "ml_model_info";
    readonly prometheusName: "ml_model_info";
    readonly kind: "gauge";
    readonly unit: "";
    readonly description: "Always 1: one series per model version that has been loaded and served.";
    readonly attributes: readonly ["model_name", "model_version"];
}, {
    readonly name: "ml_active_model_version";
    readonly prometheusName: "ml_active_model_version";
    readonly kind: "gauge";
    readonly unit: "";
    readonly description: "Numeric encoding of the model version that served the latest prediction.";
    readonly attributes: readonly ["model_name"];
}, {
    readonly name: "inferometer_dropped_observations";
    readonly prometheusName: "inferometer_dropped_observations_total";
    readonly kind: "counter";
    readonly unit: "{observation}";
    readonly description: "Observations the instrumentation dropped because an extractor failed or a cap was hit.";
    readonly attributes: readonly ["model_name", "reason"];
}, {
    readonly name: "ml_data_drift_score";
    readonly prometheusName: "ml_data_drift_score";
    readonly kind: "gauge";
    readonly unit: "";
    readonly description: "Drift of one input feature against its reference profile, by statistic, over the recent window.";
    readonly attributes: readonly ["model_name", "model_version", "feature", "method"];
}, {
    readonly name: "ml_prediction_drift_score";
    readonly prometheusName: "ml_prediction_drift_score";
    readonly kind: "gauge";
    readonly unit: "";
    readonly description: "Drift of the predictions (classes or confidence) against the reference, by statistic, over the recent window.";
    readonly attributes: readonly ["model_name", "model_version", "method", "prediction"];
}, {
    readonly name: "inferometer_drift_dropped_observations";
    readonly prometheusName: "inferometer_drift_dropped_observations_total";
    readonly kind: "counter";
    readonly unit: "{observation}";
    readonly description: "Rows or results the drift monitor left out, by reason.";
    readonly attributes: readonly ["model_name", "reason"];
}, {
    readonly name: "ml_model_load_seconds";
    readonly prometheusName: "ml_model_load_seconds";
    readonly kind: "histogram";
    readonly unit: "s";
    readonly description: "Time to load a model and create its inference session.";
    readonly attributes: readonly ["model_name", "model_version", "execution_provider"];
    readonly buckets: readonly [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
}, {
    readonly name: "inferometer_attribute_rejections";
    readonly prometheusName: "inferometer_attribute_rejections_total";
    readonly kind: "counter";
    readonly unit: "{rejection}";
    readonly description: "Attribute values the cardinality guard refused or replaced, by metric, attribute and reason.";
    readonly attributes: readonly ["metric", "attribute", "reason"];
}, {
    readonly name: "inferometer_series";
    readonly prometheusName: "inferometer_series";
    readonly kind: "gauge";
    readonly unit: "{series}";
    readonly description: "Series each guarded metric currently holds.";
    readonly attributes: readonly ["metric"];
}, {
    readonly name: "inferometer_remote_write_samples";
    readonly prometheusName: "inferometer_remote_write_samples_total";
    readonly kind: "counter";
    readonly unit: "{sample}";
    readonly description: "Samples delivered by the remote-write exporter (2xx from the receiver).";
    readonly attributes: readonly [];
}, {
    readonly name: "inferometer_remote_write_samples_retried";
    readonly prometheusName: "inferometer_remote_write_samples_retried_total";
    readonly kind: "counter";
    readonly unit: "{sample}";
    readonly description: "Samples the remote-write exporter sent again after a retryable failure.";
    readonly attributes: readonly [];
}, {
    readonly name: "inferometer_remote_write_samples_dropped";
    readonly prometheusName: "inferometer_remote_write_samples_dropped_total";
    readonly kind: "counter";
    readonly unit: "{sample}";
    readonly description: "Samples the remote-write exporter gave up on, by reason.";
    readonly attributes: readonly ["reason"];
}, {
    readonly name: "inferometer_remote_write_samples_pending";
    readonly prometheusName: "inferometer_remote_write_samples_pending";
    readonly kind: "gauge";
    readonly unit: "{sample}";
    readonly description: "Samples waiting in the remote-write queue.";
    readonly attributes: readonly [];
}];
/** Instrumentation scope name under which the catalog's instruments are created. */
declare const INSTRUMENTATION_SCOPE: "@inferometer/core";

/**
 * Aggregation temporality of a collector: `cumulative` (Prometheus, and the
 * OTLP default) or `delta` for counters and histograms (Datadog, New Relic);
 * up-down counters and gauges stay cumulative either way, as in the
 * OpenTelemetry SDK's delta preference.
 */
type Temporality = 'cumulative' | 'delta';
/** A histogram point's value; the same shape as the OpenTelemetry SDK's. */
interface CollectedHistogram {
    readonly buckets: {
        readonly boundaries: number[];
        readonly counts: number[];
    };
    readonly sum: number;
    readonly count: number;
    readonly min?: number;
    readonly max?: number;
}
/** One data point; the same shape as the OpenTelemetry SDK's data points. */
interface CollectedPoint {
    readonly startTime: HrTimeLike;
    readonly endTime: HrTimeLike;
    readonly attributes: Attributes;
    readonly value: number | CollectedHistogram;
}
/** One catalog metric's points at one collection. */
interface CollectedMetric {
    readonly definition: MetricDefinition;
    /** Temporality of these points (gauges and up-down counters are always cumulative). */
    readonly temporality: Temporality;
    readonly points: CollectedPoint[];
}

/**
 * Reads the catalog's aggregated state at collection time. Obtained from
 * {@link attachCollector}; `@inferometer/node` wraps one per metric reader in
 * an OpenTelemetry `MetricProducer`.
 */
interface CatalogCollector {
    /** The temporality of the counters and histograms it returns. */
    readonly temporality: Temporality;
    /** The catalog's points as of `endTime` (OpenTelemetry HrTime `[seconds, nanoseconds]`). */
    collect(endTime: HrTimeLike): CollectedMetric[];
    /**
     * The same, as a generator that pauses after every `seriesPerStep` series
     * (its return value is the result), so a caller with many series can yield
     * to the event loop between steps.
     */
    collectInSteps(endTime: HrTimeLike, seriesPerStep: number): Generator<void, CollectedMetric[], void>;
    /** Stops reading. With no collector attached, recording goes back to the OpenTelemetry API instruments. */
    detach(): void;
}
/**
 * Switches recording to the fast path: from now on every instrumented call
 * aggregates in place (typed arrays, no attribute hashing, no allocation)
 * and the returned collector reads the result. Without any collector, calls
 * are recorded through the OpenTelemetry API into whatever MeterProvider is
 * registered, with the same names and attributes.
 *
 * This is the seam `@inferometer/node` uses; call it yourself only to feed
 * the catalog into an SDK setup of your own (wrap `collect()` in a
 * `MetricProducer` given to each reader's `metricProducers`).
 *
 * @example
 * ```ts
 * const collector = attachCollector({ temporality: 'delta' });
 * const points = collector.collect(hrTime());
 * ```
 */
declare function attachCollector(options?: {
    temporality?: Temporality;
}): CatalogCollector;

/**
 * Numeric encoding of a model version for `ml_active_model_version`, after the
 * classic prometheus_client model-version gauge: a whole number (with an
 * optional leading `v`) stays itself; `MAJOR.MINOR[.PATCH]` (optional `v`) becomes
 * `MAJOR * 1e6 + MINOR * 1e3 + PATCH`, so `1.2.3` is 1002003 and order is kept
 * while MINOR and PATCH stay below 1000. Anything else has no encoding:
 * supply `versionNumber` in the options.
 *
 * @example
 * ```ts
 * encodeVersion('3');      // 3
 * encodeVersion('v1.2');   // 1002000
 * encodeVersion('v1.2.3'); // 1002003
 * encodeVersion('2024-05-01-blue'); // undefined
 * ```
 */
declare function encodeVersion(version: string): number | undefined;

/** The version used when none is given, or when the version function fails. */
declare const UNKNOWN_VERSION = "unknown";

/**
 * Limits of the cardinality guard. Every value has a default; set them in
 * code with {@link configureGuards} or, through `@inferometer/node`'s
 * `start()`, with the `INFEROMETER_*` variables in the README.
 */
interface GuardOptions {
    /**
     * Distinct values one attribute may take (per model, or per metric for
     * {@link createAttributeGuard}) before new values collapse into `_OTHER`.
     * Default 100.
     *
     * @example
     * ```ts
     * maxValuesPerAttribute: 50
     * ```
     */
    maxValuesPerAttribute?: number;
    /**
     * Per-key overrides of {@link GuardOptions.maxValuesPerAttribute}.
     *
     * @example
     * ```ts
     * maxValuesPerKey: { region: 30, model_version: 20 }
     * ```
     */
    maxValuesPerKey?: Readonly<Record<string, number>>;
    /**
     * Series (label sets) one metric may hold, the overflow series included;
     * new label sets past it are recorded in the overflow series (every user
     * attribute `_OTHER`). Default 2000, the OpenTelemetry SDK's own limit, so
     * ours is reached first and is counted.
     *
     * @example
     * ```ts
     * maxSeriesPerMetric: 500
     * ```
     */
    maxSeriesPerMetric?: number;
    /**
     * Longest attribute value kept, in characters; longer values become
     * `_TOO_LONG_`. Default 64.
     *
     * @example
     * ```ts
     * maxValueLength: 40
     * ```
     */
    maxValueLength?: number;
    /**
     * More key patterns to refuse at configuration, on top of the built-in
     * list (user/customer/account/session/request/trace/span ids, email, ip,
     * url, uuid, timestamps, free text).
     *
     * @example
     * ```ts
     * unboundedKeyPatterns: [/^order_number$/i]
     * ```
     */
    unboundedKeyPatterns?: readonly RegExp[];
}
/** The limits in force. @internal */
interface GuardConfig {
    readonly maxValuesPerAttribute: number;
    readonly maxValuesPerKey: Readonly<Record<string, number>>;
    readonly maxSeriesPerMetric: number;
    readonly maxValueLength: number;
    readonly unboundedKeyPatterns: readonly RegExp[];
}
/** Defaults of {@link GuardOptions}. */
declare const GUARD_DEFAULTS: GuardConfig;
/**
 * Sets the cardinality guard's limits for the whole process. Call it before
 * instrumenting (or let `@inferometer/node`'s `start()` call it from the
 * environment). Throws a `TypeError` naming the option on a bad value; keys
 * already declared are checked again against added patterns, and a key the
 * new patterns refuse throws here.
 *
 * @example
 * ```ts
 * configureGuards({ maxSeriesPerMetric: 500, maxValuesPerKey: { region: 30 } });
 * ```
 */
declare function configureGuards(options: GuardOptions, where?: string): void;

/** Options of {@link createAttributeGuard}. */
interface AttributeGuardOptions {
    /**
     * The metric's name as Prometheus shows it: the `metric` label of the
     * guard's self-metrics, and the scope of its caps.
     *
     * @example
     * ```ts
     * metric: 'http_server_requests_total'
     * ```
     */
    metric: string;
    /**
     * The attribute keys this metric may carry; anything else is dropped and
     * counted (`reason="undeclared"`). Keys unbounded by nature are refused
     * here, as for `@Instrument`.
     *
     * @example
     * ```ts
     * allow: ['http_route', 'http_method', 'status_class']
     * ```
     */
    allow: readonly string[];
    /**
     * Keys the unbounded-key patterns would refuse that are bounded here.
     *
     * @example
     * ```ts
     * allowUnboundedKeys: ['account_id']
     * ```
     */
    allowUnboundedKeys?: readonly string[];
}
/**
 * The cardinality guard for instruments you create yourself, shaped as an
 * OpenTelemetry `IAttributesProcessor` so it plugs into a view. It drops
 * undeclared keys, replaces identifier-shaped and over-long values, caps
 * distinct values per key and label sets per metric (the limits of
 * `configureGuards`), and counts every refusal in
 * `inferometer_attribute_rejections_total{metric, attribute, reason}`.
 */
interface AttributeGuard {
    /** The guarded attributes for one measurement (a new object; the input is untouched). */
    process(incoming: Attributes): Attributes;
}
/**
 * Creates the guard for one metric of your own.
 *
 * @example
 * ```ts
 * import { createAttributeGuard } from '@inferometer/core';
 *
 * const provider = new MeterProvider({
 *   readers: [reader],
 *   views: [{
 *     instrumentName: 'http.server.requests',
 *     attributesProcessors: [createAttributeGuard({ metric: 'http_server_requests_total', allow: ['http_route', 'http_method'] })],
 *   }],
 * });
 * ```
 */
declare function createAttributeGuard(options: AttributeGuardOptions): AttributeGuard;

/** Options of {@link prometheusRelabelConfigs}. */
interface RelabelOptions {
    /**
     * Attribute keys your instrumentation declares on top of the catalog's
     * (`attributes` and `attributeKeys` of your `@Instrument` options).
     *
     * @example
     * ```ts
     * declaredKeys: ['tier', 'region']
     * ```
     */
    declaredKeys?: readonly string[];
    /**
     * Also keep only the catalog's series (plus `target_info`) from this job,
     * dropping anything else the process exposes. Off by default.
     *
     * @example
     * ```ts
     * onlyCatalog: true
     * ```
     */
    onlyCatalog?: boolean;
}
/**
 * The `metric_relabel_configs` block to paste under the model server's
 * scrape job in `prometheus.yml`: defence in depth on the server side, in
 * case an exporter that is not guarded (or an old version) exposes an
 * unbounded label.
 * - `labeldrop` of every label whose name matches the unbounded-key
 *   patterns (user/request/session/trace ids, email, ip, url, ...), unless
 *   it is one of `declaredKeys`;
 * - with `onlyCatalog`, a `keep` of the catalog's metric names.
 * Relabelling: https://prometheus.io/docs/prometheus/latest/configuration/configuration/#metric_relabel_configs
 *
 * @example
 * ```ts
 * console.log(prometheusRelabelConfigs({ declaredKeys: ['tier'] }));
 * ```
 */
declare function prometheusRelabelConfigs(options?: RelabelOptions): string;
/**
 * The RE2 regex of a `labeldrop` rule for every label name the
 * unbounded-key patterns match (as Prometheus reads it: anchored, `(?i:...)`
 * for case-insensitive patterns), leaving out patterns that match a key
 * declared on purpose (RE2 has no negative lookahead to make an exception);
 * `kept` says which, and why.
 *
 * @example
 * ```ts
 * const { regex } = unboundedLabelRegex(['account_id']);
 * ```
 */
declare function unboundedLabelRegex(declaredKeys?: readonly string[]): {
    regex: string;
    kept: string[];
};

/**
 * What "unbounded" looks like, for keys (refused at configuration) and for
 * values (replaced at run time). The lists are documented in the README and
 * extensible through `configureGuards({ unboundedKeyPatterns })` or
 * `INFEROMETER_UNBOUNDED_KEY_PATTERNS`.
 */
/**
 * Attribute keys that are unbounded by nature: one value per user, request,
 * trace or moment. Matched case-insensitively against the whole key, with
 * `_`, `-` or `.` between words (`user_id`, `userId`, `user.id`).
 */
declare const DEFAULT_UNBOUNDED_KEY_PATTERNS: readonly RegExp[];
/** Why a value or key was refused: the `reason` label of `inferometer_attribute_rejections_total`. */
declare const REJECTION_REASONS: {
    /** A key the metric does not declare: dropped from the record. */
    readonly undeclared: "undeclared";
    /** A value shaped like an identifier (UUID, long hex or digit run, email, IP, URL with a query). */
    readonly identifier: "identifier";
    /** A value longer than the length limit. */
    readonly tooLong: "too_long";
    /** A value past the attribute's cap on distinct values: collapsed into the overflow value. */
    readonly valueOverflow: "value_overflow";
    /** A new label set past the metric's series cap: recorded in the overflow series. */
    readonly seriesOverflow: "series_overflow";
    /** A value that is not a string, number or boolean. */
    readonly invalidType: "invalid_type";
};
/** Replaces a value shaped like an identifier. */
declare const IDENTIFIER_MARKER = "_ID_";
/** Replaces a value longer than the length limit. */
declare const TOO_LONG_MARKER = "_TOO_LONG_";
/** The overflow value: values past an attribute's cap, and every user attribute of a metric's overflow series. */
declare const OVERFLOW_VALUE = "_OTHER";
/**
 * Whether a value is shaped like an identifier: a UUID, a hex run of 16+
 * characters, a digit run of 6+, an email, an IPv4/IPv6 address, a URL (or
 * path) with a query string, or an opaque token of 20+ mixed characters.
 * Bounded labels (`gold`, `eu-west-1`, `v2`, `resnet50`) do not match.
 */
declare function looksLikeIdentifier(value: string): boolean;

export { ATTR_ATTRIBUTE, ATTR_ERROR_TYPE, ATTR_EXECUTION_PROVIDER, ATTR_FEATURE, ATTR_METHOD, ATTR_METRIC, ATTR_MODEL_NAME, ATTR_MODEL_VERSION, ATTR_PREDICTION, ATTR_REASON, ATTR_STATUS, type AttributeGuard, type AttributeGuardOptions, type AttributeSource, type AttributeValue, type BoundInferenceObserver, type BucketOverrides, CATALOG, type CatalogCollector, type CollectedHistogram, type CollectedMetric, type CollectedPoint, type ConfidenceExtractor, DEFAULT_BATCH_SIZE_BUCKETS, DEFAULT_CONFIDENCE_BUCKETS, DEFAULT_LATENCY_BUCKETS, DEFAULT_STREAM_ITEMS_BUCKETS, DEFAULT_TIME_TO_FIRST_ITEM_BUCKETS, DEFAULT_UNBOUNDED_KEY_PATTERNS, DRIFT_DROP_REASONS, DROP_REASONS, ERROR_TYPE_OTHER, GUARD_DEFAULTS, type GuardOptions, type HrTimeLike, IDENTIFIER_MARKER, INSTRUMENTATION_SCOPE, type InferenceObserver, Instrument, type InstrumentDecorator, type InstrumentOptions, type LegacyMethodDecorator, MAX_ERROR_TYPES_PER_SERIES, METRIC_ACTIVE_MODEL_VERSION, METRIC_ATTRIBUTE_REJECTIONS, METRIC_DATA_DRIFT_SCORE, METRIC_DRIFT_DROPPED, METRIC_DROPPED_OBSERVATIONS, METRIC_MODEL_INFO, METRIC_MODEL_LOAD, METRIC_PREDICTIONS, METRIC_PREDICTIONS_IN_FLIGHT, METRIC_PREDICTION_BATCH_SIZE, METRIC_PREDICTION_CONFIDENCE, METRIC_PREDICTION_DRIFT_SCORE, METRIC_PREDICTION_ERRORS, METRIC_PREDICTION_LATENCY, METRIC_REMOTE_WRITE_DROPPED, METRIC_REMOTE_WRITE_PENDING, METRIC_REMOTE_WRITE_RETRIED, METRIC_REMOTE_WRITE_SENT, METRIC_SERIES, METRIC_STREAM_ITEMS, METRIC_TIME_TO_FIRST_ITEM, type MetricDefinition, type MetricKind, OVERFLOW_VALUE, PREDICTION_CLASS, PREDICTION_CONFIDENCE, REJECTION_REASONS, type RelabelOptions, STATUS_ERROR, STATUS_SUCCESS, type StandardMethodDecorator, TOO_LONG_MARKER, type Temporality, UNKNOWN_VERSION, attachCollector, configureGuards, createAttributeGuard, encodeVersion, instrument, looksLikeIdentifier, prometheusRelabelConfigs, unboundedLabelRegex };
