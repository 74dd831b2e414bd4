// The public API of @inferometer/drift, listed by hand; what this file does
// not name is internal. Metric names, attribute keys and their values (drift's
// and model quality's) are in `@inferometer/drift/catalog`.
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
export { outcomeTracker, DEFAULT_MAX_AGE_SECONDS, DEFAULT_MAX_CLASSES, DEFAULT_MAX_ENTRIES, DEFAULT_MAX_ID_LENGTH } from './outcomes/tracker.js';
export type { OutcomeTracker } from './outcomes/tracker.js';
export type { OutcomeStatus, OutcomeTrackerOptions, PredictionId } from './outcomes/options.js';
export { combineObservers } from './quality/combine.js';
export { dataQualityMonitor } from './quality/data-quality.js';
export type { DataQualityOptions } from './quality/data-quality.js';
export { buildEmbeddingReference, embeddingMonitor, EMBEDDING_REFERENCE_FORMAT, MAX_EMBEDDING_DIMENSIONS } from './quality/embedding.js';
export type { EmbeddingMonitorOptions, EmbeddingReference } from './quality/embedding.js';
