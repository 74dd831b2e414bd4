import type { DriftLimits } from '../limits.js';
import type { ReferenceProfile } from '../profile/format.js';
import type { WindowOptions } from '../window/window.js';
import type { DriftMethods } from './methods.js';

/** A tensor as onnxruntime (or any runtime) holds it: flat data and its shape. */
export interface TensorLike {
  readonly data: ArrayLike<unknown>;
  readonly dims: readonly number[];
}

/**
 * What a `features` extractor may return, read without copying:
 * - a tensor `{ data, dims }` of shape `[rows, features]` (or `[features]`):
 *   an onnxruntime input tensor as it is;
 * - rows: an array of rows, each an array (or typed array) of one value per
 *   feature, in the profile's order (or `featureNames`' order);
 * - one row: an array of values;
 * - records: an array of objects keyed by feature name, or one such object.
 * Return `undefined` to observe nothing for the call.
 */
export type FeatureInput =
  | TensorLike
  | ArrayLike<ArrayLike<unknown>>
  | ArrayLike<unknown>
  | ArrayLike<Readonly<Record<string, unknown>>>
  | Readonly<Record<string, unknown>>
  | undefined;

/**
 * Reads the predicted classes from a result: one class (a string, number or
 * bigint), an array or typed array of them (one per row), or a label tensor.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any as the default: options written without type arguments accept any function's this, arguments and result
export type ClassExtractor<Result = any> = (result: Result) => unknown;

/**
 * Reads confidence from a result, with `@inferometer/core`'s rule: a number
 * is one confidence; a vector is one row's probabilities (its maximum
 * counts); a list of vectors, or a tensor of shape `[rows, classes]`, is one
 * row per vector.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any as the default: options written without type arguments accept any function's this, arguments and result
export type ConfidenceSource<Result = any> = (result: Result) => unknown;

/** Prediction drift: which outputs to watch, and how to read them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any as the default: options written without type arguments accept any function's this, arguments and result
export interface PredictionDriftOptions<Result = any> {
  /**
   * Reads the predicted classes; needs `predictions.class` in the profile.
   *
   * @example
   * ```ts
   * class: (predictions: { label: string }[]) => predictions.map((p) => p.label)
   * class: (outputs) => outputs.label // an onnxruntime int64 label tensor, with classNames
   * ```
   */
  class?: ClassExtractor<Result>;
  /**
   * Names of integer classes: output `i` is category `classNames[i]` of the
   * profile (models output indices; profiles are easier to read with names).
   *
   * @example
   * ```ts
   * classNames: ['setosa', 'versicolor', 'virginica']
   * ```
   */
  classNames?: readonly string[];
  /**
   * Reads the confidence; needs `predictions.confidence` in the profile.
   *
   * @example
   * ```ts
   * confidence: (outputs) => outputs.probabilities // [rows, classes]: each row's maximum
   * ```
   */
  confidence?: ConfidenceSource<Result>;
}

/**
 * Options of {@link driftMonitor}. Checked once, when the monitor is built:
 * a wrong option throws an `InferometerConfigError` (of @inferometer/core, a
 * `TypeError`) naming it and what it accepts.
 *
 * @typeParam Args - the instrumented function's parameter list.
 * @typeParam Result - what it returns (resolved).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any as the default: options written without type arguments accept any function's this, arguments and result
export interface DriftMonitorOptions<Args extends unknown[] = any[], Result = any> {
  /**
   * The reference profile: the object `buildProfile` returns or the parsed
   * JSON the `inferometer-profile` CLI writes. Checked with `parseProfile`.
   *
   * @example
   * ```ts
   * reference: JSON.parse(readFileSync('reference.json', 'utf8'))
   * ```
   */
  reference: ReferenceProfile | Readonly<Record<string, unknown>>;

  /**
   * Reads the features from the call's arguments, without copying them:
   * return the rows, a row, records or a tensor (see {@link FeatureInput}).
   * Runs on every call, before the call; keep it a property read.
   *
   * @example
   * ```ts
   * features: (rows: number[][]) => rows                          // @Instrument on predict(rows)
   * features: (feeds: Record<string, Tensor>) => feeds.float_input // onnxruntime session.run(feeds)
   * ```
   */
  features: (...args: Args) => FeatureInput;

  /**
   * The model's feature names in input column order, when it differs from
   * the profile's; must be exactly the profile's features. Also checked by
   * `@inferometer/onnxruntime` against the model's input shape.
   *
   * @example
   * ```ts
   * featureNames: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width']
   * ```
   */
  featureNames?: readonly string[];

  /**
   * Prediction drift: the distribution of predicted classes and of confidence
   * against the profile's `predictions`.
   *
   * @example
   * ```ts
   * predictions: { class: (out) => out.label, classNames: ['setosa', 'versicolor', 'virginica'], confidence: (out) => out.probabilities }
   * ```
   */
  predictions?: PredictionDriftOptions<Result>;

  /**
   * The sliding window the scores are computed over (default: the last 1000
   * rows). See {@link WindowOptions}.
   *
   * @example
   * ```ts
   * window: { seconds: 300 }
   * ```
   */
  window?: WindowOptions;

  /**
   * Rows the window must hold before scores are reported (default 300, or the
   * window's count if smaller): PSI on a handful of rows is noise. A series
   * that has reported reads NaN while its window holds fewer (a time window
   * after a quiet spell), rather than keeping its last score.
   *
   * @example
   * ```ts
   * minRows: 500
   * ```
   */
  minRows?: number;

  /** Statistics per feature kind; see {@link DriftMethods}. @example `methods: { numeric: ['psi'] }` */
  methods?: DriftMethods;

  /**
   * Model versions watched at once (default 8, at most 64). Each version has
   * its own window and scores; past the cap, the version observed least
   * recently is set aside (its scores read NaN) and starts afresh if it
   * serves again.
   *
   * @example
   * ```ts
   * maxVersions: 2
   * ```
   */
  maxVersions?: number;

  /** Caps on features and categories; see {@link DriftLimits}. @example `limits: { maxFeatures: 200 }` */
  limits?: DriftLimits;
}
