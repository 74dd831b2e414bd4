/**
 * The worker side of cluster aggregation: no exporter and no port; the
 * worker announces itself to the primary and answers each collect request
 * with its cumulative points (its catalog through the native collector,
 * whatever else its MeterProvider records, and its worker threads' points
 * merged in).
 *
 * What it recorded since the primary's last collection is not lost when it ends:
 *
 * - every push interval (`cluster.pushIntervalMillis`) in which one
 *   changed, it sends all its counters and histograms, so a worker killed
 *   without warning (SIGKILL, the OOM killer) loses at most its last
 *   interval's calls;
 * - on every end it can see, it sends at once, synchronously, the counters
 *   and histograms that changed since its previous message (at most one
 *   push interval's worth): on process 'exit' (`process.exit()`, the event
 *   loop emptied, an uncaught exception: Node still prints it and exits
 *   with its code), when its channel is about to close
 *   (`cluster.worker.disconnect()`, `worker.disconnect()` or `worker.kill()`
 *   in the primary), and at `shutdown()` (SIGTERM / SIGINT with `handleSignals`).
 *
 * On 'exit' no callback runs any more: the points must leave in the call.
 * libuv writes to an IPC pipe at once when nothing is queued before
 * (uv_write → uv__write, libuv src/unix/stream.c), and what the kernel took
 * reaches the primary after the process is gone; what it did not take is
 * lost with the process. The kernel takes what fits in the socket's buffer
 * (about 200 KB on Linux, 8 KB on macOS), so the final points go in pieces
 * of {@link FINAL_CHUNK_BYTES}: the pieces that fit arrive whole, a piece
 * cut short is dropped by the primary's reader at the end of the channel.
 * They are only what changed since the previous message (at most one push
 * interval's worth), so they are small in practice.
 */
import { deflateRawSync } from 'node:zlib';
import { diag, type Attributes } from '@opentelemetry/api';
import type { DataPoint, Histogram, ScopeMetrics } from '@opentelemetry/sdk-metrics';
import type { MetricsRequestHandler } from '../prometheus/handler.js';
import { attributesKey, keptAfterExit } from './merge.js';
import { FINAL_CHUNK_BYTES, WIRE_VERSION } from './names.js';
import { clusterMessage, send, type ClusterMessage } from './primary.js';
import { encode, type WirePayload } from './wire.js';

/** zlib's fastest level: the points' JSON repeats itself (names, labels, bucket bounds), so even it shrinks a push about tenfold. */
const PUSH_DEFLATE_LEVEL = 1;

/** Options of {@link answerPrimary}. */
export interface PrimaryResponderOptions {
  /** This process's cumulative points: its own and its threads', merged. */
  readonly collect: () => Promise<ScopeMetrics[]>;
  /** The same at once, without yielding: for the moment the process ends. */
  readonly collectNow: () => ScopeMetrics[];
  /** How often to push what changed between collections, ms; 0: never. */
  readonly pushIntervalMillis: number;
  /** How long `close()` waits for the final points to be written, ms. */
  readonly closeTimeoutMillis: number;
}

/** Answers the primary until closed; `close()` sends the final points and waits (bounded) until they are written. */
export function answerPrimary(options: PrimaryResponderOptions): { close(): Promise<void> } {
  let closed = false;
  /** The primary aggregates (it welcomed this worker): pushes and final points have a reader. */
  let welcomed = false;
  let finalSent = false;
  const sent = new SentPoints();
  // One collection at a time, sent in the order taken: each message is newer than the one before.
  let queue: Promise<void> = Promise.resolve();
  const enqueue = (task: () => Promise<void>): void => {
    queue = queue.then(task).catch((err: unknown) => diag.error('@inferometer/node cluster: answering the primary failed', err));
  };
  let timer: NodeJS.Timeout | undefined;
  /** Pushes once nothing went to the primary for an interval (an answer counts). */
  const schedulePush = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (closed || !welcomed || options.pushIntervalMillis === 0) return;
    timer = setTimeout(() => {
      timer = undefined;
      enqueue(push);
    }, options.pushIntervalMillis);
    // The push must not keep the worker alive.
    timer.unref();
  };
  const push = async (): Promise<void> => {
    try {
      const points = await options.collect();
      if (closed || !welcomed) return;
      // Nothing changed: nothing to send (an idle worker costs the primary nothing).
      if (sent.changes(points).length === 0) return;
      const kept = keptOnly(points);
      // Deflated, the primary scans a tenth of the text per push. In the same
      // turn as the collection, as an answer is encoded: what is sent is what was read.
      const payload = deflateRawSync(JSON.stringify(encode(kept)), { level: PUSH_DEFLATE_LEVEL }).toString('base64');
      send(process, { type: 'push', version: WIRE_VERSION, payload }, (err) => diag.debug('@inferometer/node cluster: could not push to the primary (channel closing)', err));
      // What the primary holds now: the next push and the final points compare with it.
      sent.reset(kept);
    } finally {
      // A failed collection (told to diag by the queue) must not end the pushes.
      schedulePush();
    }
  };
  const answer = async (id: number): Promise<void> => {
    const points = await options.collect();
    if (closed) return;
    send(process, { type: 'points', id, version: WIRE_VERSION, payload: encode(points) }, (err) =>
      diag.debug('@inferometer/node cluster: could not answer the primary (channel closing)', err),
    );
    sent.reset(points);
    // A collect request comes from an aggregating primary, even one that did not welcome it (an older version).
    welcomed = true;
    schedulePush();
  };
  /**
   * Sends what changed since the previous message, at once, in pieces;
   * resolves when every piece is written or could not be. Never throws: it
   * runs in process 'exit', where a throw would change the exit code.
   */
  const sendFinal = (): Promise<void> => {
    if (finalSent || !welcomed || !process.connected) return Promise.resolve();
    finalSent = true;
    try {
      const pieces = chunk(encode(sent.changes(options.collectNow())), FINAL_CHUNK_BYTES);
      return Promise.all(
        pieces.map(
          (payload, i) =>
            new Promise<void>((resolve) => {
              const message: ClusterMessage = { type: 'final', version: WIRE_VERSION, payload, more: i < pieces.length - 1 };
              send(
                process,
                message,
                (err) => {
                  diag.debug('@inferometer/node cluster: could not send the final points to the primary (channel closing)', err);
                  resolve();
                },
                resolve,
              );
            }),
        ),
      ).then(() => undefined);
    } catch (err) {
      diag.error('@inferometer/node cluster: sending the final points to the primary failed', err);
      return Promise.resolve();
    }
  };
  const onExit = (): void => void sendFinal();
  // No event comes before the channel closes ('disconnect' comes after, when
  // nothing can be sent), and the cluster module closes it by calling
  // process.disconnect() (lib/internal/cluster/child.js, _disconnect and
  // destroy): the final points go just before, the call unchanged.
  const disconnect = process.disconnect as ((this: NodeJS.Process, ...args: unknown[]) => unknown) | undefined;
  const beforeDisconnect = function (this: NodeJS.Process, ...args: unknown[]): unknown {
    void sendFinal();
    return disconnect?.apply(this, args);
  };
  if (disconnect !== undefined) process.disconnect = beforeDisconnect as NodeJS.Process['disconnect'];
  const onMessage = (raw: unknown): void => {
    const message = clusterMessage(raw);
    if (message === undefined || closed) return;
    if (message.type === 'collect') {
      // Never rejects into the process: a failed collection is the primary's miss.
      const { id } = message;
      enqueue(() => answer(id));
    } else if (message.type === 'welcome') {
      welcomed = true;
      schedulePush();
    } else if (message.type === 'primary' || message.type === 'bye') {
      // A new aggregation knows nothing of this worker yet (a 'bye': none runs until the next 'primary').
      welcomed = false;
      sent.reset([]);
      schedulePush();
      if (message.type === 'primary') send(process, { type: 'hello' });
    }
  };
  process.on('message', onMessage);
  process.on('exit', onExit);
  send(process, { type: 'hello' });
  return {
    async close() {
      if (closed) return;
      // What was recorded since the previous message goes with the goodbye.
      const written = sendFinal();
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      process.off('message', onMessage);
      process.off('exit', onExit);
      if (process.disconnect === beforeDisconnect && disconnect !== undefined) process.disconnect = disconnect as NodeJS.Process['disconnect'];
      let bound: NodeJS.Timeout | undefined;
      await Promise.race([written, new Promise<void>((resolve) => (bound = setTimeout(resolve, options.closeTimeoutMillis).unref()))]);
      clearTimeout(bound);
    },
  };
}

/**
 * The counters and histograms as this worker last sent them, by series: no
 * push goes while none changed, and the final points carry only the series
 * that changed (counters and histograms only grow, so a changed count or
 * sum is a change).
 */
class SentPoints {
  private _values = new Map<string, number | Histogram>();

  /** After an answer or a push: exactly what it held. */
  reset(points: readonly ScopeMetrics[]): void {
    this._values = new Map();
    this.apply(points);
  }

  private apply(points: readonly ScopeMetrics[]): void {
    forEachKept(points, (key, point) => this._values.set(key, point.value));
  }

  /** The counter and histogram series of `points` that differ from what was sent. */
  changes(points: readonly ScopeMetrics[]): ScopeMetrics[] {
    const out: ScopeMetrics[] = [];
    for (const { scope, metrics } of points) {
      const changed = [];
      for (const metric of metrics) {
        if (!keptAfterExit(metric)) continue;
        const prefix = `${scope.name}\u0000${scope.version ?? ''}\u0000${metric.descriptor.name}\u0000`;
        const dataPoints = (metric.dataPoints as DataPoint<number | Histogram>[]).filter((point) => !same(this._values.get(prefix + seriesKey(point.attributes)), point.value));
        if (dataPoints.length > 0) changed.push({ ...metric, dataPoints } as typeof metric);
      }
      if (changed.length > 0) out.push({ scope, metrics: changed });
    }
    return out;
  }
}

/**
 * Label-set keys by attributes object: the catalog hands out the same
 * object for a series at every collection, so an idle worker's check once
 * a push interval builds no key twice (weak: a released series' key goes with it).
 */
const seriesKeys = new WeakMap<Attributes, string>();
function seriesKey(attributes: Attributes): string {
  let key = seriesKeys.get(attributes);
  if (key === undefined) seriesKeys.set(attributes, (key = attributesKey(attributes)));
  return key;
}

/** Only the counters and histograms of `points`: what a push carries. */
function keptOnly(points: readonly ScopeMetrics[]): ScopeMetrics[] {
  const out: ScopeMetrics[] = [];
  for (const { scope, metrics } of points) {
    const kept = metrics.filter(keptAfterExit);
    if (kept.length > 0) out.push({ scope, metrics: kept });
  }
  return out;
}

function forEachKept(points: readonly ScopeMetrics[], visit: (key: string, point: DataPoint<number | Histogram>) => void): void {
  for (const { scope, metrics } of points) {
    for (const metric of metrics) {
      if (!keptAfterExit(metric)) continue;
      const prefix = `${scope.name}\u0000${scope.version ?? ''}\u0000${metric.descriptor.name}\u0000`;
      for (const point of metric.dataPoints as DataPoint<number | Histogram>[]) visit(prefix + seriesKey(point.attributes), point);
    }
  }
}

function same(before: number | Histogram | undefined, now: number | Histogram): boolean {
  if (before === undefined) return false;
  if (typeof now === 'number' || typeof before === 'number') return before === now;
  return before.count === now.count && before.sum === now.sum;
}

type WireMetric = WirePayload['scopes'][number]['metrics'][number];

/** `payload` split into payloads of at most about `maxBytes` of JSON each (a larger single point goes alone); at least one, maybe empty. */
export function chunk(payload: WirePayload, maxBytes: number): WirePayload[] {
  const out: WirePayload[] = [];
  const empty = JSON.stringify({ scopes: [] }).length;
  let current: WirePayload = { scopes: [] };
  let bytes = empty;
  for (const { scope, metrics } of payload.scopes) {
    for (const metric of metrics) {
      // The scope and metric around the points, and a comma before it.
      const header = JSON.stringify({ scope, metrics: [{ ...metric, points: [] }] }).length + 1;
      let piece: WireMetric | undefined;
      for (const point of metric.points) {
        // The point and a comma before it.
        const size = JSON.stringify(point).length + 1;
        if (bytes > empty && bytes + size + (piece === undefined ? header : 0) > maxBytes) {
          out.push(current);
          current = { scopes: [] };
          bytes = empty;
          piece = undefined;
        }
        if (piece === undefined) {
          piece = { ...metric, points: [] };
          current.scopes.push({ scope, metrics: [piece] });
          bytes += header;
        }
        piece.points.push(point);
        bytes += size;
      }
    }
  }
  out.push(current);
  return out;
}

/**
 * `metricsHandler` in a cluster worker: the primary serves the pull
 * endpoint, so a scrape reaching a worker is told where to look (404).
 */
export const workerMetricsHandler: MetricsRequestHandler = (request, response) => {
  response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
  response.end(
    request.method === 'HEAD'
      ? undefined
      : 'Not Found: this is a cluster worker; the cluster primary serves the metrics of every worker (start() in the primary). ' +
          'Set INFEROMETER_CLUSTER=false or start({ cluster: { enabled: false } }) to serve each process on its own.\n',
  );
};

/**
 * `metricsHandler` in a worker thread: the main thread serves the pull
 * endpoint with every thread's points, so a scrape reaching a thread's
 * handler is told where to look (404).
 */
export const threadMetricsHandler: MetricsRequestHandler = (request, response) => {
  response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
  response.end(
    request.method === 'HEAD'
      ? undefined
      : "Not Found: this is a worker thread; the main thread's start() serves the metrics of every thread. " +
          'Set INFEROMETER_THREADS=false or start({ threads: { enabled: false } }) to export each thread on its own.\n',
  );
};
