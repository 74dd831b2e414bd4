/**
 * The primary side of cluster aggregation: the cluster IPC channel as a
 * transport of the {@link Aggregator} (aggregator.ts), which asks, waits,
 * merges and keeps exited workers' counts.
 *
 * A worker's points reach the primary three ways: its answers to collect
 * requests (everything), its pushes between collections (its counters and
 * histograms) and its final points on its way out (the counters and
 * histograms changed since its previous message). It leaves the aggregation when its channel closes:
 * whatever it wrote before its end comes before the end of the channel, so
 * its final points are always in by then. A worker process that ended
 * before its channel closed is not asked any more, and collections wait
 * for its channel (at most the collect timeout).
 */
import cluster, { type Worker } from 'node:cluster';
import { diag } from '@opentelemetry/api';
import type { Aggregator } from './aggregator.js';
import { MESSAGE_KEY } from './names.js';

/** Messages between primary and workers, under {@link MESSAGE_KEY}. */
export type ClusterMessage =
  /** Worker: I answer collect requests. */
  | { type: 'hello' }
  /** Primary: announce yourself (a start() in the primary after the workers'). */
  | { type: 'primary' }
  /** Primary: you are a member: push and send your final points from now on. */
  | { type: 'welcome' }
  /** Primary: this aggregation ends (its start() shut down); push nothing until the next 'primary'. */
  | { type: 'bye' }
  | { type: 'collect'; id: number }
  /** Worker: every point, for collect request `id`. */
  | { type: 'points'; id: number; version: number; payload: unknown }
  /**
   * Worker: between collections, when any changed, all its counters and
   * histograms: the payload's JSON, raw-deflated, in base64 (the primary
   * reads it only if needed: scanning a short string costs it far less than
   * building the points).
   */
  | { type: 'push'; version: number; payload: string }
  /** Worker: the same on its way out, in pieces; the last has `more: false`, and the worker leaves. */
  | { type: 'final'; version: number; payload: unknown; more: boolean };

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

/** Connects the cluster's workers to an aggregator until closed. */
export class ClusterPrimary {
  private readonly _onMessage = (worker: Worker, message: unknown): void => this._message(worker, message);
  // Its channel closed: nothing more can come from it, and its final points came before.
  private readonly _onDisconnect = (worker: Worker): void => this._leave(worker);
  // Its process ended, and its channel may still hold its final points: wait for the channel.
  private readonly _onExit = (worker: Worker): void => {
    if (worker.isConnected()) this._aggregator.departing(memberKey(worker));
    else this._leave(worker);
  };
  /** Workers whose final points came: they left with them. */
  private readonly _finished = new Set<string>();
  private _closed = false;

  constructor(private readonly _aggregator: Aggregator) {
    cluster.on('message', this._onMessage);
    cluster.on('disconnect', this._onDisconnect);
    cluster.on('exit', this._onExit);
    // Workers forked before this start() announced themselves to nobody: ask them again.
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (worker !== undefined && worker.isConnected()) send(worker, { type: 'primary' });
    }
  }

  /** Stops listening, and tells the workers to push nothing more. */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    cluster.off('message', this._onMessage);
    cluster.off('disconnect', this._onDisconnect);
    cluster.off('exit', this._onExit);
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (worker !== undefined && worker.isConnected()) send(worker, { type: 'bye' });
    }
  }

  private _message(worker: Worker, raw: unknown): void {
    const message = clusterMessage(raw);
    if (message === undefined) return;
    const key = memberKey(worker);
    if (message.type === 'hello') {
      this._aggregator.join(key, {
        kind: 'process',
        label: `worker ${worker.id} (pid ${String(worker.process.pid)})`,
        ask: (id, failed) => send(worker, { type: 'collect', id }, failed),
      });
      this._finished.delete(key);
      if (this._aggregator.has(key)) send(worker, { type: 'welcome' });
    } else if (message.type === 'points') {
      this._aggregator.answer(key, message.id, message.version, message.payload);
    } else if (message.type === 'push') {
      this._aggregator.pushed(key, message.version, message.payload);
    } else if (message.type === 'final') {
      this._aggregator.update(key, message.version, message.payload);
      if (message.more) return;
      // Its start() shut down, or its process is ending: nothing more will come.
      this._finished.add(key);
      this._aggregator.leave(key);
    }
  }

  private _leave(worker: Worker): void {
    const key = memberKey(worker);
    const finished = this._finished.delete(key);
    if (!this._aggregator.has(key)) return;
    this._aggregator.leave(key);
    if (!finished) {
      diag.warn(
        `@inferometer/node cluster: worker ${worker.id} (pid ${String(worker.process.pid)}) ended without sending its final points ` +
          '(killed by a signal, or its channel closed by the primary); the calls it made since its last push are lost',
      );
    }
  }
}

function memberKey(worker: Worker): string {
  return `process:${worker.id}`;
}

/** Sends, reporting a failure (channel closing) through `failed` instead of throwing. */
export function send(target: Pick<Worker, 'send'> | NodeJS.Process, message: ClusterMessage, failed?: (err: Error) => void, sent?: () => void): void {
  try {
    const queued = target.send?.(wrap(message), undefined, undefined, (err: Error | null) => {
      if (err !== null) failed?.(err);
      else sent?.();
    });
    if (queued === undefined) failed?.(new Error('no IPC channel'));
  } catch (err) {
    failed?.(err instanceof Error ? err : new Error(String(err)));
  }
}
