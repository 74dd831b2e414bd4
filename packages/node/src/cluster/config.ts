import cluster from 'node:cluster';
import { isMainThread } from 'node:worker_threads';
import { checkBoolean, checkInteger, invalid, option, readInteger, readString, variable, type Environment } from '../config/env.js';
import { inPm2Cluster } from '../config/pm2.js';
import {
  CLUSTER_COLLECT_TIMEOUT_VARIABLE,
  CLUSTER_PUSH_INTERVAL_VARIABLE,
  CLUSTER_VARIABLE,
  THREADS_VARIABLE,
  DEFAULT_CLUSTER_COLLECT_TIMEOUT_MILLIS,
  DEFAULT_CLUSTER_PUSH_INTERVAL_MILLIS,
  MAX_CLUSTER_COLLECT_TIMEOUT_MILLIS,
  MAX_CLUSTER_PUSH_INTERVAL_MILLIS,
  MIN_CLUSTER_PUSH_INTERVAL_MILLIS,
} from './names.js';

/** The `cluster` option of `start()`. */
export interface ClusterOptions {
  /**
   * Cluster aggregation (on by default; falls back to `INFEROMETER_CLUSTER`,
   * `true` / `false`). On: in a `node:cluster` worker, `start()` opens no
   * port and runs no exporter, and answers the primary instead; in the
   * primary (or a process without workers), the exporters serve this
   * process's points plus every worker's. Off: each process exports on its
   * own, as its own instance.
   *
   * @example
   * ```ts
   * cluster: { enabled: false } // every worker pushes remote write itself
   * ```
   */
  enabled?: boolean;
  /**
   * How long the primary waits for each worker at a collection, in
   * milliseconds; falls back to `INFEROMETER_CLUSTER_COLLECT_TIMEOUT`, then
   * 2000 (below Prometheus' default 10 s scrape timeout). A worker that
   * misses it is served with its last reported points and counted in
   * `inferometer_cluster_collect_misses_total`.
   *
   * @example
   * ```ts
   * cluster: { collectTimeoutMillis: 500 }
   * ```
   */
  collectTimeoutMillis?: number;
  /**
   * How often a worker sends the primary, between collections, the
   * counters and histograms that changed since its previous message, in
   * milliseconds; falls back to `INFEROMETER_CLUSTER_PUSH_INTERVAL`, then
   * 1000. A worker killed without warning (SIGKILL, the OOM killer) loses at
   * most the calls of its last interval; a worker that exits in any other
   * way sends its final points and loses nothing (see the README's "What a
   * worker's end keeps"). Nothing is sent while nothing changed. 0 turns the
   * push off (a SIGKILL then loses everything since the last collection);
   * otherwise 100 to 60000. Read in the worker.
   *
   * @example
   * ```ts
   * cluster: { pushIntervalMillis: 250 } // a SIGKILL loses at most 250 ms of calls
   * ```
   */
  pushIntervalMillis?: number;
}

/** The `threads` option of `start()`. */
export interface ThreadsOptions {
  /**
   * worker_threads aggregation (on by default; falls back to
   * `INFEROMETER_THREADS`, `true` / `false`). On: in a worker thread,
   * `start()` runs no exporter and answers the main thread, whose exporters
   * serve its own points plus every thread's (a piscina pool's threads
   * too); the collect timeout is `cluster.collectTimeoutMillis`. Off: a
   * worker thread's `start()` exports on its own, and the main thread
   * gathers no thread.
   *
   * @example
   * ```ts
   * threads: { enabled: false } // each thread pushes as its own instance
   * ```
   */
  enabled?: boolean;
}

/** Whether worker_threads aggregation is on (the option, then `INFEROMETER_THREADS`, then on). */
export function resolveThreads(env: Environment, given: ThreadsOptions | undefined): boolean {
  if (given?.enabled !== undefined) return checkBoolean(option('threads.enabled'), given.enabled);
  const raw = readString(env, THREADS_VARIABLE);
  if (raw === undefined) return true;
  const value = raw.toLowerCase();
  if (value !== 'true' && value !== 'false') throw invalid(variable(THREADS_VARIABLE), raw, 'not a boolean', 'true or false (any case)');
  return value === 'true';
}

/**
 * What this thread does: `thread` (a worker thread answering its main
 * thread), else its process's cluster role. `threads` says whether the main
 * thread gathers its worker threads.
 */
export interface AggregationMode extends ClusterMode {
  readonly thread: boolean;
  readonly threads: boolean;
}

/**
 * The cluster role plus the worker_threads role of this thread. Whatever
 * histogram kinds the exporters want (native, base-2 exponential), the
 * merge adds them (merge.ts), so they never turn aggregation off.
 */
export function resolveAggregation(env: Environment, cluster: ClusterOptions | undefined, threads: ThreadsOptions | undefined, inMainThread: boolean = isMainThread): AggregationMode {
  const threadsOn = resolveThreads(env, threads);
  const mode = resolveCluster(env, cluster);
  if (!inMainThread) {
    // Off, a worker thread exports on its own: it has no IPC channel of its own to answer a cluster primary on.
    if (!threadsOn) return { ...mode, role: 'off', thread: false, threads: false };
    return { ...mode, thread: true, threads: false };
  }
  return { ...mode, thread: false, threads: threadsOn };
}

/** What this process does in a cluster. */
export interface ClusterMode {
  /** `worker`: answer the primary; `primary`: export the merged points; `off`: export own points only. */
  readonly role: 'worker' | 'primary' | 'off';
  readonly collectTimeoutMillis: number;
  /** How often a worker pushes its changed counters and histograms to the primary; 0: never. */
  readonly pushIntervalMillis: number;
}

/**
 * The role of this process. A `node:cluster` worker of pm2's cluster mode
 * (`pm_id` and `exec_mode=cluster_mode` in the environment) is not ours to
 * aggregate: pm2's daemon is its primary and runs no Inferometer, so it
 * exports on its own (`off`), on a port of its own (config/pm2.ts). A worker
 * of the app's own cluster under pm2's fork mode inherits `pm_id` but not
 * that `exec_mode`: its primary is the app's, and aggregates it.
 */
export function resolveCluster(env: Environment, given: ClusterOptions | undefined, isWorker: boolean = cluster.isWorker): ClusterMode {
  let enabled = true;
  if (given?.enabled !== undefined) enabled = checkBoolean(option('cluster.enabled'), given.enabled);
  else {
    const raw = readString(env, CLUSTER_VARIABLE);
    if (raw !== undefined) {
      const value = raw.toLowerCase();
      if (value !== 'true' && value !== 'false') throw invalid(variable(CLUSTER_VARIABLE), raw, 'not a boolean', 'true or false (any case)');
      enabled = value === 'true';
    }
  }
  const collectTimeoutMillis =
    given?.collectTimeoutMillis !== undefined
      ? checkInteger(option('cluster.collectTimeoutMillis'), given.collectTimeoutMillis, 1, MAX_CLUSTER_COLLECT_TIMEOUT_MILLIS)
      : (readInteger(env, CLUSTER_COLLECT_TIMEOUT_VARIABLE, 1, MAX_CLUSTER_COLLECT_TIMEOUT_MILLIS) ?? DEFAULT_CLUSTER_COLLECT_TIMEOUT_MILLIS);
  const pushIntervalMillis = resolvePushInterval(env, given);
  if (!enabled) return { role: 'off', collectTimeoutMillis, pushIntervalMillis };
  if (isWorker) {
    // Its primary is pm2's daemon: nobody to answer, and no workers of its own to gather.
    if (inPm2Cluster(env, isWorker)) return { role: 'off', collectTimeoutMillis, pushIntervalMillis };
    return { role: 'worker', collectTimeoutMillis, pushIntervalMillis };
  }
  return { role: 'primary', collectTimeoutMillis, pushIntervalMillis };
}

/** `cluster.pushIntervalMillis`, then `INFEROMETER_CLUSTER_PUSH_INTERVAL`, then 1000: 0 (off) or 100 to 60000. */
export function resolvePushInterval(env: Environment, given: ClusterOptions | undefined): number {
  const source = given?.pushIntervalMillis !== undefined ? option('cluster.pushIntervalMillis') : variable(CLUSTER_PUSH_INTERVAL_VARIABLE);
  const raw = given?.pushIntervalMillis !== undefined ? given.pushIntervalMillis : readString(env, CLUSTER_PUSH_INTERVAL_VARIABLE);
  if (raw === undefined) return DEFAULT_CLUSTER_PUSH_INTERVAL_MILLIS;
  const accepted = `0 (no push between collections) or a whole number of milliseconds from ${MIN_CLUSTER_PUSH_INTERVAL_MILLIS} to ${MAX_CLUSTER_PUSH_INTERVAL_MILLIS}`;
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d{1,20}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(value)) throw invalid(source, raw, 'is not a whole number', accepted);
  if (value !== 0 && (value < MIN_CLUSTER_PUSH_INTERVAL_MILLIS || value > MAX_CLUSTER_PUSH_INTERVAL_MILLIS)) throw invalid(source, raw, 'is out of range', accepted);
  return value;
}
