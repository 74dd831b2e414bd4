// The public API of @inferometer/core: what users call or read. Every public
// name is listed here by hand; what this file does not name is internal, and
// what the sibling packages share with core is in internal.ts
// (`@inferometer/core/internal`).
export { instrument } from './instrument.js';
export { Instrument } from './decorator.js';
export type { InstrumentDecorator, LegacyMethodDecorator, StandardMethodDecorator } from './decorator.js';
export type {
  AttributeSource,
  AttributeValue,
  BoundInferenceObserver,
  ConfidenceExtractor,
  InferenceObserver,
  InstrumentOptions,
} from './options.js';
export type { BucketOverrides, HistogramKind, HistogramKinds } from './recorder/recorder.js';
export { anthropicExtractor, finishReasonOf, LLM_PROVIDERS, ollamaExtractor, openaiExtractor, vercelAiExtractor } from './llm/extractors.js';
export type { LlmExtractor, LlmProvider, LlmUsage } from './llm/extractors.js';
export { GENAI_SEMCONV_VARIABLE } from './plan.js';
export { attachCollector } from './collector.js';
export type { CollectorOptions } from './collector.js';
export { retireModelVersion } from './retire.js';
export { InferometerConfigError, InstrumentOptionError } from './errors.js';
export type { InferometerConfigErrorCode, InferometerConfigErrorDetails } from './errors.js';
export type { CatalogCollector } from './collector.js';
export type { CollectedExemplar, CollectedExponentialHistogram, CollectedHistogram, CollectedMetric, CollectedPoint, Temporality } from './recorder/native/collector.js';
export type { HrTimeLike } from './recorder/native/series.js';
export { configureGuards, GUARD_DEFAULTS } from './guard/config.js';
export type { GuardOptions } from './guard/config.js';
export { createAttributeGuard } from './guard/attribute-guard.js';
export type { AttributeGuard, AttributeGuardOptions } from './guard/attribute-guard.js';
export { prometheusRelabelConfigs } from './guard/relabel.js';
export type { RelabelOptions } from './guard/relabel.js';
// Values the guard writes into the user's metrics (label values and reasons).
export { IDENTIFIER_MARKER, OVERFLOW_VALUE, REJECTION_REASONS, TOO_LONG_MARKER } from './guard/patterns.js';
export {
  ATTR_ATTRIBUTE,
  ATTR_ERROR_TYPE,
  ATTR_FINISH_REASON,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_TOKEN_TYPE,
  ATTR_METRIC,
  ATTR_MODEL_NAME,
  ATTR_MODEL_VERSION,
  ATTR_PHASE,
  ATTR_REASON,
  ATTR_SEMCONV_ERROR_TYPE,
  ATTR_STATUS,
  ATTR_TOKEN_TYPE,
  CATALOG,
  CATALOG_NAME_PREFIXES,
  DEFAULT_BATCH_SIZE_BUCKETS,
  DEFAULT_CONFIDENCE_BUCKETS,
  DEFAULT_GEN_AI_DURATION_BUCKETS,
  DEFAULT_LATENCY_BUCKETS,
  DEFAULT_STREAM_ITEMS_BUCKETS,
  DEFAULT_TIME_PER_OUTPUT_TOKEN_BUCKETS,
  DEFAULT_TIME_TO_FIRST_ITEM_BUCKETS,
  DEFAULT_TOKEN_BUCKETS,
  DROP_REASONS,
  ERROR_TYPE_OTHER,
  FINISH_REASONS,
  GEN_AI_CATALOG,
  INSTRUMENTATION_SCOPE,
  MAX_ERROR_TYPES_PER_SERIES,
  METRIC_ACTIVE_MODEL_VERSION,
  METRIC_ATTRIBUTE_REJECTIONS,
  METRIC_DROPPED_OBSERVATIONS,
  METRIC_FINISH_REASONS,
  METRIC_GEN_AI_OPERATION_DURATION,
  METRIC_GEN_AI_TIME_PER_OUTPUT_TOKEN,
  METRIC_GEN_AI_TIME_TO_FIRST_TOKEN,
  METRIC_GEN_AI_TOKEN_USAGE,
  METRIC_PHASE_DURATION,
  METRIC_PREDICTION_TOKENS,
  METRIC_SERIES,
  METRIC_TIME_PER_OUTPUT_TOKEN,
  METRIC_MODEL_INFO,
  METRIC_PREDICTION_BATCH_SIZE,
  METRIC_PREDICTION_CONFIDENCE,
  METRIC_PREDICTION_ERRORS,
  METRIC_PREDICTION_LATENCY,
  METRIC_PREDICTIONS,
  METRIC_PREDICTIONS_IN_FLIGHT,
  METRIC_STREAM_ITEMS,
  METRIC_TIME_TO_FIRST_ITEM,
  PHASES,
  STATUS_CANCELLED,
  STATUS_ERROR,
  STATUS_SUCCESS,
} from './catalog.js';
export type { FinishReason, MetricDefinition, MetricKind, Phase, TokenType } from './catalog.js';
export { TOKEN_TYPES } from './catalog.js';
