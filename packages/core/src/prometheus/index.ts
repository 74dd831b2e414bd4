// `@inferometer/core/prometheus`: the one home of the OpenTelemetry ->
// Prometheus rules every Prometheus path shares (the pull endpoint's text,
// OpenMetrics and protobuf expositions in @inferometer/node, remote write in
// @inferometer/exporter-remote-write): names, escaping, type mapping, family
// grouping and clash rules, native histogram buckets, and the protobuf
// writer. NOT public API, like `./internal`: it follows the sibling
// packages' needs and may change in any release. Every name is listed by hand.
export {
  openMetricsFamilyName,
  openMetricsUnit,
  prometheusBucketBound,
  prometheusLabelName,
  prometheusLabelValue,
  prometheusMetricName,
} from './names.js';
export { escapeHelp, escapeLabelValue, escapeName, ESCAPING_SCHEMES, isLegacyLabelName, isLegacyMetricName, quoteName, sampleValueText } from './escape.js';
export type { EscapingScheme } from './escape.js';
export {
  DATA_POINT_TYPE,
  EXPORTED_LABEL_PREFIX,
  exemplarLabels,
  MAX_EXEMPLAR_LABEL_CHARS,
  TARGET_LABELS,
  prometheusFamilyName,
  prometheusLabels,
  prometheusType,
  reservedLabels,
} from './translation.js';
export type { MetricDataLike, PrometheusLabel, PrometheusType } from './translation.js';
export { claimedNames, groupFamilies, TARGET_INFO } from './families.js';
export type { FamilyMetricLike, GroupFamiliesOptions, PrometheusFamily } from './families.js';
export { nativeBuckets, nativeSchema, NATIVE_MAX_SCHEMA, NATIVE_MIN_SCHEMA } from './native.js';
export type { NativeBuckets } from './native.js';
export { encodeLabelField, ProtoSink, utf8Length, varintSize, writeLabelField, zigzag } from './protobuf.js';
export type { WireType } from './protobuf.js';
export { parseExposition, seriesCount } from './parse.js';
export type { Exposition, Family, Sample } from './parse.js';
