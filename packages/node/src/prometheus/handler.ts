import type { IncomingMessage, ServerResponse } from 'node:http';
import { diag } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import type { MetricProducer } from '@opentelemetry/sdk-metrics';
import { ChunkPool, serializeChunks } from './serializer.js';

/** Content type of the Prometheus text exposition format 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * A request handler that serves the exposition: `(req, res) => void`, the
 * signature of `node:http` and Express; on Fastify, pass `request.raw` and
 * `reply.raw` after `reply.hijack()`.
 */
export type MetricsRequestHandler = (request: IncomingMessage, response: ServerResponse) => void;

/** Options of {@link createPrometheusReader}. */
export interface PrometheusReaderOptions {
  /**
   * Producers of externally aggregated data to serve too, such as
   * {@link createCatalogProducer}'s for Inferometer's fast path.
   *
   * @example
   * ```ts
   * metricProducers: [createCatalogProducer('cumulative').producer]
   * ```
   */
  metricProducers?: MetricProducer[];
}

/** A Prometheus pull reader and the handler that serves it. */
export interface PrometheusPullReader {
  /** The reader: give it to a MeterProvider's `readers`. */
  readonly reader: PrometheusExporter;
  /** Serves `GET` (and `HEAD`) with the exposition; mount it wherever `/metrics` should be. */
  readonly handler: MetricsRequestHandler;
}

/**
 * Creates a Prometheus pull reader that starts no server of its own, and the
 * handler that serves it. For services that already run an HTTP server or
 * already build their own MeterProvider.
 *
 * Unlike `@opentelemetry/exporter-prometheus`'s own handler, which answers a
 * failed collection with `200` and a comment line (so Prometheus records a
 * healthy scrape of nothing), this one answers `500`, so `up` drops to 0 and
 * the failure is visible.
 *
 * Pass `metricProducers: [createCatalogProducer('cumulative').producer]` to serve
 * the catalog through the fast path as well.
 *
 * @example
 * ```ts
 * import { MeterProvider } from '@opentelemetry/sdk-metrics';
 * import { createPrometheusReader } from '@inferometer/node';
 *
 * const { reader, handler } = createPrometheusReader();
 * metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
 * app.get('/metrics', handler); // Express
 * ```
 */
export function createPrometheusReader(options: PrometheusReaderOptions = {}): PrometheusPullReader {
  // Scope labels (otel_scope_name, ...) would add three labels to every
  // catalog series that Prometheus users never asked for.
  const reader = new PrometheusExporter({
    preventServerStart: true,
    withoutScopeInfo: true,
    ...(options.metricProducers ? { metricProducers: options.metricProducers } : {}),
  });
  const pool = new ChunkPool();
  const handler: MetricsRequestHandler = (request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
      response.end('Method Not Allowed\n');
      return;
    }
    // A collection that rejects is still answered: never leave a scrape hanging.
    void reader
      .collect()
      .then(({ resourceMetrics, errors }) => {
        if (errors.length > 0) {
          diag.error('@inferometer/node: metrics collection failed; answering the scrape with 500', ...errors);
          fail(response, errors[0]);
          return;
        }
        response.writeHead(200, { 'Content-Type': PROMETHEUS_CONTENT_TYPE });
        if (request.method === 'HEAD') {
          response.end();
          return;
        }
        return writeChunks(response, serializeChunks(resourceMetrics, pool.chunkBytes, pool.allocate), pool);
      })
      .catch((err: unknown) => {
        diag.error('@inferometer/node: metrics collection failed; answering the scrape with 500', err);
        fail(response, err);
      });
  };
  return { reader, handler };
}

/**
 * Writes the exposition a chunk at a time and yields to the event loop
 * between chunks, so a large scrape does not stall the predictions this
 * process serves (prom-client #216, #543).
 */
async function writeChunks(response: ServerResponse, chunks: Iterable<Buffer>, pool: ChunkPool): Promise<void> {
  for (const chunk of chunks) {
    if (response.destroyed) return;
    // The buffer goes back to the pool once the socket has taken it.
    const flushed = response.write(chunk, () => pool.release(chunk));
    // A slow scraper must not make us hold the whole exposition in memory;
    // one that hangs up never drains, so 'close' ends the wait too.
    if (!flushed) await drainOrClose(response);
    else await new Promise<void>((resolve) => setImmediate(resolve));
  }
  if (!response.destroyed) response.end();
}

/** Resolves on 'drain' or on 'close' (a client that hung up never drains), leaving no listener behind. */
function drainOrClose(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}

function fail(response: ServerResponse, err: unknown): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
  response.end(`# metrics collection failed: ${err instanceof Error ? err.message : String(err)}\n`);
}
