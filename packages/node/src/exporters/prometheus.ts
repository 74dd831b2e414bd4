import cluster from 'node:cluster';
import { isIP } from 'node:net';
import { diag } from '@opentelemetry/api';
import { clip } from '@inferometer/exporter-remote-write/internal';
import { checkBoolean, checkInteger, invalid, option, readChoice, readInteger, readString, variable, type Environment } from '../config/env.js';
import { describePm2, detectPm2, pm2PullPort, PROMETHEUS_PORT_VARIABLE, type Pm2Process } from '../config/pm2.js';
import { startPm2MetricsServer } from '../prometheus/pm2-server.js';
import { createPrometheusReader, type MetricsRequestHandler, type ScrapeLimits } from '../prometheus/handler.js';
import { startMetricsServer } from '../prometheus/server.js';
import { loadWebConfig, type WebConfig } from '../prometheus/web-config/index.js';
import { createHealthPageHandler } from '../page/live.js';
import type { ExporterFactory } from './exporter.js';

/** The variable naming an exporter-toolkit web configuration file for the pull endpoint's own server. */
export const WEB_CONFIG_FILE_VARIABLE = 'INFEROMETER_PROMETHEUS_WEB_CONFIG_FILE';

/**
 * The variable that makes the pull endpoint's catalog histograms native too:
 * `true` keeps each histogram as classic buckets and a base-2 exponential
 * histogram (`both`), served as a Prometheus native histogram to scrapers
 * that negotiate the protobuf exposition format (Prometheus with
 * `--enable-feature=native-histograms`) and as classic buckets in text.
 */
export const NATIVE_HISTOGRAMS_VARIABLE = 'INFEROMETER_PROMETHEUS_NATIVE_HISTOGRAMS';

/** The variable that turns the health page (`GET /` of the pull endpoint's own server) off: `false`. */
export const HEALTH_PAGE_VARIABLE = 'INFEROMETER_PROMETHEUS_HEALTH_PAGE';

/** The variable that turns off `created_timestamp` in the protobuf exposition (`false`; default `true`), as `prometheus.createdTimestamps`. */
export const CREATED_TIMESTAMPS_VARIABLE = 'INFEROMETER_PROMETHEUS_CREATED_TIMESTAMPS';

/** Default port of the pull endpoint, the OpenTelemetry default for `OTEL_EXPORTER_PROMETHEUS_PORT`. */
export const DEFAULT_PROMETHEUS_PORT = 9464;

const HOST_ACCEPTED = 'an IP address (127.0.0.1, ::1, 0.0.0.0) or a host name (localhost, metrics.internal)';
/** RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens. */
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** `prometheus`: the pull endpoint, on its own port unless `prometheus.server` is false. */
export const prometheusExporter: ExporterFactory = ({ env, options, metricProducers: shared, metricProducersFor }) => {
  const given = options.prometheus ?? {};
  const native = readChoice(env, NATIVE_HISTOGRAMS_VARIABLE, ['true', 'false']) === 'true';
  const metricProducers = native ? metricProducersFor('cumulative', 'both') : shared;
  const server = given.server === undefined ? true : checkBoolean(option('prometheus.server'), given.server);
  const port =
    given.port !== undefined
      ? checkInteger(option('prometheus.port'), given.port, 0, 65535)
      : (readInteger(env, PROMETHEUS_PORT_VARIABLE, 0, 65535) ?? DEFAULT_PROMETHEUS_PORT);
  const portSource = given.port !== undefined ? option('prometheus.port') : readString(env, PROMETHEUS_PORT_VARIABLE) !== undefined ? variable(PROMETHEUS_PORT_VARIABLE) : undefined;
  // Under pm2, each instance serves its own port (config/pm2.ts).
  const pm2 = detectPm2(env, cluster.isWorker);
  const pull = pm2 === undefined ? undefined : pm2PullPort(pm2, port, portSource);
  const hostSource = given.host !== undefined ? option('prometheus.host') : variable('OTEL_EXPORTER_PROMETHEUS_HOST');
  const host = given.host ?? readString(env, 'OTEL_EXPORTER_PROMETHEUS_HOST');
  if (host !== undefined && (typeof host !== 'string' || (isIP(host) === 0 && !HOST_NAME.test(host)))) {
    throw invalid(hostSource, String(host), 'is not an IP address or host name', HOST_ACCEPTED);
  }
  const web = readWebConfig(given.webConfigFile, readString(env, WEB_CONFIG_FILE_VARIABLE), server);
  const limits = scrapeLimits(given, env);
  const { reader, handler, stats } = createPrometheusReader({ metricProducers, ...limits });
  const healthPage = given.healthPage !== undefined ? checkBoolean(option('prometheus.healthPage'), given.healthPage) : readChoice(env, HEALTH_PAGE_VARIABLE, ['true', 'false']) !== 'false';
  if (!server) {
    if (pm2?.clusterMode === true) warnSharedHandler(pm2);
    return { reader, metricsHandler: handler };
  }
  if (pm2 !== undefined && pull !== undefined) return { reader, metricsHandler: handler, listen: () => startPm2MetricsServer(handler, host, web, { pm2, pull, source: portSource }) };
  const page = healthPage ? createHealthPageHandler({ reader, stats, limits }) : undefined;
  return { reader, metricsHandler: handler, listen: () => startMetricsServer(handler, host, port, web, false, page) };
};

/**
 * `prometheus.server: false` in pm2's cluster mode: the handler is mounted on
 * the service's own port, which pm2 shares between the instances, so each
 * scrape reads whichever instance the connection reached. Not refused (the
 * service may give each instance a port of its own), but said.
 */
function warnSharedHandler(pm2: Pm2Process): void {
  diag.warn(
    `@inferometer/node: ${describePm2(pm2)} runs in pm2's cluster mode with prometheus.server false: if metricsHandler is mounted on a port pm2 shares between instances, ` +
      'each scrape reads one instance and the others are never counted. Leave prometheus.server unset: each instance then serves its own port (the configured one + its instance number).',
  );
}

/** `prometheus.collectTimeoutMillis` and the other limits, checked (the handler trusts its options). */
function scrapeLimits(given: ScrapeLimits, env: Environment): ScrapeLimits {
  const limits: ScrapeLimits = {};
  const millis = (key: 'collectTimeoutMillis' | 'writeTimeoutMillis'): void => {
    if (given[key] !== undefined) limits[key] = checkInteger(option(`prometheus.${key}`), given[key], 1, MAX_SCRAPE_MILLIS);
  };
  millis('collectTimeoutMillis');
  millis('writeTimeoutMillis');
  if (given.maxConcurrentScrapes !== undefined) limits.maxConcurrentScrapes = checkInteger(option('prometheus.maxConcurrentScrapes'), given.maxConcurrentScrapes, 1, 10_000);
  if (given.gzip !== undefined) limits.gzip = checkBoolean(option('prometheus.gzip'), given.gzip);
  if (given.openMetricsCreated !== undefined) limits.openMetricsCreated = checkBoolean(option('prometheus.openMetricsCreated'), given.openMetricsCreated);
  // The variable is checked even when the option wins: a typo fails at start either way.
  const createdFromEnv = readChoice(env, CREATED_TIMESTAMPS_VARIABLE, ['true', 'false']);
  if (given.createdTimestamps !== undefined) limits.createdTimestamps = checkBoolean(option('prometheus.createdTimestamps'), given.createdTimestamps);
  else if (createdFromEnv === 'false') limits.createdTimestamps = false;
  return limits;
}

/** Longest collection or write timeout accepted: ten minutes, longer than any scrape interval worth having. */
const MAX_SCRAPE_MILLIS = 600_000;

/**
 * The web configuration file from `prometheus.webConfigFile`, else the
 * variable. It secures the pull endpoint's own server only: with
 * `server: false` it would silently not apply, so that pair is refused.
 */
function readWebConfig(fromOption: unknown, fromVariable: string | undefined, server: boolean): WebConfig | undefined {
  const source = fromOption !== undefined ? option('prometheus.webConfigFile') : variable(WEB_CONFIG_FILE_VARIABLE);
  const path = fromOption ?? fromVariable;
  if (path === undefined) return undefined;
  if (typeof path !== 'string') throw invalid(source, String(path), 'is not a file path', 'the path of a web configuration file');
  if (!server) {
    throw invalid(source, path, 'secures the pull endpoint\'s own server, and prometheus.server is false (the service\'s own server does its TLS and auth)', 'unset, or prometheus.server true', {
      related: ['prometheus.server'],
    });
  }
  return loadWebConfig(path, source);
}

/**
 * The `metricsHandler` of a `start()` that runs no Prometheus exporter: it
 * answers every request with 404 and a plain-text message saying how to
 * enable the exporter, and tells `diag` once. Serving metrics nobody asked
 * for (a second reader beside OTLP or remote write) would double the SDK's
 * aggregation memory, and `OTEL_METRICS_EXPORTER=none` must mean none.
 */
export function disabledMetricsHandler(exporters: readonly string[]): MetricsRequestHandler {
  const configured = exporters.length === 0 ? 'none' : exporters.join(',');
  const suggested = exporters.length === 0 || (exporters.length === 1 && exporters[0] === 'none') ? 'prometheus' : `${configured},prometheus`;
  const body =
    `Not Found: the Prometheus exporter is not enabled (exporters: ${configured}). ` +
    `Set OTEL_METRICS_EXPORTER=${suggested} or pass start({ exporters: [..., 'prometheus'], prometheus: { server: false } }) to serve metrics here.\n`;
  let told = false;
  return (request, response) => {
    if (!told) {
      told = true;
      diag.warn(`@inferometer/node: ${clip(request.url ?? '/metrics', 100)} was requested but the Prometheus exporter is not enabled; answering 404 (${body.trim()})`);
    }
    response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    response.end(request.method === 'HEAD' ? undefined : body);
  };
}
