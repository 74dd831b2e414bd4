/**
 * The drift monitor's metric names, units, descriptions and attribute keys:
 * the one module that owns them, as `@inferometer/core`'s catalog owns the
 * prediction metrics. Attribute keys every package shares (`model_name`,
 * `model_version`, `reason`) stay in core. No runtime import beyond core's
 * constants, so `@inferometer/ops` can build these names into its own bundle
 * through the `@inferometer/drift/catalog` subpath.
 *
 * @packageDocumentation
 */
import { ATTR_MODEL_NAME, ATTR_MODEL_VERSION, ATTR_REASON, type MetricDefinition } from '@inferometer/core/catalog';

/** Attribute key on the drift metrics: the input feature's name. */
export const ATTR_FEATURE = 'feature' as const;
/** Attribute key on the drift metrics: the statistic, one of {@link DRIFT_METHODS}. */
export const ATTR_METHOD = 'method' as const;
/** Every drift statistic, as {@link ATTR_METHOD} shows it, in the order scores are reported. */
export const DRIFT_METHODS = ['psi', 'ks', 'js', 'chi2'] as const;
/** A drift statistic, one of {@link DRIFT_METHODS}. */
export type DriftMethod = (typeof DRIFT_METHODS)[number];
/** Attribute key on `ml_prediction_drift_score`: which output drifted, {@link PREDICTION_CLASS} or {@link PREDICTION_CONFIDENCE}. */
export const ATTR_PREDICTION = 'prediction' as const;
/** Value of {@link ATTR_PREDICTION}: the distribution of predicted classes. */
export const PREDICTION_CLASS = 'class' as const;
/** Value of {@link ATTR_PREDICTION}: the distribution of confidence. */
export const PREDICTION_CONFIDENCE = 'confidence' as const;

/**
 * `ml_data_drift_score{model_name, model_version, feature, method}`: how far
 * the recent inputs of one feature moved from the reference profile,
 * computed at collection time over a sliding window.
 */
export const METRIC_DATA_DRIFT_SCORE = {
  name: 'ml_data_drift_score',
  prometheusName: 'ml_data_drift_score',
  kind: 'gauge',
  unit: '',
  description: 'Drift of one input feature against its reference profile, by statistic, over the recent window.',
  attributes: [ATTR_MODEL_NAME, ATTR_MODEL_VERSION, ATTR_FEATURE, ATTR_METHOD],
} as const satisfies MetricDefinition;

/**
 * `ml_prediction_drift_score{model_name, model_version, method, prediction}`:
 * drift of the predicted classes (`prediction="class"`) or of the confidence
 * (`prediction="confidence"`) against the reference.
 */
export const METRIC_PREDICTION_DRIFT_SCORE = {
  name: 'ml_prediction_drift_score',
  prometheusName: 'ml_prediction_drift_score',
  kind: 'gauge',
  unit: '',
  description: 'Drift of the predictions (classes or confidence) against the reference, by statistic, over the recent window.',
  attributes: [ATTR_MODEL_NAME, ATTR_MODEL_VERSION, ATTR_METHOD, ATTR_PREDICTION],
} as const satisfies MetricDefinition;

/**
 * `inferometer_drift_dropped_observations_total{model_name, reason}`: inputs
 * or results the drift monitor could not use. A family of its own, apart
 * from core's `inferometer_dropped_observations`: the drift monitor records
 * through the OpenTelemetry API while core records that one through its fast
 * path, and two instruments of one name would make two families of one name.
 */
export const METRIC_DRIFT_DROPPED = {
  name: 'inferometer_drift_dropped_observations',
  prometheusName: 'inferometer_drift_dropped_observations_total',
  kind: 'counter',
  unit: '{observation}',
  description: 'Rows or results the drift monitor left out, by reason.',
  attributes: [ATTR_MODEL_NAME, ATTR_REASON],
} as const satisfies MetricDefinition;

/** Values of `reason` on {@link METRIC_DRIFT_DROPPED}. */
export const DRIFT_DROP_REASONS = {
  /** The `features` (or a `predictions`) extractor threw. */
  extractor: 'drift_extractor_error',
  /** The extractor returned something that is not rows, a row, records or a tensor. */
  unsupported: 'drift_unsupported_input',
  /** A row had a different number of values than the profile has features. */
  shape: 'drift_shape_mismatch',
} as const;

/** The drift monitor's metrics, in a stable order. */
export const DRIFT_CATALOG = [METRIC_DATA_DRIFT_SCORE, METRIC_PREDICTION_DRIFT_SCORE, METRIC_DRIFT_DROPPED] as const satisfies readonly MetricDefinition[];

// The model-quality metrics (outcomes, CBPE, data quality, embeddings) are
// owned by their own module; this subpath carries them too.
export * from './quality-catalog.js';
