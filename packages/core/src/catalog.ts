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
export const ATTR_MODEL_NAME = 'model_name' as const;
/** Attribute key: the model's version, e.g. `1.2.0`. */
export const ATTR_MODEL_VERSION = 'model_version' as const;
/** Attribute key on {@link METRIC_PREDICTIONS}: {@link STATUS_SUCCESS}, {@link STATUS_ERROR} or {@link STATUS_CANCELLED}. */
export const ATTR_STATUS = 'status' as const;
/** Attribute key on {@link METRIC_PREDICTION_ERRORS}: the error's class name, bounded. */
export const ATTR_ERROR_TYPE = 'error_type' as const;

/** Value of {@link ATTR_STATUS} for a call that returned (or resolved, or finished streaming). */
export const STATUS_SUCCESS = 'success' as const;
/** Value of {@link ATTR_STATUS} for a call that threw (or rejected, or failed mid-stream). */
export const STATUS_ERROR = 'error' as const;
/**
 * Value of {@link ATTR_STATUS} for a call whose result was dropped before it
 * finished: a returned stream or lazy thenable garbage-collected unconsumed
 * or partly read (a client that disconnected from a streamed answer). Neither
 * a success nor an error: it is not counted in `ml_prediction_errors_total`,
 * so error-ratio alerts (`status="error"`) never fire for it, and it is not
 * observed in the latency histogram (the time until garbage collection is no
 * call's latency). vLLM counts a client disconnect the same way, as its own
 * outcome `finished_reason="abort"` of `vllm:request_success_total`
 * (https://docs.vllm.ai/en/stable/usage/metrics/, FinishReason.ABORT in
 * https://github.com/vllm-project/vllm/blob/main/vllm/v1/engine/__init__.py).
 */
export const STATUS_CANCELLED = 'cancelled' as const;

/**
 * Value of {@link ATTR_ERROR_TYPE} once a series has seen
 * {@link MAX_ERROR_TYPES_PER_SERIES} distinct error classes: class names are
 * bounded in well-behaved code, but a bug that builds classes dynamically
 * must not create series without end.
 */
export const ERROR_TYPE_OTHER = '_OTHER' as const;
/** Most distinct `error_type` values kept per series before {@link ERROR_TYPE_OTHER}. */
export const MAX_ERROR_TYPES_PER_SERIES = 32;

/** The kinds of instrument the catalog uses. */
export type MetricKind = 'counter' | 'histogram' | 'updowncounter' | 'gauge';

/** One catalog entry. */
export interface MetricDefinition {
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

const SERIES_KEYS = [ATTR_MODEL_NAME, ATTR_MODEL_VERSION] as const;

/** Default latency buckets in seconds: 5 ms to 10 s, the classic Prometheus client defaults. */
export const DEFAULT_LATENCY_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
] as const;
/** Default confidence buckets: 0.1 to 1.0 by 0.1. */
export const DEFAULT_CONFIDENCE_BUCKETS = [
  0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1,
] as const;
/** Default batch-size buckets: powers of two from 1 to 1024 items. */
export const DEFAULT_BATCH_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024] as const;
/**
 * Default time-to-first-item buckets in seconds, those of the GenAI semantic
 * conventions' `gen_ai.server.time_to_first_token`.
 */
export const DEFAULT_TIME_TO_FIRST_ITEM_BUCKETS = [
  0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
] as const;
/** Default stream-length buckets: powers of four from 1 to 65536 items. */
export const DEFAULT_STREAM_ITEMS_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536] as const;

/** `ml_predictions_total{model_name, model_version, status}`: every call, counted once when it ends. */
export const METRIC_PREDICTIONS = {
  name: 'ml_predictions',
  prometheusName: 'ml_predictions_total',
  kind: 'counter',
  unit: '{prediction}',
  description: 'Predictions completed, by outcome.',
  attributes: [...SERIES_KEYS, ATTR_STATUS],
} as const satisfies MetricDefinition;

/** `ml_prediction_errors_total{model_name, model_version, error_type}`: failed calls by error class. */
export const METRIC_PREDICTION_ERRORS = {
  name: 'ml_prediction_errors',
  prometheusName: 'ml_prediction_errors_total',
  kind: 'counter',
  unit: '{error}',
  description: 'Predictions that failed, by error class.',
  attributes: [...SERIES_KEYS, ATTR_ERROR_TYPE],
} as const satisfies MetricDefinition;

/** `ml_prediction_latency_seconds{model_name, model_version}`: wall time of a call (a stream: until it ends). */
export const METRIC_PREDICTION_LATENCY = {
  name: 'ml_prediction_latency_seconds',
  prometheusName: 'ml_prediction_latency_seconds',
  kind: 'histogram',
  unit: 's',
  description: 'Prediction latency, from call to result (for streams, to the last item).',
  attributes: SERIES_KEYS,
  buckets: DEFAULT_LATENCY_BUCKETS,
} as const satisfies MetricDefinition;

/** `ml_prediction_confidence{model_name, model_version}`: the model's confidence in its answer, 0 to 1. */
export const METRIC_PREDICTION_CONFIDENCE = {
  name: 'ml_prediction_confidence',
  prometheusName: 'ml_prediction_confidence',
  kind: 'histogram',
  unit: '1',
  description: 'Confidence of each prediction (the top class probability for a probability vector).',
  attributes: SERIES_KEYS,
  buckets: DEFAULT_CONFIDENCE_BUCKETS,
} as const satisfies MetricDefinition;

/** `ml_prediction_batch_size{model_name, model_version}`: items per call, for batched predict. */
export const METRIC_PREDICTION_BATCH_SIZE = {
  name: 'ml_prediction_batch_size',
  prometheusName: 'ml_prediction_batch_size',
  kind: 'histogram',
  unit: '{item}',
  description: 'Items per prediction call.',
  attributes: SERIES_KEYS,
  buckets: DEFAULT_BATCH_SIZE_BUCKETS,
} as const satisfies MetricDefinition;

/** `ml_predictions_in_flight{model_name, model_version}`: calls started and not yet ended. */
export const METRIC_PREDICTIONS_IN_FLIGHT = {
  name: 'ml_predictions_in_flight',
  prometheusName: 'ml_predictions_in_flight',
  kind: 'updowncounter',
  unit: '{prediction}',
  description: 'Predictions in progress.',
  attributes: SERIES_KEYS,
} as const satisfies MetricDefinition;

/** `ml_prediction_time_to_first_item_seconds{model_name, model_version}`: streams only. */
export const METRIC_TIME_TO_FIRST_ITEM = {
  name: 'ml_prediction_time_to_first_item_seconds',
  prometheusName: 'ml_prediction_time_to_first_item_seconds',
  kind: 'histogram',
  unit: 's',
  description: 'Time from call to the first item of a streamed prediction.',
  attributes: SERIES_KEYS,
  buckets: DEFAULT_TIME_TO_FIRST_ITEM_BUCKETS,
} as const satisfies MetricDefinition;

/** `ml_prediction_stream_items{model_name, model_version}`: items produced per streamed prediction. */
export const METRIC_STREAM_ITEMS = {
  name: 'ml_prediction_stream_items',
  prometheusName: 'ml_prediction_stream_items',
  kind: 'histogram',
  unit: '{item}',
  description: 'Items produced by each streamed prediction.',
  attributes: SERIES_KEYS,
  buckets: DEFAULT_STREAM_ITEMS_BUCKETS,
} as const satisfies MetricDefinition;

/** `ml_model_info{model_name, model_version}` = 1 for each version that has served. */
export const METRIC_MODEL_INFO = {
  name: 'ml_model_info',
  prometheusName: 'ml_model_info',
  kind: 'gauge',
  unit: '',
  description: 'Always 1: one series per model version that has been loaded and served.',
  attributes: SERIES_KEYS,
} as const satisfies MetricDefinition;

/**
 * `ml_active_model_version{model_name}`: the numeric encoding of the version
 * that served the latest call (see `encodeVersion`), as in the classic
 * prometheus_client model-version gauge, so that a version change is a step
 * on a graph.
 */
export const METRIC_ACTIVE_MODEL_VERSION = {
  name: 'ml_active_model_version',
  prometheusName: 'ml_active_model_version',
  kind: 'gauge',
  unit: '',
  description: 'Numeric encoding of the model version that served the latest prediction.',
  attributes: [ATTR_MODEL_NAME],
} as const satisfies MetricDefinition;

/** Attribute key on {@link METRIC_DROPPED_OBSERVATIONS}: why an observation was dropped. */
export const ATTR_REASON = 'reason' as const;

/**
 * Values of {@link ATTR_REASON}: a user-supplied extractor threw or returned
 * something unusable, so that one observation was left out (the prediction
 * itself is always counted and its result untouched).
 */
export const DROP_REASONS = {
  /** The `version` function threw or returned a non-string; the call is counted under `unknown`. */
  version: 'version_error',
  /** An attribute function threw; the attribute is left off that call. */
  attribute: 'attribute_error',
  /** The `confidence` extractor threw or returned something that is not a number or vector. */
  confidence: 'confidence_error',
  /** A confidence value outside [0, 1] or not finite. */
  confidenceRange: 'confidence_out_of_range',
  /** The `batchSize` extractor threw or returned a negative or non-finite number. */
  batchSize: 'batch_size_error',
  /** A function's dynamic version/attribute combinations passed their cap; later ones share one series. */
  seriesOverflow: 'series_overflow',
  /** The `errorType` option threw; the failure is labelled with the error's class name. */
  errorType: 'error_type_error',
  /** The `versionNumber` option threw; `ml_active_model_version` has no value for that version. */
  versionNumber: 'version_number_error',
  /** A drift observer's `bind`, `input` or `output` threw; that observation is lost. */
  drift: 'drift_observer_error',
} as const;

/** `inferometer_dropped_observations_total{model_name, reason}`: what the instrumentation left out, and why. */
export const METRIC_DROPPED_OBSERVATIONS = {
  name: 'inferometer_dropped_observations',
  prometheusName: 'inferometer_dropped_observations_total',
  kind: 'counter',
  unit: '{observation}',
  description: 'Observations the instrumentation dropped because an extractor failed or a cap was hit.',
  attributes: [ATTR_MODEL_NAME, ATTR_REASON],
} as const satisfies MetricDefinition;

/** Attribute key on the cardinality self-metrics: the metric's Prometheus name. */
export const ATTR_METRIC = 'metric' as const;
/** Attribute key on the cardinality self-metrics: the attribute that was refused. */
export const ATTR_ATTRIBUTE = 'attribute' as const;
/** `inferometer_attribute_rejections_total{metric, attribute, reason}`: attributes the cardinality guard refused. */
export const METRIC_ATTRIBUTE_REJECTIONS = {
  name: 'inferometer_attribute_rejections',
  prometheusName: 'inferometer_attribute_rejections_total',
  kind: 'counter',
  unit: '{rejection}',
  description: 'Attribute values the cardinality guard refused or replaced, by metric, attribute and reason.',
  attributes: [ATTR_METRIC, ATTR_ATTRIBUTE, ATTR_REASON],
} as const satisfies MetricDefinition;

/** `inferometer_series{metric}`: series each guarded metric holds now. */
export const METRIC_SERIES = {
  name: 'inferometer_series',
  prometheusName: 'inferometer_series',
  kind: 'gauge',
  unit: '{series}',
  description: 'Series each guarded metric currently holds.',
  attributes: [ATTR_METRIC],
} as const satisfies MetricDefinition;

/**
 * The prediction catalog and core's own self-metrics, in a stable order. The
 * satellite packages own theirs: `@inferometer/drift/catalog`,
 * `@inferometer/onnxruntime/catalog`, `@inferometer/exporter-remote-write/catalog`.
 */
export const CATALOG = [
  METRIC_PREDICTIONS,
  METRIC_PREDICTION_ERRORS,
  METRIC_PREDICTION_LATENCY,
  METRIC_PREDICTION_CONFIDENCE,
  METRIC_PREDICTION_BATCH_SIZE,
  METRIC_PREDICTIONS_IN_FLIGHT,
  METRIC_TIME_TO_FIRST_ITEM,
  METRIC_STREAM_ITEMS,
  METRIC_MODEL_INFO,
  METRIC_ACTIVE_MODEL_VERSION,
  METRIC_DROPPED_OBSERVATIONS,
  METRIC_ATTRIBUTE_REJECTIONS,
  METRIC_SERIES,
] as const satisfies readonly MetricDefinition[];

/**
 * The prefixes of every Inferometer metric name, in every package's catalog:
 * `ml_` for what the model does, `inferometer_` for what the library does.
 * Relabelling that keeps only Inferometer's series matches on these.
 */
export const CATALOG_NAME_PREFIXES = ['ml', 'inferometer'] as const;

/** Instrumentation scope name under which the catalog's instruments are created. */
export const INSTRUMENTATION_SCOPE = '@inferometer/core' as const;
