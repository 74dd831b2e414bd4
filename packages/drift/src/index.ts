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
