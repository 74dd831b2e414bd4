import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricsRequestHandler } from './handler.js';

/** The pull endpoint's own server, apart from the service's serving port. */
export interface MetricsServer {
  /** The URL Prometheus scrapes, e.g. `http://localhost:9464/metrics`. */
  readonly url: string;
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  close(): Promise<void>;
}

/** The path the pull endpoint serves, as in `@opentelemetry/exporter-prometheus`. */
export const METRICS_PATH = '/metrics';

/**
 * Starts the pull endpoint on its own port. Model traffic and observability
 * have different audiences (and firewalls), so they do not share a port.
 * The server is `unref()`-ed: it never keeps a finished process alive.
 */
export async function startMetricsServer(
  handler: MetricsRequestHandler,
  host: string | undefined,
  port: number,
): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path === METRICS_PATH) {
      handler(request, response);
      return;
    }
    response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    response.end(`Not Found: metrics are at ${METRICS_PATH}\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Unset host: all interfaces, like @opentelemetry/exporter-prometheus, so
    // a Prometheus on another host (or outside a container) can scrape.
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.unref();
  const bound = (server.address() as AddressInfo).port;
  const shown = host === undefined || host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${bound}${METRICS_PATH}`,
    port: bound,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
