// The public API of @inferometer/node, listed by hand.
export { start } from './start.js';
export { DEFAULT_PROMETHEUS_PORT, WEB_CONFIG_FILE_VARIABLE } from './exporters/prometheus.js';
export { DEFAULT_EXPORT_INTERVAL_MILLIS, DEFAULT_EXPORT_TIMEOUT_MILLIS } from './config/timing.js';
export type { TimingOptions } from './config/timing.js';
export type { InferometerHandle, StartOptions } from './start/options.js';
export {
  createPrometheusReader,
  PROMETHEUS_CONTENT_TYPE,
  OPENMETRICS_CONTENT_TYPE,
  DEFAULT_COLLECT_TIMEOUT_MILLIS,
  DEFAULT_WRITE_TIMEOUT_MILLIS,
  DEFAULT_MAX_CONCURRENT_SCRAPES,
  MAX_SCRAPE_SOCKETS,
  SCRAPE_TIMEOUT_MARGIN_MILLIS,
  MAX_COLLECT_TIMEOUT_MILLIS,
} from './prometheus/handler.js';
export type { MetricsRequestHandler, PrometheusPullReader, PrometheusReaderOptions, ScrapeLimits, ScrapeStats } from './prometheus/handler.js';
export type { ExpositionFormat } from './prometheus/negotiation.js';
export { METRICS_PATH } from './prometheus/server.js';
export { ConfigurationError } from './config/env.js';
export type { ConfigurationErrorDetails, Environment } from './config/env.js';
export { METRICS_EXPORTERS } from './config/exporters.js';
export type { MetricsExporterName } from './config/exporters.js';
export { createCatalogProducer } from './native/producer.js';
export type { CatalogProducer, CatalogProducerOptions } from './native/producer.js';
export { serialize as serializePrometheus, serializeChunks as serializePrometheusChunks } from './prometheus/serializer.js';
export type { SerializeOptions } from './prometheus/serializer.js';
export { encodeProtobufExposition, PROTOBUF_CONTENT_TYPE } from './prometheus/protobuf/index.js';
export { OTLP_PROTOCOLS, DEFAULT_OTLP_ENDPOINT, DEFAULT_OTLP_GRPC_ENDPOINT, DEFAULT_OTLP_TIMEOUT_MILLIS } from './config/otlp.js';
export type { OtlpOptions, OtlpProtocol } from './config/otlp.js';
export {
  OTLP_PRESETS,
  OTLP_TEMPORALITY_PREFERENCES,
  OTLP_HISTOGRAM_AGGREGATIONS,
  OTLP_COMPRESSIONS,
  NEW_RELIC_ENDPOINTS,
  NEW_RELIC_GRPC_ENDPOINTS,
  DEFAULT_DATADOG_SITE,
  DATADOG_MAX_PAYLOAD_BYTES,
  NEW_RELIC_MAX_PAYLOAD_BYTES,
  DEFAULT_OTLP_MAX_PAYLOAD_BYTES,
} from './config/otlp-presets.js';
export type { OtlpPresetName, OtlpTemporalityPreference, OtlpHistogramAggregation, OtlpCompression, NewRelicRegion } from './config/otlp-presets.js';
export { CLOUDWATCH_SIGNING_SERVICE, AWS_REGION_VARIABLES, SIGV4_PACKAGES } from './config/otlp-presets.js';
export { DEFAULT_EMF_NAMESPACE, EMF_NAMESPACE_VARIABLE } from './config/emf.js';
export type { EmfOptions, EmfStream } from './config/emf.js';
export { EMF_MAX_METRICS_PER_DOCUMENT, EMF_MAX_DIMENSIONS, EMF_MAX_VALUES_PER_METRIC, EMF_MAX_DOCUMENT_BYTES } from './exporters/emf.js';
export { REMOTE_WRITE_VARIABLES } from './config/remote-write.js';
export type { RemoteWriteStartOptions } from './config/remote-write.js';
export { GUARD_VARIABLES, MAX_UNBOUNDED_KEY_PATTERNS, MAX_UNBOUNDED_KEY_PATTERN_LENGTH, MAX_UNBOUNDED_KEY_PATTERNS_LENGTH } from './config/guards.js';
export { MAX_RESOURCE_ATTRIBUTE_LENGTH } from './config/resource.js';
export type { ClusterOptions, ThreadsOptions } from './cluster/config.js';
export {
  CLUSTER_VARIABLE,
  CLUSTER_COLLECT_TIMEOUT_VARIABLE,
  CLUSTER_PUSH_INTERVAL_VARIABLE,
  THREADS_VARIABLE,
  DEFAULT_CLUSTER_COLLECT_TIMEOUT_MILLIS,
  MAX_CLUSTER_COLLECT_TIMEOUT_MILLIS,
  DEFAULT_CLUSTER_PUSH_INTERVAL_MILLIS,
  MIN_CLUSTER_PUSH_INTERVAL_MILLIS,
  MAX_CLUSTER_PUSH_INTERVAL_MILLIS,
} from './cluster/names.js';
export { startRuntimeMetrics, RUNTIME_METRICS_VARIABLE } from './runtime-metrics/index.js';
export type { RuntimeMetrics } from './runtime-metrics/index.js';
