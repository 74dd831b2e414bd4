/**
 * The runtime metrics' names, types, units and help texts, as prom-client's
 * `collectDefaultMetrics()` exposes them (prom-client 15, lib/metrics/*.js),
 * so the Node.js dashboards built on prom-client keep working. Names carry
 * their `_total`, `_seconds` and `_bytes` suffixes already: the pull
 * serializer appends `_total` to counters only when it is missing, and adds no
 * unit suffix.
 */

import type { MetricDefinition } from '@inferometer/core/catalog';

/**
 * One runtime metric, in the catalog's shape (`@inferometer/node/catalog`
 * lists them for the ops kit). Its instrument name is already the
 * Prometheus name, so `prometheusName` repeats it.
 */
export type RuntimeMetricDefinition = MetricDefinition;

const gauge = (name: string, description: string, unit = '', attributes: readonly string[] = []): RuntimeMetricDefinition =>
  Object.freeze({ name, prometheusName: name, kind: 'gauge', unit, description, attributes });

export const CPU_USER = { name: 'process_cpu_user_seconds_total', prometheusName: 'process_cpu_user_seconds_total', kind: 'counter', unit: 's', description: 'Total user CPU time spent in seconds.', attributes: [] } as const satisfies MetricDefinition;
export const CPU_SYSTEM = { name: 'process_cpu_system_seconds_total', prometheusName: 'process_cpu_system_seconds_total', kind: 'counter', unit: 's', description: 'Total system CPU time spent in seconds.', attributes: [] } as const satisfies MetricDefinition;
export const CPU_TOTAL = { name: 'process_cpu_seconds_total', prometheusName: 'process_cpu_seconds_total', kind: 'counter', unit: 's', description: 'Total user and system CPU time spent in seconds.', attributes: [] } as const satisfies MetricDefinition;
export const START_TIME = gauge('process_start_time_seconds', 'Start time of the process since unix epoch in seconds.', 's');
export const RESIDENT_MEMORY = gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', 'By');
/** Linux only (/proc/self/status), as in prom-client. */
export const VIRTUAL_MEMORY = gauge('process_virtual_memory_bytes', 'Virtual memory size in bytes.', 'By');
/** Linux only (/proc/self/status VmData), as in prom-client. */
export const PROCESS_HEAP = gauge('process_heap_bytes', 'Process heap size in bytes.', 'By');
/** Linux only (/proc/self/fd). */
export const OPEN_FDS = gauge('process_open_fds', 'Number of open file descriptors.');
/** Linux only (/proc/self/limits). */
export const MAX_FDS = gauge('process_max_fds', 'Maximum number of open file descriptors.');

export const EVENTLOOP_LAG = gauge('nodejs_eventloop_lag_seconds', 'Lag of event loop in seconds.', 's');
/** From `perf_hooks.monitorEventLoopDelay`, reset at each collection. */
export const EVENTLOOP_LAG_STATS = [
  ['min', gauge('nodejs_eventloop_lag_min_seconds', 'The minimum recorded event loop delay.', 's')],
  ['max', gauge('nodejs_eventloop_lag_max_seconds', 'The maximum recorded event loop delay.', 's')],
  ['mean', gauge('nodejs_eventloop_lag_mean_seconds', 'The mean of the recorded event loop delays.', 's')],
  ['stddev', gauge('nodejs_eventloop_lag_stddev_seconds', 'The standard deviation of the recorded event loop delays.', 's')],
  ['p50', gauge('nodejs_eventloop_lag_p50_seconds', 'The 50th percentile of the recorded event loop delays.', 's')],
  ['p90', gauge('nodejs_eventloop_lag_p90_seconds', 'The 90th percentile of the recorded event loop delays.', 's')],
  ['p99', gauge('nodejs_eventloop_lag_p99_seconds', 'The 99th percentile of the recorded event loop delays.', 's')],
] as const;
/**
 * Not in prom-client: share of time the event loop was busy since the last
 * collection (`performance.eventLoopUtilization`), the OpenTelemetry
 * semantic conventions' `nodejs.eventloop.utilization` under its Prometheus
 * name (unit 1 on a gauge: `_ratio`).
 * https://opentelemetry.io/docs/specs/semconv/runtime/nodejs-metrics/
 */
export const EVENTLOOP_UTILIZATION = gauge('nodejs_eventloop_utilization_ratio', 'Share of time the event loop was busy since the previous collection.', '1');

// prom-client also writes `nodejs_active_{resources,handles,requests}_total`
// gauges. They are left out: a gauge must not end in `_total` (promtool
// check metrics refuses it; OpenMetrics reserves the suffix for counters,
// https://github.com/prometheus/OpenMetrics/blob/main/specification/OpenMetrics.md#suffixes),
// and `sum(nodejs_active_handles)` gives the same number.
export const ACTIVE_RESOURCES = gauge('nodejs_active_resources', 'Number of active resources that are currently keeping the event loop alive, grouped by async resource type.', '', ['type']);
export const ACTIVE_HANDLES = gauge('nodejs_active_handles', 'Number of active libuv handles grouped by handle type. Every handle type is C++ class name.', '', ['type']);
export const ACTIVE_REQUESTS = gauge('nodejs_active_requests', 'Number of active libuv requests grouped by request type. Every request type is C++ class name.', '', ['type']);

export const HEAP_TOTAL = gauge('nodejs_heap_size_total_bytes', 'Process heap size from Node.js in bytes.', 'By');
export const HEAP_USED = gauge('nodejs_heap_size_used_bytes', 'Process heap size used from Node.js in bytes.', 'By');
export const EXTERNAL_MEMORY = gauge('nodejs_external_memory_bytes', 'Node.js external memory size in bytes.', 'By');
export const HEAP_SPACE = [
  ['total', gauge('nodejs_heap_space_size_total_bytes', 'Process heap space size total from Node.js in bytes.', 'By', ['space'])],
  ['used', gauge('nodejs_heap_space_size_used_bytes', 'Process heap space size used from Node.js in bytes.', 'By', ['space'])],
  ['available', gauge('nodejs_heap_space_size_available_bytes', 'Process heap space size available from Node.js in bytes.', 'By', ['space'])],
] as const;

export const VERSION_INFO = gauge('nodejs_version_info', 'Node.js version info.', '', ['version', 'major', 'minor', 'patch']);

/** prom-client's DEFAULT_GC_DURATION_BUCKETS. */
export const GC_DURATION_BUCKETS: readonly number[] = Object.freeze([0.001, 0.01, 0.1, 1, 2, 5]);
export const GC_DURATION = {
  name: 'nodejs_gc_duration_seconds',
  prometheusName: 'nodejs_gc_duration_seconds',
  kind: 'histogram',
  unit: 's',
  description: 'Garbage collection duration by kind, one of major, minor, incremental or weakcb.',
  attributes: ['kind'],
  buckets: GC_DURATION_BUCKETS,
} as const satisfies MetricDefinition;

/**
 * Every runtime family `startRuntimeMetrics()` can export, in one list (the
 * Linux-only and per-platform ones included: a list of names, not a promise
 * that each is present).
 */
export const RUNTIME_CATALOG: readonly RuntimeMetricDefinition[] = [
  CPU_USER,
  CPU_SYSTEM,
  CPU_TOTAL,
  START_TIME,
  RESIDENT_MEMORY,
  VIRTUAL_MEMORY,
  PROCESS_HEAP,
  OPEN_FDS,
  MAX_FDS,
  EVENTLOOP_LAG,
  ...EVENTLOOP_LAG_STATS.map(([, d]) => d),
  EVENTLOOP_UTILIZATION,
  ACTIVE_RESOURCES,
  ACTIVE_HANDLES,
  ACTIVE_REQUESTS,
  HEAP_TOTAL,
  HEAP_USED,
  EXTERNAL_MEMORY,
  ...HEAP_SPACE.map(([, d]) => d),
  VERSION_INFO,
  GC_DURATION,
];
