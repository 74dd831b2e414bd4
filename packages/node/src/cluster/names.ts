/**
 * Names, units, defaults and variables of cluster aggregation, in one place:
 * the primary's self-metrics, the IPC message key, and the collect timeout.
 * The self-metrics are listed in `@inferometer/node/catalog` (src/catalog.ts)
 * for the ops kit; this module imports nothing that runs.
 */
import type { MetricDefinition } from '@inferometer/core/catalog';

/** The variable that turns cluster aggregation off (`false`) in the primary and in workers. */
export const CLUSTER_VARIABLE = 'INFEROMETER_CLUSTER';
/** The variable for {@link DEFAULT_CLUSTER_COLLECT_TIMEOUT_MILLIS}. */
export const CLUSTER_COLLECT_TIMEOUT_VARIABLE = 'INFEROMETER_CLUSTER_COLLECT_TIMEOUT';

/**
 * How long the primary waits for each worker's points at a collection, in
 * milliseconds. Well below Prometheus' default `scrape_timeout` (10 s,
 * https://prometheus.io/docs/prometheus/latest/configuration/configuration/#scrape_config),
 * so a worker stuck in a long synchronous inference leaves the scrape
 * answered (with that worker's last reported points) instead of failed.
 */
export const DEFAULT_CLUSTER_COLLECT_TIMEOUT_MILLIS = 2_000;
/** Upper bound of the collect timeout: a scrape must never wait minutes. */
export const MAX_CLUSTER_COLLECT_TIMEOUT_MILLIS = 60_000;

/** The variable for {@link DEFAULT_CLUSTER_PUSH_INTERVAL_MILLIS}. */
export const CLUSTER_PUSH_INTERVAL_VARIABLE = 'INFEROMETER_CLUSTER_PUSH_INTERVAL';
/**
 * How often a worker sends the primary the counters and histograms that
 * changed since its previous message, in milliseconds, between the
 * primary's collections: what a worker killed without warning (SIGKILL, the
 * OOM killer) can lose is what it recorded in its last interval.
 */
export const DEFAULT_CLUSTER_PUSH_INTERVAL_MILLIS = 1_000;
/** Shortest push interval (0 aside, which turns the push off): below it the worker would spend its time collecting. */
export const MIN_CLUSTER_PUSH_INTERVAL_MILLIS = 100;
/** Longest push interval. */
export const MAX_CLUSTER_PUSH_INTERVAL_MILLIS = 60_000;
/**
 * Largest message of a worker's final points (estimated JSON bytes): the
 * final points are sent from process 'exit', where only what the kernel
 * takes at once (the IPC socket's free buffer: about 200 KB on Linux, 8 KB
 * on macOS) reaches the primary. In pieces this size, the pieces that fit
 * arrive whole and the primary applies them; a piece cut short is dropped
 * by the primary's reader at the end of the channel.
 */
export const FINAL_CHUNK_BYTES = 8 * 1024;

/** Instrumentation scope of the primary's self-metrics. */
export const CLUSTER_SCOPE = '@inferometer/node/cluster';

/**
 * `inferometer_cluster_collect_misses_total{reason}`: a worker's points that
 * did not arrive at a collection. The scrape is answered with that worker's
 * last reported points, so its counters do not dip.
 */
export const METRIC_CLUSTER_COLLECT_MISSES = {
  name: 'inferometer_cluster_collect_misses',
  prometheusName: 'inferometer_cluster_collect_misses_total',
  kind: 'counter',
  unit: '{miss}',
  description: "Collections at which a cluster worker's points did not arrive in time; its last reported points were served instead.",
  attributes: ['reason', 'kind'],
} as const satisfies MetricDefinition;

/** `reason` of {@link METRIC_CLUSTER_COLLECT_MISSES}. */
export const ATTR_MISS_REASON = 'reason';
/** The worker did not answer within the collect timeout. */
export const MISS_TIMEOUT = 'timeout';
/** The request could not be sent (the IPC channel was closing). */
export const MISS_SEND_FAILED = 'send_failed';
/** The answer could not be read (a worker of another Inferometer version). */
export const MISS_BAD_ANSWER = 'bad_answer';

/**
 * `inferometer_cluster_workers{state}`: workers whose points the primary
 * serves: `reporting` (announced and alive) and `exited` (gone; their last
 * counters and histograms stay in the sums).
 */
export const METRIC_CLUSTER_WORKERS = {
  name: 'inferometer_cluster_workers',
  prometheusName: 'inferometer_cluster_workers',
  kind: 'gauge',
  unit: '{worker}',
  description: 'Cluster workers whose points the primary serves, by state: reporting (alive) or exited (last counts kept).',
  attributes: ['state', 'kind'],
} as const satisfies MetricDefinition;
/** `state` of {@link METRIC_CLUSTER_WORKERS}. */
export const ATTR_WORKER_STATE = 'state';

/** Key of every IPC message Inferometer sends; other messages on the channel are the service's own and left alone. */
export const MESSAGE_KEY = 'inferometer.cluster';
/** Version of the message format: a primary ignores answers of another format (counted as `bad_answer`). */
export const WIRE_VERSION = 1;

/** `kind` of {@link METRIC_CLUSTER_WORKERS} and {@link METRIC_CLUSTER_COLLECT_MISSES}: a `node:cluster` worker process or a worker thread. */
export const ATTR_WORKER_KIND = 'kind';
/** Values of {@link ATTR_WORKER_KIND}. */
export type WorkerKind = 'process' | 'thread';

/** The variable that turns worker_threads aggregation off (`false`) in the main thread and in worker threads. */
export const THREADS_VARIABLE = 'INFEROMETER_THREADS';
/**
 * The BroadcastChannel on which a main thread's `start()` tells the worker
 * threads already running (a piscina pool started first) to announce
 * themselves: a worker thread whose announcement found no listener waits
 * for this.
 */
export const THREADS_CHANNEL = 'inferometer.threads';
