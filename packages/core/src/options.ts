import type { Phase } from './catalog.js';
import type { LlmExtractor, LlmProvider } from './llm/extractors.js';
import type { BucketOverrides, HistogramKind, HistogramKinds } from './recorder/recorder.js';

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
export interface InferenceObserver {
  /** Called once per (model, version) series; returns the per-call hooks. */
  bind(series: { readonly model: string; readonly version: string }): BoundInferenceObserver;
}

/** The per-call hooks of an {@link InferenceObserver}, bound to one series. */
export interface BoundInferenceObserver {
  /** The call's arguments, before the call runs. */
  input?(args: readonly unknown[]): void;
  /**
   * The result of a call that succeeded (for async functions, the resolved
   * value), with the call's arguments: an observer that joins a result with
   * something from its request (a prediction id, see `@inferometer/drift`'s
   * `outcomeTracker`) reads both here, in one place, so concurrent calls
   * never mix. Keep no reference to either past the hook. Core always passes
   * the arguments; other callers (a session wrapper) may leave them out.
   */
  output?(result: unknown, args?: readonly unknown[]): void;
}

/** A value an extra attribute may take. */
export type AttributeValue = string | number | boolean;

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
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any as the default: options written without type arguments accept any function's this, arguments and result
export type AttributeSource<This = any, Args extends unknown[] = any[]> =
  | AttributeValue
  | ((self: This, args: Args) => AttributeValue | undefined);

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
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any as the default: options written without type arguments accept any function's this, arguments and result
export type ConfidenceExtractor<Result = any> = (
  result: Result,
) => number | ArrayLike<number> | ArrayLike<ArrayLike<number>> | undefined;

/**
 * Options of {@link instrument} and {@link Instrument}. Checked once, when the
 * function is wrapped or the class is defined: a wrong option throws there
 * with a message naming it, never later in a prediction.
 *
 * @typeParam This - the type of `this` in the instrumented function.
 * @typeParam Args - its parameter list.
 * @typeParam Result - what it returns (for async functions, what the promise resolves to).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any as the default: options written without type arguments accept any function's this, arguments and result
export interface InstrumentOptions<This = any, Args extends unknown[] = any[], Result = any> {
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
   * versions the default cannot read (dates, names). The default reads
   * semantic versions: `1.2.3` is `1002003`.
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
   * How this model's histograms aggregate: explicit buckets, base-2
   * exponential (OpenTelemetry ExponentialHistogram, Prometheus native
   * histogram), or both; one kind for all, or per catalog histogram (see
   * {@link HistogramKinds}). Unset, a histogram follows the readers that
   * `@inferometer/node` configured (explicit unless
   * `OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION` or
   * `INFEROMETER_PROMETHEUS_NATIVE_HISTOGRAMS` ask for exponential). Fast
   * path only: through a service's own MeterProvider, its views decide.
   *
   * @example
   * ```ts
   * histograms: { latency: 'both' }
   * ```
   */
  histograms?: HistogramKind | HistogramKinds;

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

  /**
   * Reads a generative model's usage from its results: tokens by type
   * (`ml_prediction_tokens`), how the call finished
   * (`ml_prediction_finish_reasons_total`) and, for streams, time per output
   * token. A name picks a built-in extractor for that provider's result
   * shapes (no dependency on its SDK): `'openai'` (Chat Completions and
   * Responses, and any OpenAI-compatible server), `'anthropic'` (Messages),
   * `'vercel-ai'` (the AI SDK's `generateText` results and `fullStream`
   * parts), `'ollama'`. An object is a custom {@link LlmExtractor}. Streams
   * are read item by item (for OpenAI set `stream_options: { include_usage:
   * true }` so the last chunk carries usage); a stream the client aborts, or
   * closes before the provider's finish reason, counts as cancelled.
   * Implies `streaming: true` unless `streaming` is given.
   *
   * @example
   * ```ts
   * llm: 'openai'
   * ```
   */
  llm?: LlmProvider | LlmExtractor;

  /**
   * Names the generative figures of `llm` after the OpenTelemetry GenAI
   * semantic conventions (`gen_ai.client.token.usage`,
   * `gen_ai.client.operation.duration`, `gen_ai.server.time_to_first_token`,
   * `gen_ai.server.time_per_output_token`, with `gen_ai.operation.name`,
   * `gen_ai.provider.name`, `gen_ai.request.model` (the `model` option),
   * `gen_ai.response.model` (guarded like any per-call value) and
   * `error.type`) instead of the catalog's `ml_prediction_tokens` and
   * `ml_prediction_time_per_output_token_seconds`; `'both'` records both.
   * The catalog's per-call series (`ml_predictions_total`, latency, in-flight,
   * finish reasons) stay in every mode. Defaults to `false`; the environment
   * variable `INFEROMETER_GENAI_SEMCONV` (`true`, `false`, `both`) sets the
   * default for every model.
   *
   * @example
   * ```ts
   * genAiSemconv: true
   * ```
   */
  genAiSemconv?: boolean | 'both';

  /**
   * When the request arrived, in milliseconds since the epoch (`Date.now()`'s
   * clock): the time from then to the start of the model call is recorded as
   * `ml_prediction_phase_seconds{phase="queue"}`. Read before the call.
   *
   * @example
   * ```ts
   * arrivedAt: (self, [request]) => request.receivedAt
   * ```
   */
  arrivedAt?: (self: This, args: Args) => number | undefined;

  /**
   * Reads the time a call spent in each phase, in seconds, from its result
   * (a server's reported breakdown, such as TGI's `x-validation-time` and
   * `x-inference-time` headers, or timings the function measured itself),
   * for `ml_prediction_phase_seconds{phase}`. Phases left out are not
   * recorded.
   *
   * @example
   * ```ts
   * phases: (result: { timings: { pre: number; infer: number; post: number } }) => ({ preprocess: result.timings.pre, inference: result.timings.infer, postprocess: result.timings.post })
   * ```
   */
  phases?: (result: Awaited<Result>, args: Args) => Partial<Record<Phase, number>> | undefined;
}
