/**
 * The worker side of cluster aggregation: no exporter and no port; the
 * worker announces itself to the primary and answers each collect request
 * with its cumulative points (its catalog through the native collector,
 * whatever else its MeterProvider records, and its worker threads' points
 * merged in).
 */
import { diag } from '@opentelemetry/api';
import type { ScopeMetrics } from '@opentelemetry/sdk-metrics';
import type { MetricsRequestHandler } from '../prometheus/handler.js';
import { WIRE_VERSION } from './names.js';
import { clusterMessage, send } from './primary.js';
import { encode } from './wire.js';

/** Answers the primary with what `collect` gives until closed. */
export function answerPrimary(collect: () => Promise<ScopeMetrics[]>): { close(): void } {
  let closed = false;
  const answer = async (id: number): Promise<void> => {
    const points = await collect();
    if (closed) return;
    send(process, { type: 'points', id, version: WIRE_VERSION, payload: encode(points) }, (err) =>
      diag.debug('@inferometer/node cluster: could not answer the primary (channel closing)', err),
    );
  };
  const onMessage = (raw: unknown): void => {
    const message = clusterMessage(raw);
    if (message === undefined) return;
    if (message.type === 'collect') {
      // Never rejects into the process: a failed collection is the primary's miss.
      answer(message.id).catch((err: unknown) => diag.error('@inferometer/node cluster: answering the primary failed', err));
    } else if (message.type === 'primary') {
      send(process, { type: 'hello' });
    }
  };
  process.on('message', onMessage);
  send(process, { type: 'hello' });
  return {
    close() {
      closed = true;
      process.off('message', onMessage);
    },
  };
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
