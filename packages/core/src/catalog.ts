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
 * This module is the `@inferometer/core/catalog` subpath, as each satellite
 * package has its own `./catalog`: the root `@inferometer/core` stays the
 * functions users call, and dashboards, rules and the satellite catalogs
 * import names from here. It imports nothing that runs on a call.
 *
 * @example
 * ```ts
 * import { ATTR_MODEL_NAME, METRIC_PREDICTIONS } from '@inferometer/core/catalog';
 * ```
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
/**
 * Value of {@link ATTR_ERROR_TYPE} for a call refused for its input (a
 * request that should have been an HTTP 400): the caller's mistake, not the
 * model's. The model error ratio leaves it out, in the generated rules
 * (`inferometer rules --client-error-types`, this by default) and on the
 * health page.
 *
 * @example
 * ```ts
 * instrument(predict, { model: 'iris', errorType: (e) => (e instanceof RangeError ? ERROR_TYPE_INVALID_INPUT : undefined) });
 * ```
 */
export const ERROR_TYPE_INVALID_INPUT = 'invalid_input' as const;
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

/**
 * Attribute key on {@link METRIC_PREDICTION_TOKENS}: {@link TOKEN_TYPES}.
 * The GenAI semantic conventions' `gen_ai.token.type`
 * (https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-metrics/).
 */
export const ATTR_TOKEN_TYPE = 'token_type' as const;
/**
 * Values of {@link ATTR_TOKEN_TYPE}. `input` and `output` are those of
 * `gen_ai.token.type`; `cached_input` is the part of the input the provider
 * served from its prompt cache (OpenAI `prompt_tokens_details.cached_tokens`,
 * Anthropic `cache_read_input_tokens`), recorded only where it reports it.
 * As in the OpenAI usage object, `input` includes the cached part; Anthropic's
 * `input_tokens` excludes it, so its extractor adds it back.
 */
export const TOKEN_TYPES = ['input', 'output', 'cached_input'] as const;
/** One of {@link TOKEN_TYPES}. */
export type TokenType = (typeof TOKEN_TYPES)[number];

/** Attribute key on {@link METRIC_FINISH_REASONS}: {@link FINISH_REASONS}. */
export const ATTR_FINISH_REASON = 'finish_reason' as const;
/**
 * Values of {@link ATTR_FINISH_REASON}: each provider's reasons mapped onto
 * one bounded set (OpenAI `finish_reason`, Anthropic `stop_reason`, the
 * Vercel AI SDK's `finishReason`, Ollama's `done_reason`). `stop`: the model
 * ended its answer (or hit a stop sequence); `length`: the token limit cut it;
 * `content_filter`: a filter or a refusal stopped it; `tool_call`: it asks
 * for a tool; `error`: the call failed; `cancelled`: the client went away
 * (an aborted request, a stream closed before its end); `other`: a reason
 * the map does not know (a new one from a provider), kept bounded.
 */
export const FINISH_REASONS = ['stop', 'length', 'content_filter', 'tool_call', 'error', 'cancelled', 'other'] as const;
/** One of {@link FINISH_REASONS}. */
export type FinishReason = (typeof FINISH_REASONS)[number];

/** Attribute key on {@link METRIC_PHASE_DURATION}: {@link PHASES}. */
export const ATTR_PHASE = 'phase' as const;
/**
 * Values of {@link ATTR_PHASE}: the breakdown Triton
 * (`nv_inference_queue_duration_us`, `_compute_input_`, `_compute_infer_`,
 * `_compute_output_`) and KServe (preprocess, predict, postprocess) report,
 * for any model. `queue`: from the request's arrival (given by the caller) to
 * the start of the model call.
 */
export const PHASES = ['queue', 'preprocess', 'inference', 'postprocess'] as const;
/** One of {@link PHASES}. */
export type Phase = (typeof PHASES)[number];

/**
 * Default token-count buckets: those the GenAI semantic conventions give
 * `gen_ai.client.token.usage`, powers of four from 1 to 67,108,864.
 */
export const DEFAULT_TOKEN_BUCKETS = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
] as const;
/** Default time-per-output-token buckets in seconds, those of `gen_ai.server.time_per_output_token`. */
export const DEFAULT_TIME_PER_OUTPUT_TOKEN_BUCKETS = [
  0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5,
] as const;
/** Default operation-duration buckets in seconds, those of `gen_ai.client.operation.duration` (LLM calls last longer than the classic defaults reach). */
export const DEFAULT_GEN_AI_DURATION_BUCKETS = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
] as const;

/**
 * `ml_prediction_tokens{model_name, model_version, token_type}`: tokens per
 * call by type, as the provider reported them (the usage object, or a
 * stream's usage chunk). Mirrors `gen_ai.client.token.usage`: a histogram,
 * so `_sum` gives the totals and the buckets the spread per call.
 */
export const METRIC_PREDICTION_TOKENS = {
  name: 'ml_prediction_tokens',
  prometheusName: 'ml_prediction_tokens',
  kind: 'histogram',
  unit: '{token}',
  description: 'Tokens per generative call, by type (input, output, cached_input), as the provider reported them.',
  attributes: [...SERIES_KEYS, ATTR_TOKEN_TYPE],
  buckets: DEFAULT_TOKEN_BUCKETS,
} as const satisfies MetricDefinition;

/**
 * `ml_prediction_time_per_output_token_seconds{model_name, model_version}`:
 * per streamed call that succeeded, the time from the first item to the end
 * divided by the output tokens after the first, the definition of
 * `gen_ai.server.time_per_output_token` (and of vLLM's
 * `vllm:request_time_per_output_token_seconds`).
 */
export const METRIC_TIME_PER_OUTPUT_TOKEN = {
  name: 'ml_prediction_time_per_output_token_seconds',
  prometheusName: 'ml_prediction_time_per_output_token_seconds',
  kind: 'histogram',
  unit: 's',
  description: 'Time per output token after the first, per streamed generative call that succeeded.',
  attributes: SERIES_KEYS,
  buckets: DEFAULT_TIME_PER_OUTPUT_TOKEN_BUCKETS,
} as const satisfies MetricDefinition;

/** `ml_prediction_finish_reasons_total{model_name, model_version, finish_reason}`: how generative calls ended. */
export const METRIC_FINISH_REASONS = {
  name: 'ml_prediction_finish_reasons',
  prometheusName: 'ml_prediction_finish_reasons_total',
  kind: 'counter',
  unit: '{prediction}',
  description: 'Generative calls by how they finished (stop, length, content_filter, tool_call, error, cancelled, other).',
  attributes: [...SERIES_KEYS, ATTR_FINISH_REASON],
} as const satisfies MetricDefinition;

/** `ml_prediction_phase_seconds{model_name, model_version, phase}`: queue, preprocess, inference and postprocess time per call. */
export const METRIC_PHASE_DURATION = {
  name: 'ml_prediction_phase_seconds',
  prometheusName: 'ml_prediction_phase_seconds',
  kind: 'histogram',
  unit: 's',
  description: 'Time per call spent in each phase: queue (arrival to call), preprocess, inference, postprocess.',
  attributes: [...SERIES_KEYS, ATTR_PHASE],
  buckets: DEFAULT_LATENCY_BUCKETS,
} as const satisfies MetricDefinition;

/*
 * The GenAI semantic conventions' instruments, emitted instead of the ml_*
 * generative ones under the `genAiSemconv` option
 * (https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-metrics/,
 * status Development). Their names are the specification's, so the naming
 * rule above cannot hold for them: `prometheusName` is what the pull endpoint
 * (and `@opentelemetry/exporter-prometheus`) shows, dots to underscores; the
 * OTLP-to-Prometheus translation adds `_seconds` to the three durations
 * (`gen_ai_client_operation_duration_seconds`).
 */

/** Attribute key of the semantic conventions: `chat`, `text_completion`, `generate_content`, ... */
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name' as const;
/** Attribute key of the semantic conventions: `openai`, `anthropic`, `ollama`, ... */
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name' as const;
/** Attribute key of the semantic conventions: the model the request asked for (here, the `model` option). */
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model' as const;
/** Attribute key of the semantic conventions: the model that answered, from the response; passes the cardinality guard. */
export const ATTR_GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model' as const;
/** Attribute key of the semantic conventions: `gen_ai.token.type` (`input`, `output`). */
export const ATTR_GEN_AI_TOKEN_TYPE = 'gen_ai.token.type' as const;
/** Attribute key of the semantic conventions on failed operations: the error's class. */
export const ATTR_SEMCONV_ERROR_TYPE = 'error.type' as const;

const GEN_AI_KEYS = [ATTR_GEN_AI_OPERATION_NAME, ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_REQUEST_MODEL, ATTR_GEN_AI_RESPONSE_MODEL] as const;

/** `gen_ai.client.token.usage` (Prometheus `gen_ai_client_token_usage`). */
export const METRIC_GEN_AI_TOKEN_USAGE = {
  name: 'gen_ai.client.token.usage',
  prometheusName: 'gen_ai_client_token_usage',
  kind: 'histogram',
  unit: '{token}',
  description: 'Measures number of input and output tokens used.',
  attributes: [...GEN_AI_KEYS, ATTR_GEN_AI_TOKEN_TYPE],
  buckets: DEFAULT_TOKEN_BUCKETS,
} as const satisfies MetricDefinition;

/** `gen_ai.client.operation.duration` (Prometheus `gen_ai_client_operation_duration`). */
export const METRIC_GEN_AI_OPERATION_DURATION = {
  name: 'gen_ai.client.operation.duration',
  prometheusName: 'gen_ai_client_operation_duration',
  kind: 'histogram',
  unit: 's',
  description: 'GenAI operation duration.',
  attributes: [...GEN_AI_KEYS, ATTR_SEMCONV_ERROR_TYPE],
  buckets: DEFAULT_GEN_AI_DURATION_BUCKETS,
} as const satisfies MetricDefinition;

/** `gen_ai.server.time_to_first_token` (Prometheus `gen_ai_server_time_to_first_token`). */
export const METRIC_GEN_AI_TIME_TO_FIRST_TOKEN = {
  name: 'gen_ai.server.time_to_first_token',
  prometheusName: 'gen_ai_server_time_to_first_token',
  kind: 'histogram',
  unit: 's',
  description: 'Time to generate first token for successful responses.',
  attributes: GEN_AI_KEYS,
  buckets: DEFAULT_TIME_TO_FIRST_ITEM_BUCKETS,
} as const satisfies MetricDefinition;

/** `gen_ai.server.time_per_output_token` (Prometheus `gen_ai_server_time_per_output_token`). */
export const METRIC_GEN_AI_TIME_PER_OUTPUT_TOKEN = {
  name: 'gen_ai.server.time_per_output_token',
  prometheusName: 'gen_ai_server_time_per_output_token',
  kind: 'histogram',
  unit: 's',
  description: 'Time per output token generated after the first token for successful responses.',
  attributes: GEN_AI_KEYS,
  buckets: DEFAULT_TIME_PER_OUTPUT_TOKEN_BUCKETS,
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
  /** The `llm` extractor threw on a result; that call's usage is lost (the call is counted). */
  llm: 'llm_extractor_error',
  /** The `phases` or `arrivedAt` option threw or gave a negative or non-finite time; that phase is lost. */
  phases: 'phase_error',
  /**
   * Inferometer's own recording failed, in practice for lack of stack (a
   * stack overflow through an instrumented recursive function): that call's
   * outcome is lost, or the call ran unmeasured. It never stays in flight,
   * and the caller gets what the function gave.
   */
  internal: 'internal_error',
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
 * The per-series metrics of the catalog (everything one instrumented
 * function's series holds; the recorder's own gauges and counters are not
 * among them), in the order collections list them. A worker thread's main
 * thread reads exactly these from the thread's shared memory.
 *
 * @internal
 */
export const SERIES_METRICS = [
  METRIC_PREDICTIONS,
  METRIC_PREDICTION_ERRORS,
  METRIC_PREDICTION_LATENCY,
  METRIC_PREDICTION_CONFIDENCE,
  METRIC_PREDICTION_BATCH_SIZE,
  METRIC_PREDICTIONS_IN_FLIGHT,
  METRIC_TIME_TO_FIRST_ITEM,
  METRIC_STREAM_ITEMS,
  METRIC_PREDICTION_TOKENS,
  METRIC_TIME_PER_OUTPUT_TOKEN,
  METRIC_FINISH_REASONS,
  METRIC_PHASE_DURATION,
] as const satisfies readonly MetricDefinition[];

/**
 * The prediction catalog and core's own self-metrics, in a stable order. The
 * satellite packages own theirs: `@inferometer/drift/catalog`,
 * `@inferometer/onnxruntime/catalog`, `@inferometer/exporter-remote-write/catalog`.
 */
export const CATALOG = [
  ...SERIES_METRICS,
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

/** The GenAI semantic-convention instruments (see `genAiSemconv`), outside {@link CATALOG}: emitted only on opt-in. */
export const GEN_AI_CATALOG = [
  METRIC_GEN_AI_TOKEN_USAGE,
  METRIC_GEN_AI_OPERATION_DURATION,
  METRIC_GEN_AI_TIME_TO_FIRST_TOKEN,
  METRIC_GEN_AI_TIME_PER_OUTPUT_TOKEN,
] as const satisfies readonly MetricDefinition[];

/** Instrumentation scope name under which the catalog's instruments are created. */
export const INSTRUMENTATION_SCOPE = '@inferometer/core' as const;

// Values the attribute guard writes into the user's metrics (label values and
// `reason`s of inferometer_attribute_rejections_total): names a query matches
// on, so they are listed with the metric names. guard/patterns.ts owns them.
export { IDENTIFIER_MARKER, OVERFLOW_VALUE, REJECTION_REASONS, TOO_LONG_MARKER } from './guard/patterns.js';
