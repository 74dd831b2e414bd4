/**
 * The model-quality metrics: realised performance from delayed outcomes,
 * the confidence-based estimate (CBPE), data quality per feature and
 * embedding signals. Names, units, help text, attribute keys and default
 * buckets live here and nowhere else, as for drift in `catalog.ts` (which
 * re-exports this module, so `@inferometer/drift/catalog` carries both).
 * Naming follows core's catalog rule: counters carry no `_total` (every
 * export path adds it), histograms in seconds end in `_seconds`, gauges
 * take empty or curly-brace units.
 *
 * @packageDocumentation
 */
import { ATTR_MODEL_NAME, ATTR_MODEL_VERSION, type MetricDefinition } from '@inferometer/core/catalog';

/** Attribute key on {@link METRIC_OUTCOMES}: {@link OUTCOME_RESULTS}. */
export const ATTR_RESULT = 'result' as const;
/**
 * Values of {@link ATTR_RESULT}: a classifier's outcome was `correct` or
 * `incorrect`; a regressor's is `observed` (its error is in the error metrics).
 */
export const OUTCOME_RESULTS = { correct: 'correct', incorrect: 'incorrect', observed: 'observed' } as const;
/** Attribute key on {@link METRIC_CONFUSION}: the class the model predicted. */
export const ATTR_PREDICTED = 'predicted' as const;
/** Attribute key on {@link METRIC_CONFUSION}: the class the outcome reported. */
export const ATTR_ACTUAL = 'actual' as const;
/** Attribute key on the calibration metrics: the confidence bin's upper bound (`0.1` ... `1`). */
export const ATTR_CONFIDENCE_BIN = 'confidence_bin' as const;
/** Attribute key on {@link METRIC_OUTCOME_EVENTS}: {@link OUTCOME_EVENTS}. */
export const ATTR_EVENT = 'event' as const;
/** Attribute key on {@link METRIC_DATA_QUALITY_ISSUES}: {@link DATA_QUALITY_ISSUES}. */
export const ATTR_ISSUE = 'issue' as const;
/** Attribute key on the embedding metrics: `input` or `output`. */
export const ATTR_SOURCE = 'source' as const;
/** Attribute key on {@link METRIC_EMBEDDING_CENTROID_DISTANCE}: `cosine` or `euclidean`. */
export const ATTR_DISTANCE = 'distance' as const;

/**
 * Values of {@link ATTR_EVENT}: what the join store did with a prediction or
 * an outcome other than join them. Counted, never thrown.
 */
export const OUTCOME_EVENTS = {
  /** An outcome for an id the store never kept (or forgot past its tombstones). */
  unknown: 'unknown_id',
  /** An outcome for a prediction the store dropped (capacity or age): it came too late. */
  late: 'late',
  /** A second outcome for a prediction already joined. */
  duplicate: 'duplicate',
  /** A kept prediction pushed out by a newer one because the store was full. */
  evicted: 'evicted',
  /** A kept prediction dropped because no outcome came within `maxAgeSeconds`. */
  expired: 'expired',
  /** A prediction kept under an id already held: the newer replaces the older. */
  reused: 'reused_id',
  /** An id that is not a string or finite number, is empty or longer than `maxIdLength`. */
  invalidId: 'invalid_id',
  /** An outcome that is not a class (classification) or a finite number (regression). */
  invalidOutcome: 'invalid_outcome',
  /** The `id`, `prediction` or `confidence` extractor threw or returned an unusable shape. */
  extractor: 'extractor_error',
  /** A class name past `maxClasses` for one version, counted under `_OTHER`. */
  classOverflow: 'class_overflow',
} as const;

/**
 * Values of {@link ATTR_ISSUE}, each checked against the reference profile:
 * `missing` (null, undefined, empty string), `nan`, `infinite`,
 * `out_of_range` (a number below the profile's min or above its max),
 * `unseen_category` (a category the profile never had), `wrong_type`
 * (a string where a number belongs, an object where a category belongs).
 */
export const DATA_QUALITY_ISSUES = ['missing', 'nan', 'infinite', 'out_of_range', 'unseen_category', 'wrong_type'] as const;
/** One of {@link DATA_QUALITY_ISSUES}. */
export type DataQualityIssue = (typeof DATA_QUALITY_ISSUES)[number];

const SERIES_KEYS = [ATTR_MODEL_NAME, ATTR_MODEL_VERSION] as const;

/** Default label-delay buckets in seconds: one second to thirty days (a click, a review, a chargeback). */
export const DEFAULT_LABEL_DELAY_BUCKETS = [1, 5, 30, 60, 300, 900, 3600, 4 * 3600, 86400, 7 * 86400, 30 * 86400] as const;
/** Default absolute-error buckets (in the target's own unit): powers of two around 1. */
export const DEFAULT_ABSOLUTE_ERROR_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100] as const;

/** `ml_prediction_outcomes_total{model_name, model_version, result}`: outcomes joined with their prediction. */
export const METRIC_OUTCOMES = {
  name: 'ml_prediction_outcomes',
  prometheusName: 'ml_prediction_outcomes_total',
  kind: 'counter',
  unit: '{outcome}',
  description: 'Reported outcomes joined with their prediction, by result (correct, incorrect; observed for regression).',
  attributes: [...SERIES_KEYS, ATTR_RESULT],
} as const satisfies MetricDefinition;

/** `ml_prediction_confusion_total{model_name, model_version, predicted, actual}`: the confusion matrix, bounded per version. */
export const METRIC_CONFUSION = {
  name: 'ml_prediction_confusion',
  prometheusName: 'ml_prediction_confusion_total',
  kind: 'counter',
  unit: '{outcome}',
  description: 'Joined outcomes by predicted and actual class (classes past the cap are _OTHER), with the result (correct on the diagonal).',
  attributes: [...SERIES_KEYS, ATTR_PREDICTED, ATTR_ACTUAL, ATTR_RESULT],
} as const satisfies MetricDefinition;

/** `ml_prediction_outcomes_by_confidence_total{model_name, model_version, confidence_bin, result}`: the reliability curve's counts. */
export const METRIC_OUTCOMES_BY_CONFIDENCE = {
  name: 'ml_prediction_outcomes_by_confidence',
  prometheusName: 'ml_prediction_outcomes_by_confidence_total',
  kind: 'counter',
  unit: '{outcome}',
  description: 'Joined classification outcomes by the prediction\'s confidence bin and result.',
  attributes: [...SERIES_KEYS, ATTR_CONFIDENCE_BIN, ATTR_RESULT],
} as const satisfies MetricDefinition;

/**
 * `ml_prediction_outcome_confidence_total{model_name, model_version, confidence_bin}`:
 * the sum of the confidences of joined predictions per bin, so that
 * expected calibration error is `sum(|correct_b - confidence_b|) / outcomes`.
 */
export const METRIC_OUTCOME_CONFIDENCE = {
  name: 'ml_prediction_outcome_confidence',
  prometheusName: 'ml_prediction_outcome_confidence_total',
  kind: 'counter',
  unit: '{confidence}',
  description: 'Sum of the confidence of predictions that got an outcome, by confidence bin.',
  attributes: [...SERIES_KEYS, ATTR_CONFIDENCE_BIN],
} as const satisfies MetricDefinition;

/** `ml_prediction_absolute_error{model_name, model_version}`: |predicted - actual| per regression outcome. */
export const METRIC_ABSOLUTE_ERROR = {
  name: 'ml_prediction_absolute_error',
  prometheusName: 'ml_prediction_absolute_error',
  kind: 'histogram',
  unit: '1',
  description: 'Absolute error of each regression prediction that got an outcome, in the target\'s unit.',
  attributes: SERIES_KEYS,
  buckets: DEFAULT_ABSOLUTE_ERROR_BUCKETS,
} as const satisfies MetricDefinition;

/** `ml_prediction_squared_error_total{model_name, model_version}`: sum of squared errors (RMSE = sqrt(this / outcomes)). */
export const METRIC_SQUARED_ERROR = {
  name: 'ml_prediction_squared_error',
  prometheusName: 'ml_prediction_squared_error_total',
  kind: 'counter',
  unit: '1',
  description: 'Sum of squared errors of regression predictions that got an outcome.',
  attributes: SERIES_KEYS,
} as const satisfies MetricDefinition;

/**
 * `ml_prediction_signed_error{model_name, model_version}`: running sum of
 * (predicted - actual). It goes up and down, so it is an up-down counter (a
 * gauge in Prometheus): bias over a window is `delta(...[w]) / increase(outcomes[w])`.
 */
export const METRIC_SIGNED_ERROR = {
  name: 'ml_prediction_signed_error',
  prometheusName: 'ml_prediction_signed_error',
  kind: 'updowncounter',
  unit: '{error}',
  description: 'Running sum of predicted minus actual over regression outcomes (bias = its change / outcomes).',
  attributes: SERIES_KEYS,
} as const satisfies MetricDefinition;

/** `ml_prediction_label_delay_seconds{model_name, model_version}`: time from prediction to its outcome. */
export const METRIC_LABEL_DELAY = {
  name: 'ml_prediction_label_delay_seconds',
  prometheusName: 'ml_prediction_label_delay_seconds',
  kind: 'histogram',
  unit: 's',
  description: 'Time from a prediction to its reported outcome.',
  attributes: SERIES_KEYS,
  buckets: DEFAULT_LABEL_DELAY_BUCKETS,
} as const satisfies MetricDefinition;

/** `ml_predictions_kept_total{model_name, model_version}`: predictions kept for a later outcome (the denominator of the labelled share). */
export const METRIC_PREDICTIONS_KEPT = {
  name: 'ml_predictions_kept',
  prometheusName: 'ml_predictions_kept_total',
  kind: 'counter',
  unit: '{prediction}',
  description: 'Predictions kept under an id, waiting for an outcome.',
  attributes: SERIES_KEYS,
} as const satisfies MetricDefinition;

/** `ml_predictions_scored_total{model_name, model_version}`: kept predictions that carried a confidence. */
export const METRIC_PREDICTIONS_SCORED = {
  name: 'ml_predictions_scored',
  prometheusName: 'ml_predictions_scored_total',
  kind: 'counter',
  unit: '{prediction}',
  description: 'Kept classification predictions that carried a confidence (the denominator of the estimated accuracy).',
  attributes: SERIES_KEYS,
} as const satisfies MetricDefinition;

/**
 * `ml_prediction_expected_correct_total{model_name, model_version}`: sum of
 * the top-class confidence of every scored prediction, labelled or not.
 * Confidence-based performance estimation (CBPE, NannyML): for a calibrated
 * classifier the chance a prediction is right is its confidence, so the
 * expected accuracy is `rate(this) / rate(ml_predictions_scored_total)`,
 * known at once, long before labels arrive.
 */
export const METRIC_EXPECTED_CORRECT = {
  name: 'ml_prediction_expected_correct',
  prometheusName: 'ml_prediction_expected_correct_total',
  kind: 'counter',
  unit: '{prediction}',
  description: 'Sum of the top-class confidence of scored predictions: expected correct predictions (CBPE).',
  attributes: SERIES_KEYS,
} as const satisfies MetricDefinition;

/** `inferometer_outcome_events_total{model_name, event}`: what the join store counted instead of throwing. */
export const METRIC_OUTCOME_EVENTS = {
  name: 'inferometer_outcome_events',
  prometheusName: 'inferometer_outcome_events_total',
  kind: 'counter',
  unit: '{event}',
  description: 'Join-store events other than a join: unknown, late or duplicate outcomes, evicted or expired predictions, bad ids.',
  attributes: [ATTR_MODEL_NAME, ATTR_EVENT],
} as const satisfies MetricDefinition;

/** `inferometer_outcome_store_entries{model_name}`: predictions held now, waiting for an outcome. */
export const METRIC_OUTCOME_STORE_ENTRIES = {
  name: 'inferometer_outcome_store_entries',
  prometheusName: 'inferometer_outcome_store_entries',
  kind: 'gauge',
  unit: '{prediction}',
  description: 'Predictions the outcome join store holds now.',
  attributes: [ATTR_MODEL_NAME],
} as const satisfies MetricDefinition;

/** `ml_data_quality_issues_total{model_name, model_version, feature, issue}`: input values that fail the profile's checks. */
export const METRIC_DATA_QUALITY_ISSUES = {
  name: 'ml_data_quality_issues',
  prometheusName: 'ml_data_quality_issues_total',
  kind: 'counter',
  unit: '{value}',
  description: 'Input values failing a data-quality check against the reference profile, by feature and issue.',
  // 'feature' is drift's ATTR_FEATURE (catalog.ts re-exports this module, so it is not imported back).
  attributes: [...SERIES_KEYS, 'feature', ATTR_ISSUE],
} as const satisfies MetricDefinition;

/** `ml_data_quality_rows_total{model_name, model_version}`: rows checked (the denominator of issue rates). */
export const METRIC_DATA_QUALITY_ROWS = {
  name: 'ml_data_quality_rows',
  prometheusName: 'ml_data_quality_rows_total',
  kind: 'counter',
  unit: '{row}',
  description: 'Input rows checked for data quality.',
  attributes: SERIES_KEYS,
} as const satisfies MetricDefinition;

/** `ml_embedding_centroid_distance{model_name, model_version, source, distance}`: the window's centroid against the reference centroid. */
export const METRIC_EMBEDDING_CENTROID_DISTANCE = {
  name: 'ml_embedding_centroid_distance',
  prometheusName: 'ml_embedding_centroid_distance',
  kind: 'gauge',
  unit: '',
  description: 'Distance of the recent vectors\' centroid from the reference centroid (cosine distance or Euclidean).',
  attributes: [...SERIES_KEYS, ATTR_SOURCE, ATTR_DISTANCE],
} as const satisfies MetricDefinition;

/** `ml_embedding_rows_total{model_name, model_version, source}`: vectors checked. */
export const METRIC_EMBEDDING_ROWS = {
  name: 'ml_embedding_rows',
  prometheusName: 'ml_embedding_rows_total',
  kind: 'counter',
  unit: '{row}',
  description: 'Vectors (embeddings or feature rows) checked against the reference.',
  attributes: [...SERIES_KEYS, ATTR_SOURCE],
} as const satisfies MetricDefinition;

/** `ml_outlier_rows_total{model_name, model_version, source}`: vectors with a dimension beyond the z-score threshold. */
export const METRIC_OUTLIER_ROWS = {
  name: 'ml_outlier_rows',
  prometheusName: 'ml_outlier_rows_total',
  kind: 'counter',
  unit: '{row}',
  description: 'Vectors with at least one dimension further than the z-score threshold from the reference mean.',
  attributes: [...SERIES_KEYS, ATTR_SOURCE],
} as const satisfies MetricDefinition;

/** The model-quality metrics, in a stable order. */
export const QUALITY_CATALOG = [
  METRIC_OUTCOMES,
  METRIC_CONFUSION,
  METRIC_OUTCOMES_BY_CONFIDENCE,
  METRIC_OUTCOME_CONFIDENCE,
  METRIC_ABSOLUTE_ERROR,
  METRIC_SQUARED_ERROR,
  METRIC_SIGNED_ERROR,
  METRIC_LABEL_DELAY,
  METRIC_PREDICTIONS_KEPT,
  METRIC_PREDICTIONS_SCORED,
  METRIC_EXPECTED_CORRECT,
  METRIC_OUTCOME_EVENTS,
  METRIC_OUTCOME_STORE_ENTRIES,
  METRIC_DATA_QUALITY_ISSUES,
  METRIC_DATA_QUALITY_ROWS,
  METRIC_EMBEDDING_CENTROID_DISTANCE,
  METRIC_EMBEDDING_ROWS,
  METRIC_OUTLIER_ROWS,
] as const satisfies readonly MetricDefinition[];
