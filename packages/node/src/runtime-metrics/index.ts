export { resolveRuntimeMetrics, startRuntimeMetrics, RUNTIME_METRICS_VARIABLE, RUNTIME_METRICS_SCOPE, EVENTLOOP_RESOLUTION_MS } from './runtime-metrics.js';
export type { RuntimeMetrics } from './runtime-metrics.js';
export { GC_DURATION_BUCKETS } from './names.js';
