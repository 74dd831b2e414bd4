// The public API of @inferometer/core: what users call. Every public name is
// listed here by hand; what this file does not name is internal. The metric
// catalog (names, units, attribute keys, buckets, the guard's label values)
// is the `@inferometer/core/catalog` subpath (src/catalog.ts), and what the
// sibling packages share with core is `@inferometer/core/internal`
// (src/internal.ts).
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
export type { CatalogCollector, CollectorOptions } from './collector.js';
export { InferometerConfigError, InstrumentOptionError } from './errors.js';
export type { InferometerConfigErrorCode, InferometerConfigErrorDetails } from './errors.js';
export type { CollectedExemplar, CollectedExponentialHistogram, CollectedHistogram, CollectedMetric, CollectedPoint, Temporality } from './recorder/native/collector.js';
export type { HrTimeLike } from './recorder/native/series.js';
export { retireModelVersion } from './retire.js';
export { configureGuards, GUARD_DEFAULTS } from './guard/config.js';
export type { GuardOptions } from './guard/config.js';
export { createAttributeGuard } from './guard/attribute-guard.js';
export type { AttributeGuard, AttributeGuardOptions } from './guard/attribute-guard.js';
export { prometheusRelabelConfigs } from './guard/relabel.js';
export type { RelabelOptions } from './guard/relabel.js';
