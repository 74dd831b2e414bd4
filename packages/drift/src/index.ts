// The public API of @inferometer/drift, listed by hand; what this file does
// not name is internal.
export { driftMonitor, DEFAULT_MAX_VERSIONS, DEFAULT_MIN_ROWS } from './monitor/drift-monitor.js';
export type { DriftMonitor } from './monitor/drift-monitor.js';
export type {
  ClassExtractor,
  ConfidenceSource,
  DriftMonitorOptions,
  FeatureInput,
  PredictionDriftOptions,
  TensorLike,
} from './monitor/options.js';
export { DEFAULT_METHODS, DEFAULT_THRESHOLDS } from './monitor/methods.js';
export type { DriftMethods } from './monitor/methods.js';
export { DRIFT_METHODS } from './catalog.js';
export type { DriftMethod } from './catalog.js';
export { DEFAULT_WINDOW } from './window/window.js';
export type { WindowOptions } from './window/window.js';
export { buildProfile } from './profile/build.js';
export type { BuildProfileOptions, ProfileInput, ReferenceValue } from './profile/build.js';
export { parseProfile, ProfileError } from './profile/parse.js';
export { PROFILE_FORMAT, PROFILE_VERSION } from './profile/format.js';
export type {
  CategoricalFeatureProfile,
  FeatureProfile,
  NumericFeatureProfile,
  PredictionProfile,
  ReferenceProfile,
} from './profile/format.js';
export { psi } from './stats/psi.js';
export { ksBinned, ksCriticalValue, ksStatistic } from './stats/ks.js';
export { jensenShannon } from './stats/jensen-shannon.js';
export { chiSquared, chiSquaredCritical, chiSquaredPValue, cohensW } from './stats/chi-squared.js';
export { EMPTY_BIN_SHARE } from './stats/epsilon.js';
export {
  DEFAULT_BINS,
  DEFAULT_MAX_CATEGORIES,
  DEFAULT_MAX_FEATURES,
  HARD_MAX_CATEGORIES,
  HARD_MAX_FEATURES,
  MAX_BINS,
} from './limits.js';
export type { DriftLimits } from './limits.js';
export {
  ATTR_FEATURE,
  ATTR_METHOD,
  ATTR_PREDICTION,
  DRIFT_CATALOG,
  DRIFT_DROP_REASONS,
  METRIC_DATA_DRIFT_SCORE,
  METRIC_DRIFT_DROPPED,
  METRIC_PREDICTION_DRIFT_SCORE,
  PREDICTION_CLASS,
  PREDICTION_CONFIDENCE,
} from './catalog.js';
export { outcomeTracker, DEFAULT_MAX_AGE_SECONDS, DEFAULT_MAX_CLASSES, DEFAULT_MAX_ENTRIES, DEFAULT_MAX_ID_LENGTH } from './outcomes/tracker.js';
export type { OutcomeTracker } from './outcomes/tracker.js';
export type { OutcomeStatus, OutcomeTrackerOptions, PredictionId } from './outcomes/options.js';
export { combineObservers } from './quality/combine.js';
export {
  ATTR_ACTUAL,
  ATTR_CONFIDENCE_BIN,
  ATTR_DISTANCE,
  ATTR_EVENT,
  ATTR_ISSUE,
  ATTR_PREDICTED,
  ATTR_RESULT,
  ATTR_SOURCE,
  DATA_QUALITY_ISSUES,
  DEFAULT_ABSOLUTE_ERROR_BUCKETS,
  DEFAULT_LABEL_DELAY_BUCKETS,
  METRIC_ABSOLUTE_ERROR,
  METRIC_CONFUSION,
  METRIC_DATA_QUALITY_ISSUES,
  METRIC_DATA_QUALITY_ROWS,
  METRIC_EMBEDDING_CENTROID_DISTANCE,
  METRIC_EMBEDDING_ROWS,
  METRIC_EXPECTED_CORRECT,
  METRIC_LABEL_DELAY,
  METRIC_OUTCOME_CONFIDENCE,
  METRIC_OUTCOME_EVENTS,
  METRIC_OUTCOME_STORE_ENTRIES,
  METRIC_OUTCOMES,
  METRIC_OUTCOMES_BY_CONFIDENCE,
  METRIC_OUTLIER_ROWS,
  METRIC_PREDICTIONS_KEPT,
  METRIC_PREDICTIONS_SCORED,
  METRIC_SIGNED_ERROR,
  METRIC_SQUARED_ERROR,
  OUTCOME_EVENTS,
  OUTCOME_RESULTS,
  QUALITY_CATALOG,
} from './quality-catalog.js';
export type { DataQualityIssue } from './quality-catalog.js';
export { dataQualityMonitor } from './quality/data-quality.js';
export type { DataQualityOptions } from './quality/data-quality.js';
export { buildEmbeddingReference, embeddingMonitor, EMBEDDING_REFERENCE_FORMAT, MAX_EMBEDDING_DIMENSIONS } from './quality/embedding.js';
export type { EmbeddingMonitorOptions, EmbeddingReference } from './quality/embedding.js';
