// `@inferometer/core/internal`: what the sibling @inferometer packages share
// with core (Prometheus naming, diagnostics, runtime state). NOT public API:
// it follows the sibling packages' needs and may change in any release.
// Every name is listed by hand, like the public barrel.
export { prometheusBucketBound, prometheusLabelName, prometheusLabelValue, prometheusMetricName } from './naming.js';
export { encodeVersion } from './version-encoding.js';
export { UNKNOWN_VERSION } from './resolve.js';
export { unboundedLabelRegex } from './guard/relabel.js';
export { DEFAULT_UNBOUNDED_KEY_PATTERNS, looksLikeIdentifier } from './guard/patterns.js';
export { runtime, createRuntime, isCompatible, RUNTIME_KEY } from './runtime.js';
export type { Runtime } from './runtime.js';
export { OnceReporter } from './diagnostics.js';
export { closestFirst, didYouMean, editDistance } from './errors.js';
export { ProviderBound } from './global-provider.js';
export { attachCollectorTo } from './collector.js';
export { instrumentIn } from './instrument.js';
export { InstrumentIn } from './decorator.js';
export { attributeGuardIn } from './guard/attribute-guard.js';
export { resolveGuardOptions } from './guard/config.js';
export {
  DATA_POINT_TYPE,
  EXPORTED_LABEL_PREFIX,
  prometheusFamilyName,
  prometheusLabels,
  prometheusType,
  reservedLabels,
} from './prometheus/translation.js';
export type { MetricDataLike, PrometheusLabel, PrometheusType } from './prometheus/translation.js';
export { nativeBuckets, nativeSchema, NATIVE_MAX_SCHEMA, NATIVE_MIN_SCHEMA } from './prometheus/native.js';
export type { NativeBuckets } from './prometheus/native.js';
export { exemplarsOf } from './recorder/native/exemplars.js';
export { DEFAULT_MAX_SIZE as EXPONENTIAL_DEFAULT_MAX_SIZE, MAX_SCALE as EXPONENTIAL_MAX_SCALE, MIN_SCALE as EXPONENTIAL_MIN_SCALE, changeScale, mapToIndex } from './recorder/native/exponential.js';
export type { CollectedExemplar } from './recorder/native/exemplars.js';
export { SharedSeriesMirror, SharedDirectory } from './recorder/native/shared.js';
export type { SeriesLayout, SharedRecord } from './recorder/native/shared.js';
export { SERIES_METRICS } from './recorder/native/collector.js';
export type { CollectedMetric } from './recorder/native/collector.js';
export { MERGER_EXPORT, ThreadParts } from './thread-parts.js';
export type { Contributions, PartMerge, PartMerger, PartPoint, ThreadPart } from './thread-parts.js';
