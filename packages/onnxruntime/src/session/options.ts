import type { AttributeValue, BucketOverrides, InferenceObserver } from '@inferometer/core';
import type { InferenceSession } from 'onnxruntime-node';
import type { OnnxModelMetadata } from '../metadata/onnx-metadata.js';

/** What `run()` resolves to: output name to value. */
export type SessionOutputs = InferenceSession.ReturnType;
/** What `run()` takes first: input name to tensor. */
export type SessionFeeds = InferenceSession.FeedsType;

/**
 * Options of {@link instrumentSession}. Checked once, when the session is
 * wrapped: a wrong option throws a `TypeError` naming it.
 */
export interface InstrumentSessionOptions {
  /**
   * The `model_name` attribute. Defaults to the ONNX graph's name (from
   * `metadata`); required when no metadata is given.
   *
   * @example
   * ```ts
   * model: 'iris'
   * ```
   */
  model?: string;

  /**
   * The `model_version` attribute. Defaults to the ONNX metadata map's
   * `model_version` (then `version`, then the ModelProto's integer
   * `model_version`), else `'unknown'`.
   *
   * @example
   * ```ts
   * version: '1.2.0'
   * ```
   */
  version?: string;

  /**
   * The model's metadata, read from its bytes with `readOnnxMetadata` (an
   * existing session does not expose it). `createInstrumentedSession` fills
   * it in.
   *
   * @example
   * ```ts
   * metadata: await readOnnxMetadata('model/iris.onnx')
   * ```
   */
  metadata?: OnnxModelMetadata;

  /**
   * Where confidence comes from: an output name (a `[rows, classes]`
   * probability tensor: each row's maximum is observed), a function of the
   * outputs (see `@inferometer/core`'s `ConfidenceExtractor`), or `false`.
   * Default: the output computed by a `Softmax` node (from `metadata`), else
   * a float output whose name contains `prob`, else none.
   *
   * @example
   * ```ts
   * confidence: 'probabilities'
   * confidence: (outputs) => (outputs.scores.data as Float32Array)[0]
   * ```
   */
  confidence?: string | false | ((outputs: SessionOutputs) => number | ArrayLike<number> | ArrayLike<ArrayLike<number>> | undefined);

  /**
   * Items per call, for `ml_prediction_batch_size`: a function of the feeds,
   * or `false`. Default: the leading dimension of the first input.
   *
   * @example
   * ```ts
   * batchSize: (feeds) => feeds.input_ids.dims[0]
   * ```
   */
  batchSize?: false | ((feeds: SessionFeeds) => number);

  /**
   * Watches the inputs (and outputs) for drift: `@inferometer/drift`'s
   * `driftMonitor`, whose `features` reads the input tensor as it is (no
   * copy). When the model has one input, its width is checked against the
   * profile here, and so are the feature names of a `features` metadata entry.
   *
   * @example
   * ```ts
   * drift: driftMonitor({ reference, features: (feeds) => feeds.float_input })
   * ```
   */
  drift?: InferenceObserver;

  /**
   * The `execution_provider` attribute (on `ml_model_load_seconds` and the
   * prediction series). onnxruntime-node does not report which provider a
   * session ended up on; `createInstrumentedSession` uses the first one
   * requested in `sessionOptions.executionProviders`, else `cpu`.
   *
   * @example
   * ```ts
   * executionProvider: 'cuda'
   * ```
   */
  executionProvider?: string;

  /**
   * Seconds the session took to create, recorded as `ml_model_load_seconds`
   * (`createInstrumentedSession` measures and passes it).
   *
   * @example
   * ```ts
   * loadSeconds: (performance.now() - started) / 1000
   * ```
   */
  loadSeconds?: number;

  /**
   * `false`: `run()` records no prediction metrics (count, latency, errors,
   * batch size, confidence) and only feeds `drift`; load time is still
   * recorded. For a service whose own predict method already carries
   * `@Instrument` for the same model, so that nothing is counted twice.
   * Default `true`.
   *
   * @example
   * ```ts
   * recordPredictions: false
   * ```
   */
  recordPredictions?: boolean;

  /**
   * Extra constant attributes on the prediction series (see core's
   * `attributes`).
   *
   * @example
   * ```ts
   * attributes: { region: 'eu-west-1' }
   * ```
   */
  attributes?: Record<string, AttributeValue>;

  /** Histogram boundaries (see core's `buckets`). @example `buckets: { latency: [0.0005, 0.001, 0.005] }` */
  buckets?: BucketOverrides;
}

/** Options of {@link createInstrumentedSession}: those of {@link instrumentSession} and the session's own. */
export interface CreateInstrumentedSessionOptions extends Omit<InstrumentSessionOptions, 'metadata' | 'loadSeconds'> {
  /**
   * onnxruntime's session options, passed to `InferenceSession.create` as
   * they are.
   *
   * @example
   * ```ts
   * sessionOptions: { executionProviders: ['cpu'], intraOpNumThreads: 2 }
   * ```
   */
  sessionOptions?: InferenceSession.SessionOptions;
}
