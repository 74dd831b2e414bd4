/**
 * The primary side of cluster aggregation: at each collection, asks every
 * worker that announced itself for its cumulative points over the cluster
 * IPC channel (one message each way per worker per collection, never per
 * call), waits at most the collect timeout, and merges them with its own
 * points and those kept from exited workers (merge.ts).
 *
 * A worker that does not answer in time is served with its last reported
 * points: leaving it out would make the cluster's counters dip, which
 * Prometheus reads as a counter reset and rate() as a burst. The miss is
 * counted in `inferometer_cluster_collect_misses_total`.
 */
import cluster, { type Worker } from 'node:cluster';
import { diag, type Attributes, type Meter } from '@opentelemetry/api';
import { hrTime } from '@opentelemetry/core';
import { emptyResource } from '@opentelemetry/resources';
import type { CollectionResult, MetricProducer, ScopeMetrics } from '@opentelemetry/sdk-metrics';
import { DeltaConverter } from './delta.js';
import type { LocalReader } from './local-reader.js';
import { mergeScopeMetrics, type MergeSource } from './merge.js';
import {
  ATTR_MISS_REASON,
  ATTR_WORKER_STATE,
  MESSAGE_KEY,
  METRIC_CLUSTER_COLLECT_MISSES,
  METRIC_CLUSTER_WORKERS,
  MISS_BAD_ANSWER,
  MISS_SEND_FAILED,
  MISS_TIMEOUT,
  WIRE_VERSION,
} from './names.js';
import { decode } from './wire.js';

/** Messages between primary and workers, under {@link MESSAGE_KEY}. */
export type ClusterMessage =
  | { type: 'hello' }
  | { type: 'primary' }
  | { type: 'collect'; id: number }
  | { type: 'points'; id: number; version: number; payload: unknown };

/** The Inferometer message in an IPC message, if it is one. */
export function clusterMessage(message: unknown): ClusterMessage | undefined {
  if (message === null || typeof message !== 'object') return undefined;
  const inner = (message as Record<string, unknown>)[MESSAGE_KEY];
  return inner !== null && typeof inner === 'object' && typeof (inner as { type?: unknown }).type === 'string' ? (inner as ClusterMessage) : undefined;
}

/** Wraps a message under {@link MESSAGE_KEY}. */
export function wrap(message: ClusterMessage): Record<string, ClusterMessage> {
  return { [MESSAGE_KEY]: message };
}

interface WorkerEntry {
  readonly worker: Worker;
  /** The last points it reported: served when it misses a collection, kept when it exits. */
  last: ScopeMetrics[] | undefined;
}

type Answer = { points: ScopeMetrics[] } | { miss: string } | { gone: true };

/** Options of {@link ClusterPrimary}. */
export interface ClusterPrimaryOptions {
  readonly local: LocalReader;
  readonly collectTimeoutMillis: number;
  /** Meter of the primary's own provider, for the self-metrics. */
  readonly meter: Meter;
}

/** Gathers and merges the workers' points; one per `start()` in the primary. */
export class ClusterPrimary {
  private readonly _workers = new Map<number, WorkerEntry>();
  private readonly _pending = new Map<number, { readonly workerId: number; readonly finish: (answer: Answer) => void }>();
  private _retired: ScopeMetrics[] = [];
  private _exited = 0;
  private _nextId = 1;
  private _closed = false;
  private readonly _misses: Map<string, Attributes>;
  private readonly _countMiss: (reason: string) => void;
  private readonly _onMessage = (worker: Worker, message: unknown): void => this._message(worker, message);
  private readonly _onExit = (worker: Worker): void => this._exit(worker);

  constructor(private readonly _options: ClusterPrimaryOptions) {
    const { meter } = _options;
    const misses = meter.createCounter(METRIC_CLUSTER_COLLECT_MISSES.name, { unit: METRIC_CLUSTER_COLLECT_MISSES.unit, description: METRIC_CLUSTER_COLLECT_MISSES.description });
    this._misses = new Map([MISS_TIMEOUT, MISS_SEND_FAILED, MISS_BAD_ANSWER].map((reason) => [reason, { [ATTR_MISS_REASON]: reason }]));
    this._countMiss = (reason) => misses.add(1, this._misses.get(reason));
    const workers = meter.createObservableGauge(METRIC_CLUSTER_WORKERS.name, { unit: METRIC_CLUSTER_WORKERS.unit, description: METRIC_CLUSTER_WORKERS.description });
    const reporting = { [ATTR_WORKER_STATE]: 'reporting' };
    const exited = { [ATTR_WORKER_STATE]: 'exited' };
    workers.addCallback((result) => {
      result.observe(this._workers.size, reporting);
      result.observe(this._exited, exited);
    });
    cluster.on('message', this._onMessage);
    cluster.on('exit', this._onExit);
    // Workers forked before this start() announced themselves to nobody: ask them again.
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (worker !== undefined && worker.isConnected()) send(worker, { type: 'primary' });
    }
  }

  /** A producer of the merged points for one reader: cumulative ones share the merge, each delta reader converts on its own. */
  producer(temporality: 'cumulative' | 'delta'): MetricProducer {
    const converter = temporality === 'delta' ? new DeltaConverter() : undefined;
    return {
      collect: async (): Promise<CollectionResult> => {
        const endTime = hrTime();
        const merged = await this.collect();
        const scopeMetrics = converter === undefined ? merged : converter.convert(merged, endTime);
        return { resourceMetrics: { resource: emptyResource(), scopeMetrics }, errors: [] };
      },
    };
  }

  /** The cluster's cumulative points: this process's own, every reporting worker's, and the exited workers' kept ones. */
  async collect(): Promise<ScopeMetrics[]> {
    const asked = [...this._workers.values()];
    // Answers first, so a miss counted now shows in this very collection's points.
    const answers = await Promise.all(asked.map((entry) => this._ask(entry)));
    answers.forEach((answer, i) => {
      if ('points' in answer) asked[i]!.last = answer.points;
    });
    const own = await this._options.local.collect();
    for (const error of own.errors) diag.error('@inferometer/node cluster: collecting the primary\'s own metrics failed', error);
    const sources: MergeSource[] = [{ scopeMetrics: own.resourceMetrics.scopeMetrics, alive: true }];
    for (const entry of this._workers.values()) if (entry.last !== undefined) sources.push({ scopeMetrics: entry.last, alive: true });
    if (this._retired.length > 0) sources.push({ scopeMetrics: this._retired, alive: false });
    // One source (no worker ever reported): its points as they are.
    if (sources.length === 1) return own.resourceMetrics.scopeMetrics;
    return mergeScopeMetrics(sources, hrTime());
  }

  /** Stops listening; collections in flight resolve with what they have. */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    cluster.off('message', this._onMessage);
    cluster.off('exit', this._onExit);
    for (const { finish } of [...this._pending.values()]) finish({ gone: true });
  }

  private _ask(entry: WorkerEntry): Promise<Answer> {
    const id = this._nextId++;
    return new Promise<Answer>((resolve) => {
      const timer = setTimeout(() => finish({ miss: MISS_TIMEOUT }), this._options.collectTimeoutMillis);
      // A scrape in flight must not keep the primary alive.
      timer.unref();
      const finish = (answer: Answer): void => {
        if (!this._pending.delete(id)) return;
        clearTimeout(timer);
        if ('miss' in answer) {
          this._countMiss(answer.miss);
          diag.warn(`@inferometer/node cluster: worker ${entry.worker.id} (pid ${String(entry.worker.process.pid)}) missed a collection (${answer.miss}); serving its last reported points`);
        }
        resolve(answer);
      };
      this._pending.set(id, { workerId: entry.worker.id, finish });
      send(entry.worker, { type: 'collect', id }, () => finish({ miss: MISS_SEND_FAILED }));
    });
  }

  private _message(worker: Worker, raw: unknown): void {
    const message = clusterMessage(raw);
    if (message === undefined) return;
    if (message.type === 'hello') {
      if (!this._workers.has(worker.id)) this._workers.set(worker.id, { worker, last: undefined });
      return;
    }
    if (message.type !== 'points') return;
    const finish = this._pending.get(message.id)?.finish;
    if (finish === undefined) return; // late: that collection was already answered
    if (message.version !== WIRE_VERSION) {
      finish({ miss: MISS_BAD_ANSWER });
      return;
    }
    try {
      finish({ points: decode(message.payload) });
    } catch (err) {
      diag.error(`@inferometer/node cluster: worker ${worker.id} sent points that cannot be read`, err);
      finish({ miss: MISS_BAD_ANSWER });
    }
  }

  private _exit(worker: Worker): void {
    const entry = this._workers.get(worker.id);
    if (entry === undefined) return;
    this._workers.delete(worker.id);
    this._exited++;
    // A collection waiting on it needs not wait for the timeout.
    for (const pending of [...this._pending.values()]) if (pending.workerId === worker.id) pending.finish({ gone: true });
    // Its counters and histograms stay in the sums (folded into one set, so
    // memory follows the label sets, not the number of restarts).
    if (entry.last !== undefined) {
      this._retired = mergeScopeMetrics(
        [
          { scopeMetrics: this._retired, alive: false },
          { scopeMetrics: entry.last, alive: false },
        ],
        hrTime(),
      );
    }
  }
}

/** Sends, reporting a failure (channel closing) through `failed` instead of throwing. */
export function send(target: Pick<Worker, 'send'> | NodeJS.Process, message: ClusterMessage, failed?: (err: Error) => void): void {
  try {
    const sent = target.send?.(wrap(message), undefined, undefined, (err: Error | null) => {
      if (err !== null) failed?.(err);
    });
    if (sent === undefined) failed?.(new Error('no IPC channel'));
  } catch (err) {
    failed?.(err instanceof Error ? err : new Error(String(err)));
  }
}
