/**
 * The metrics `@inferometer/node` itself exports beside core's catalog: the
 * cluster primary's self-metrics, the pull endpoint's self-metrics
 * (prometheus/names.ts), and the process and Node.js runtime families
 * (prom-client's names). This module is the
 * `@inferometer/node/catalog` subpath, like each satellite's `./catalog`: it
 * imports nothing that runs, so `@inferometer/ops` builds these names into
 * its bundle (dashboard, relabelling, doctor) without depending on the
 * OpenTelemetry SDK. The definitions themselves stay beside the code that
 * records them (cluster/names.ts, prometheus/names.ts, runtime-metrics/names.ts).
 *
 * @example
 * ```ts
 * import { NODE_CATALOG, RUNTIME_EVENTLOOP_LAG_P99 } from '@inferometer/node/catalog';
 * ```
 *
 * @packageDocumentation
 */
import type { MetricDefinition } from '@inferometer/core/catalog';
import { METRIC_CLUSTER_COLLECT_MISSES, METRIC_CLUSTER_WORKERS } from './cluster/names.js';
import { ENDPOINT_CATALOG } from './prometheus/names.js';
import { CPU_TOTAL, EVENTLOOP_LAG_STATS, EVENTLOOP_UTILIZATION, GC_DURATION, HEAP_USED, RUNTIME_CATALOG } from './runtime-metrics/names.js';

export { ATTR_MISS_REASON, ATTR_WORKER_KIND, ATTR_WORKER_STATE, METRIC_CLUSTER_COLLECT_MISSES, METRIC_CLUSTER_WORKERS } from './cluster/names.js';
export { RUNTIME_CATALOG } from './runtime-metrics/names.js';
export {
  ATTR_ERROR_CAUSE,
  ATTR_REFUSAL_REASON,
  ATTR_SCRAPE_CODE,
  ATTR_SCRAPE_FORMAT,
  ENDPOINT_CATALOG,
  ERROR_CAUSES,
  METRIC_SCRAPE_COLLECT_DURATION,
  METRIC_SCRAPE_DROPPED_FAMILIES,
  METRIC_SCRAPE_ENCODE_DURATION,
  METRIC_SCRAPE_ERRORS,
  METRIC_SCRAPE_REFUSALS,
  METRIC_SCRAPE_REQUESTS,
  REFUSAL_REASONS,
  SCRAPE_CODES,
  SCRAPE_FORMATS,
} from './prometheus/names.js';
export type { ErrorCause, RefusalReason, ScrapeCode, ScrapeFormat } from './prometheus/names.js';
export type { RuntimeMetricDefinition } from './runtime-metrics/names.js';

/** `process_cpu_seconds_total`: user and system CPU time. */
export const RUNTIME_CPU = CPU_TOTAL;
/** `nodejs_eventloop_lag_p99_seconds`: the 99th percentile of the event loop delay since the previous collection. */
export const RUNTIME_EVENTLOOP_LAG_P99 = EVENTLOOP_LAG_STATS.find(([stat]) => stat === 'p99')![1];
/** `nodejs_eventloop_utilization_ratio`: share of time the event loop was busy. */
export const RUNTIME_EVENTLOOP_UTILIZATION = EVENTLOOP_UTILIZATION;
/** `nodejs_heap_size_used_bytes`: V8 heap in use. */
export const RUNTIME_HEAP_USED = HEAP_USED;
/** `nodejs_gc_duration_seconds{kind}`: garbage collection pauses. */
export const RUNTIME_GC_DURATION = GC_DURATION;

/** The cluster primary's self-metrics (present in a `node:cluster` or worker-threads primary only). */
export const CLUSTER_CATALOG = [METRIC_CLUSTER_COLLECT_MISSES, METRIC_CLUSTER_WORKERS] as const satisfies readonly MetricDefinition[];

/**
 * Everything `@inferometer/node` exports beside core's catalog: cluster
 * self-metrics, the pull endpoint's self-metrics, then the runtime families.
 */
export const NODE_CATALOG: readonly MetricDefinition[] = [...CLUSTER_CATALOG, ...ENDPOINT_CATALOG, ...RUNTIME_CATALOG];
