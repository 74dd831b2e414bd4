import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { diag } from '@opentelemetry/api';
import { countRefusedBeforeHandler, type MetricsRequestHandler } from './handler.js';
import { REFUSAL_REASONS, type RefusalReason } from './names.js';
import { BasicAuth, MAX_PENDING_VERIFICATIONS, type WebConfig, type WebTlsConfig } from './web-config/index.js';

/** The pull endpoint's own server, apart from the service's serving port. */
export interface MetricsServer {
  /** The URL Prometheus scrapes, e.g. `http://localhost:9464/metrics` (`https://` with a web configuration's TLS). */
  readonly url: string;
  /** The health page's URL (`GET /` of the same server), when it is served. */
  readonly pageUrl?: string;
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
 * With `web` (an exporter-toolkit web configuration file, already checked),
 * it serves HTTPS per `tls_server_config`, sets `http_server_config.headers`
 * on every response, and asks for `basic_auth_users` credentials on every
 * path. The handler itself is unchanged: mounted on the service's own
 * server, it follows that server's TLS and auth.
 */
export async function startMetricsServer(
  handler: MetricsRequestHandler,
  host: string | undefined,
  port: number,
  web?: WebConfig,
  exclusive = false,
  page?: MetricsRequestHandler,
): Promise<MetricsServer> {
  const route = (request: IncomingMessage, response: ServerResponse): void => {
    const path = (request.url ?? '/').split('?')[0];
    if (path === METRICS_PATH) {
      handler(request, response);
      return;
    }
    // The health page (page/live.ts): behind the same TLS and basic auth.
    if (path === '/' && page !== undefined) {
      page(request, response);
      return;
    }
    response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    response.end(`Not Found: metrics are at ${METRICS_PATH}\n`);
  };
  const listener = web === undefined ? route : secured(route, web, (response, reason) => countRefusedBeforeHandler(handler, response, reason));
  const server: Server = web?.tls === undefined ? createServer(listener) : createHttpsServer(web.tls.options, listener);
  if (web?.tls !== undefined) checkClientCertificates(server, web.tls);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Unset host: all interfaces, like @opentelemetry/exporter-prometheus, so
    // a Prometheus on another host (or outside a container) can scrape.
    // `exclusive` in a node:cluster worker binds a socket of its own instead
    // of sharing the primary's round-robin one, so a taken port fails
    // (https://nodejs.org/api/net.html#serverlistenoptions-callback).
    server.listen({ port, host, exclusive }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.unref();
  const bound = (server.address() as AddressInfo).port;
  const url = metricsUrl(host, bound, web);
  return {
    url,
    ...(page === undefined ? {} : { pageUrl: url.slice(0, -METRICS_PATH.length) + '/' }),
    port: bound,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** The URL of the pull endpoint on `port`: `localhost` for all interfaces, IPv6 in brackets. */
export function metricsUrl(host: string | undefined, port: number, web?: WebConfig): string {
  const shown = host === undefined || host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `${web?.tls === undefined ? 'http' : 'https'}://${shown}:${port}${METRICS_PATH}`;
}

/** Headers, then basic auth, then the route; `refused` counts a request basic auth turned away (in the handler's self-metrics). */
function secured(route: RequestListener, web: WebConfig, refused: (response: ServerResponse, reason: RefusalReason) => void): RequestListener {
  const auth = new BasicAuth(web.users);
  const headers = Object.entries(web.headers);
  let toldBusy = false;
  return (request, response) => {
    for (const [name, value] of headers) response.setHeader(name, value);
    if (!auth.enabled) {
      route(request, response);
      return;
    }
    void auth.check(request).then((result) => {
      if (result === 'ok') {
        route(request, response);
        return;
      }
      if (result === 'busy') {
        refused(response, REFUSAL_REASONS.authBusy);
        if (!toldBusy) {
          toldBusy = true;
          diag.warn(`@inferometer/node: more than ${MAX_PENDING_VERIFICATIONS} basic auth checks at once on the pull endpoint (unknown credentials); answering 429 beyond that`);
        }
        response.writeHead(429, { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '1' });
        response.end('Too Many Requests\n');
        return;
      }
      refused(response, REFUSAL_REASONS.unauthorized);
      // RFC 7617 section 2: a 401 names the scheme and a realm.
      response.writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8', 'WWW-Authenticate': 'Basic realm="metrics", charset="UTF-8"' });
      response.end('Unauthorized\n');
    });
  };
}

/**
 * What Node's TLS options cannot say of `client_auth_type` (Go's
 * https://pkg.go.dev/crypto/tls#ClientAuthType) and `client_allowed_sans`,
 * checked once the handshake is done; a connection that fails is closed
 * before any request is read.
 */
function checkClientCertificates(server: Server, tls: WebTlsConfig): void {
  const { clientAuthType, allowedSans } = tls;
  if (clientAuthType === 'NoClientCert' || clientAuthType === 'RequestClientCert' || (clientAuthType === 'RequireAndVerifyClientCert' && allowedSans === undefined)) return;
  server.on('secureConnection', (socket: TLSSocket) => {
    const certificate = socket.getPeerCertificate();
    const given = certificate !== null && Object.keys(certificate).length > 0;
    const refused =
      (clientAuthType === 'RequireAnyClientCert' && !given) ||
      (clientAuthType === 'VerifyClientCertIfGiven' && given && !socket.authorized) ||
      (allowedSans !== undefined && (!given || !subjectAltNames(certificate.subjectaltname).some((san) => allowedSans.includes(san))));
    if (refused) socket.destroy();
  });
}

/** `DNS:a, IP Address:127.0.0.1, URI:spiffe://x, email:m@x` to its values. */
function subjectAltNames(field: string | undefined): string[] {
  if (field === undefined) return [];
  return field.split(', ').map((entry) => entry.slice(entry.indexOf(':') + 1).replace(/^"(.*)"$/, '$1'));
}
