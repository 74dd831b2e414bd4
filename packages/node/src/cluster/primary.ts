/**
 * The primary side of cluster aggregation: the cluster IPC channel as a
 * transport of the {@link Aggregator} (aggregator.ts), which asks, waits,
 * merges and keeps exited workers' counts.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Aggregator } from './aggregator.js';
import { MESSAGE_KEY } from './names.js';

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

/** Connects the cluster's workers to an aggregator until closed. */
export class ClusterPrimary {
  private readonly _onMessage = (worker: Worker, message: unknown): void => this._message(worker, message);
  private readonly _onExit = (worker: Worker): void => this._aggregator.leave(memberKey(worker));
  private _closed = false;

  constructor(private readonly _aggregator: Aggregator) {
    cluster.on('message', this._onMessage);
    cluster.on('exit', this._onExit);
    // Workers forked before this start() announced themselves to nobody: ask them again.
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (worker !== undefined && worker.isConnected()) send(worker, { type: 'primary' });
    }
  }

  /** Stops listening. */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    cluster.off('message', this._onMessage);
    cluster.off('exit', this._onExit);
  }

  private _message(worker: Worker, raw: unknown): void {
    const message = clusterMessage(raw);
    if (message === undefined) return;
    if (message.type === 'hello') {
      this._aggregator.join(memberKey(worker), {
        kind: 'process',
        label: `worker ${worker.id} (pid ${String(worker.process.pid)})`,
        ask: (id, failed) => send(worker, { type: 'collect', id }, failed),
      });
    } else if (message.type === 'points') {
      this._aggregator.answer(memberKey(worker), message.id, message.version, message.payload);
    }
  }
}

function memberKey(worker: Worker): string {
  return `process:${worker.id}`;
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
