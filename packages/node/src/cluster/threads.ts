/**
 * worker_threads aggregation: the same collect protocol as the cluster's,
 * over one MessagePort per worker thread.
 *
 * - A worker thread's `start()` opens a MessageChannel and hands one end to
 *   the main thread with `postMessageToThread(0, ...)`
 *   (https://nodejs.org/api/worker_threads.html#worker_threadspostmessagetothreadthreadid-value-transferlist-timeout,
 *   nodejs/node#53682, Node 22.5+), which needs no handle on the Worker
 *   object: threads created by piscina or any other pool join without user code.
 * - A port, unlike a BroadcastChannel, carries the thread's end: it emits
 *   'close' when the thread terminates, however it ends
 *   (https://nodejs.org/api/worker_threads.html#event-close), so the main
 *   thread keeps an exited thread's counts at once instead of waiting out a
 *   timeout at every collection. A BroadcastChannel also cannot transfer a
 *   port, and every message on it reaches every thread.
 * - The well-known BroadcastChannel {@link THREADS_CHANNEL} is for the one
 *   message that must reach threads the main thread does not know yet: its
 *   `start()` ran after theirs (their announcement found no listener), so it
 *   asks them to announce again.
 * - The catalog's series are not asked for: a thread keeps their numbers in
 *   SharedArrayBuffers and tells the main thread where they are, once per
 *   series and shape change (core's recorder/native/shared.ts), and the main
 *   thread reads them at every collection. So a call that returned in a
 *   thread is counted even when the thread is terminated right after
 *   (`worker.terminate()`, piscina destroying an idle thread), and a thread
 *   whose event loop is paused (piscina's default `atomics: 'sync'`) is
 *   still read.
 * - What is not in shared memory (exponential histograms, exemplars, the
 *   recorder's own counters, whatever else the thread's MeterProvider
 *   records) is asked for at each collection, as cluster workers are. A
 *   thread that ends by itself (its script finished, `process.exit()`, an
 *   uncaught error) sends those points synchronously on process 'exit'; one
 *   ended with `worker.terminate()` runs no more JavaScript: those are the
 *   last it reported.
 */
import { randomUUID } from 'node:crypto';
import { BroadcastChannel, MessageChannel, MessagePort, postMessageToThread } from 'node:worker_threads';
import { diag, type HrTime } from '@opentelemetry/api';
import { hrTime } from '@opentelemetry/core';
import type { MetricData, ScopeMetrics } from '@opentelemetry/sdk-metrics';
import { INSTRUMENTATION_SCOPE } from '@inferometer/core/catalog';
import { runtime, SharedSeriesMirror, type Contributions, type SeriesLayout, type SharedRecord } from '@inferometer/core/internal';
import { toMetricData } from '../native/producer.js';
import type { Aggregator } from './aggregator.js';
import type { LocalReader } from './local-reader.js';
import { MESSAGE_KEY, THREADS_CHANNEL, WIRE_VERSION } from './names.js';
import { encode } from './wire.js';

/** Messages between the main thread and a worker thread, under {@link MESSAGE_KEY}. */
export type ThreadMessage =
  | { type: 'hello'; port: MessagePort; shared?: SharedSeries }
  | { type: 'layout'; record: SharedRecord }
  | { type: 'primary'; hub: string }
  | { type: 'welcome'; hub: string }
  | { type: 'collect'; id: number }
  | { type: 'points'; id: number; version: number; payload: unknown; parts?: Contributions }
  | { type: 'final'; version: number; payload: unknown };

function threadMessage(message: unknown): ThreadMessage | undefined {
  if (message === null || typeof message !== 'object') return undefined;
  const inner = (message as Record<string, unknown>)[MESSAGE_KEY];
  return inner !== null && typeof inner === 'object' && typeof (inner as { type?: unknown }).type === 'string' ? (inner as ThreadMessage) : undefined;
}

function wrap(message: ThreadMessage): Record<string, ThreadMessage> {
  return { [MESSAGE_KEY]: message };
}

/** What a thread's hello carries of its shared series: where its cumulative data starts, and every series' layout so far. */
export interface SharedSeries {
  readonly startTime: HrTime;
  readonly layouts: readonly SeriesLayout[];
}

const SCOPE = { name: INSTRUMENTATION_SCOPE };

function isHrTime(value: unknown): value is HrTime {
  return Array.isArray(value) && value.length === 2 && Number.isFinite(value[0]) && Number.isFinite(value[1]);
}

/** The mirror of a thread's shared series, from its hello; undefined when the thread shares none (another version, or no shared memory). */
function mirrorOf(shared: SharedSeries | undefined): SharedSeriesMirror | undefined {
  if (shared === undefined || !isHrTime(shared.startTime) || !Array.isArray(shared.layouts)) return undefined;
  const mirror = new SharedSeriesMirror(shared.startTime);
  for (const layout of shared.layouts) mirror.apply({ series: layout });
  return mirror;
}

/** The mirrored series' points, as a member's scope metrics. */
function readMirror(mirror: SharedSeriesMirror): ScopeMetrics[] {
  const metrics = mirror.collect(hrTime()).map(toMetricData);
  return metrics.length === 0 ? [] : [{ scope: SCOPE, metrics }];
}

/** The main thread's side: worker threads join the aggregator as they announce themselves. */
export class ThreadHub {
  private readonly _ports = new Set<MessagePort>();
  private _closed = false;
  /** Names this hub in its welcomes, so a thread can tell it has not joined it yet. */
  private readonly _token = randomUUID();
  private readonly _onWorkerMessage = (value: unknown, source: number): void => this._hello(value, source);

  constructor(private readonly _aggregator: Aggregator) {
    process.on('workerMessage', this._onWorkerMessage);
    // Threads started before this start() announced themselves to nobody: ask them again.
    const channel = new BroadcastChannel(THREADS_CHANNEL);
    channel.postMessage(wrap({ type: 'primary', hub: this._token }));
    channel.close();
  }

  /** Stops listening and closes every thread's port (they announce themselves again to a later start()). */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    process.off('workerMessage', this._onWorkerMessage);
    for (const port of this._ports) port.close();
    this._ports.clear();
  }

  private _hello(value: unknown, source: number): void {
    const message = threadMessage(value);
    if (message?.type !== 'hello' || !(message.port instanceof MessagePort)) return;
    const { port } = message;
    const key = `thread:${source}`;
    if (this._closed || this._aggregator.has(key)) {
      port.close();
      return;
    }
    let final: unknown;
    const mirror = mirrorOf(message.shared);
    port.on('message', (raw: unknown) => {
      const answer = threadMessage(raw);
      if (answer?.type === 'layout') mirror?.apply(answer.record);
      else if (answer?.type === 'points') this._aggregator.answer(key, answer.id, answer.version, answer.payload, answer.parts);
      else if (answer?.type === 'final' && answer.version === WIRE_VERSION) final = answer.payload;
    });
    port.once('close', () => {
      this._ports.delete(port);
      this._aggregator.leave(key, final);
    });
    // The port must not keep the main thread alive.
    port.unref();
    this._ports.add(port);
    // Before any collect request on this port: a thread welcomed never announces itself to this hub again.
    port.postMessage(wrap({ type: 'welcome', hub: this._token }));
    this._aggregator.join(key, {
      kind: 'thread',
      label: `thread ${source}`,
      // piscina's default atomics: 'sync' pauses an idle thread's event loop: the usual cause of a thread's misses.
      missHint: ". A thread of a piscina pool can answer only with the pool's atomics: 'disabled' (or 'async'); its catalog series are read from shared memory all the same",
      ...(mirror === undefined ? {} : { shared: () => readMirror(mirror) }),
      ask: (id, failed) => {
        try {
          port.postMessage(wrap({ type: 'collect', id }));
        } catch {
          failed();
        }
      },
    });
  }
}

/** Options of {@link answerMainThread}. */
export interface ThreadResponderOptions {
  /** This thread's cumulative points, for collect requests. */
  readonly reader: LocalReader;
  /** The catalog's points at once, for the moment the thread ends. */
  readonly collectNow: () => MetricData[];
  readonly scope: ScopeMetrics['scope'];
}

/** A worker thread's side: announces itself to the main thread and answers its collect requests until closed. */
export function answerMainThread(options: ThreadResponderOptions): { close(): void } {
  let closed = false;
  let port: MessagePort | undefined;
  const directory = runtime().directory;
  /** The hub that welcomed this thread on `port`. */
  let welcomed: string | undefined;
  const sendFinal = (): void => {
    if (port === undefined) return;
    try {
      port.postMessage(wrap({ type: 'final', version: WIRE_VERSION, payload: encode([{ scope: options.scope, metrics: options.collectNow() }]) }));
    } catch (err) {
      diag.debug('@inferometer/node threads: could not send the final points to the main thread', err);
    }
  };
  const answer = async (own: MessagePort, id: number): Promise<void> => {
    const { resourceMetrics, errors } = await options.reader.collect();
    for (const error of errors) diag.error("@inferometer/node threads: collecting this thread's metrics failed", error);
    if (closed || port !== own) return;
    const parts = runtime().threadParts.produce();
    own.postMessage(wrap({ type: 'points', id, version: WIRE_VERSION, payload: encode(resourceMetrics.scopeMetrics), ...(parts === undefined ? {} : { parts }) }));
  };
  const announce = (): void => {
    if (closed || port !== undefined) return;
    const { port1, port2 } = new MessageChannel();
    port = port1;
    port1.on('message', (raw: unknown) => {
      const message = threadMessage(raw);
      if (message?.type === 'welcome' && port === port1) welcomed = message.hub;
      // Never rejects into the thread: a failed collection is the main thread's miss.
      else if (message?.type === 'collect') answer(port1, message.id).catch((err: unknown) => diag.error('@inferometer/node threads: answering the main thread failed', err));
    });
    port1.once('close', () => {
      if (port !== port1) return;
      forget();
    });
    // The port must not keep the thread alive: a worker whose script is done ends as it would have.
    port1.unref();
    // From now on every change to a series' layout goes to this port, before
    // any value lands in the new place; the hello carries everything before.
    const shared = share(port1);
    postMessageToThread(0, wrap({ type: 'hello', port: port2, ...(shared === undefined ? {} : { shared }) }), [port2]).catch((err: unknown) => {
      // No start() in the main thread yet: its start() will ask on the channel.
      diag.debug('@inferometer/node threads: the main thread does not aggregate (yet); waiting for its start()', err);
      port1.close();
      if (port === port1) forget();
    });
  };
  /** Sends layout changes to `target` from now on; returns the layouts so far. */
  const share = (target: MessagePort): SharedSeries | undefined => {
    if (directory === undefined) return undefined;
    directory.listener = (record) => {
      try {
        target.postMessage(wrap({ type: 'layout', record }));
      } catch (err) {
        diag.debug('@inferometer/node threads: could not tell the main thread about a series', err);
      }
    };
    return { startTime: runtime().recorder.startTime, layouts: directory.snapshot() };
  };
  /** No main thread listens on this thread's port any more: changes are kept for the next hello. */
  const forget = (): void => {
    port = undefined;
    welcomed = undefined;
    if (directory !== undefined) directory.listener = undefined;
  };
  const channel = new BroadcastChannel(THREADS_CHANNEL);
  channel.onmessage = (event: unknown) => {
    const message = threadMessage((event as { data?: unknown }).data);
    if (message?.type !== 'primary' || (port !== undefined && welcomed === message.hub)) return;
    // Not this hub's member: an announcement that no hub took (another
    // 'workerMessage' listener in the main thread took it) is dropped for a new one.
    if (port !== undefined) {
      const stale = port;
      forget();
      stale.close();
    }
    announce();
  };
  // Listening must not keep the thread alive either.
  channel.unref();
  process.on('exit', sendFinal);
  announce();
  return {
    close() {
      if (closed) return;
      closed = true;
      process.off('exit', sendFinal);
      channel.close();
      // What was recorded since the last collection goes with the goodbye.
      sendFinal();
      port?.close();
      forget();
    },
  };
}
