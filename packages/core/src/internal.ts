// `@inferometer/core/internal`: what the sibling @inferometer packages share
// with core (the fast path's shared state
// and thread merging, the runtime). NOT public API: it follows the sibling
// packages' needs and may change in any release. Every name is listed by
// hand, like the public barrel, and each one is imported by a sibling
// package; core's own tests import core's modules directly.
export { UNKNOWN_VERSION } from './resolve.js';
export { unboundedLabelRegex } from './guard/relabel.js';
export { runtime } from './runtime.js';
export { OnceReporter } from './diagnostics.js';
export { closestFirst, didYouMean, editDistance } from './errors.js';
export { ProviderBound } from './global-provider.js';
export { attachCollectorTo } from './collector.js';
export { bucketExemplar, exemplarsOf } from './recorder/native/exemplars.js';
export type { CollectedExemplar } from './recorder/native/exemplars.js';
export { DEFAULT_MAX_SIZE as EXPONENTIAL_DEFAULT_MAX_SIZE, MAX_SCALE as EXPONENTIAL_MAX_SCALE, MIN_SCALE as EXPONENTIAL_MIN_SCALE, changeScale, mapToIndex } from './recorder/native/exponential.js';
export { SharedSeriesMirror } from './recorder/native/shared.js';
export type { SeriesLayout, SharedRecord } from './recorder/native/shared.js';
export { MERGER_EXPORT } from './thread-parts.js';
export type { Contributions, PartMerge, PartMerger, PartPoint } from './thread-parts.js';
