/**
 * The options of `start()` and the handle it returns: types only, in a
 * module of their own that imports nothing from start.ts or its modes, so
 * that config/options.ts (the unknown-key check) and exporters/exporter.ts
 * (what a factory is given) can name them without an import loop through
 * the exporter registry.
 */
import type { GuardOptions } from '@inferometer/core';
import type { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { ClusterOptions, ThreadsOptions } from '../cluster/config.js';
import type { EmfOptions } from '../config/emf.js';
import type { Environment } from '../config/env.js';
import type { MetricsExporterName } from '../config/exporters.js';
import type { OtlpOptions } from '../config/otlp.js';
import type { RemoteWriteStartOptions } from '../config/remote-write.js';
import type { TimingOptions } from '../config/timing.js';
import type { MetricsRequestHandler, ScrapeLimits } from '../prometheus/handler.js';

/**
 * Options of {@link start}. Each falls back to its `OTEL_*` environment
 * variable, then to a default; an option given in code wins over the
 * environment.
 */
export interface StartOptions extends TimingOptions {
  /**
   * Exporters to run; falls back to `OTEL_METRICS_EXPORTER` (comma list),
   * then `['prometheus']`. Accepted: `prometheus`, `console`, `none`,
   * `otlp` (push to a Collector, Datadog, New Relic or CloudWatch: see `otlp`),
   * `prometheusremotewrite` (push to a remote write receiver: see `remoteWrite`),
   * `awsemf` (CloudWatch Embedded Metric Format on stdout: see `emf`).
   *
   * @example
   * ```ts
   * exporters: ['prometheus', 'console']
   * ```
   */
  exporters?: readonly MetricsExporterName[];

  /**
   * The pull endpoint. `host` falls back to `OTEL_EXPORTER_PROMETHEUS_HOST`
   * (unset: all interfaces), `port` to `OTEL_EXPORTER_PROMETHEUS_PORT` (then
   * 9464; 0 picks a free port). Under pm2 the port is the first instance's:
   * each instance serves it plus `NODE_APP_INSTANCE` (see the README's "pm2"). `server: false` starts no server: mount
   * {@link InferometerHandle.metricsHandler} on your own. `webConfigFile`
   * (`INFEROMETER_PROMETHEUS_WEB_CONFIG_FILE`) is an exporter-toolkit web
   * configuration file, node_exporter's `--web.config.file`: HTTPS, mutual
   * TLS and bcrypt basic auth for the endpoint's own server (see the
   * README's "Securing the pull endpoint").
   *
   * `healthPage` (`INFEROMETER_PROMETHEUS_HEALTH_PAGE`, default `true`) serves
   * a self-contained HTML page of the models' health at `GET /` of the same
   * server, behind the same TLS and basic auth; it samples only while
   * someone looks (see docs/health-page.md). `false` answers `/` with 404.
   *
   * The limits (`collectTimeoutMillis`, `writeTimeoutMillis`,
   * `maxConcurrentScrapes`) bound what any client can make the process hold
   * or wait for; `gzip`, `openMetricsCreated` and `createdTimestamps`
   * (`INFEROMETER_PROMETHEUS_CREATED_TIMESTAMPS`) shape the response. See
   * {@link ScrapeLimits} and the README's "Pull endpoint" section.
   *
   * @example
   * ```ts
   * prometheus: { host: '127.0.0.1', port: 9464 }
   * prometheus: { server: false } // then app.get('/metrics', handle.metricsHandler)
   * prometheus: { webConfigFile: '/etc/inferometer/web-config.yml' }
   * prometheus: { healthPage: false } // no page at GET /
   * prometheus: { collectTimeoutMillis: 5_000, writeTimeoutMillis: 30_000, maxConcurrentScrapes: 4, gzip: true, openMetricsCreated: false }
   * prometheus: { createdTimestamps: false } // no created_timestamp in the protobuf exposition
   * ```
   */
  prometheus?: { host?: string; port?: number; server?: boolean; webConfigFile?: string; healthPage?: boolean } & ScrapeLimits;

  /**
   * OTLP push (exporter `otlp`). Each field wins over its standard variable:
   * `endpoint` over `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT` /
   * `OTEL_EXPORTER_OTLP_ENDPOINT`, `headers` over `OTEL_EXPORTER_OTLP_(METRICS_)HEADERS`,
   * `protocol` (`http/protobuf`, `http/json`), `temporalityPreference`
   * (`cumulative`, `delta`, `lowmemory`), `histogramAggregation`
   * (`explicit_bucket_histogram`, `base2_exponential_bucket_histogram`),
   * `compression` (`none`, `gzip`), `timeoutMillis`, `maxPayloadBytes`
   * (`INFEROMETER_OTLP_MAX_PAYLOAD_BYTES`: larger exports are split). `preset`
   * (`datadog`, `newrelic`, `cloudwatch`, `collector`; `INFEROMETER_OTLP_PRESET`, else
   * detected from `DD_API_KEY` / `NEW_RELIC_LICENSE_KEY` when no endpoint is
   * set) fills in the vendor's endpoint, key header, temporality, histogram
   * kind and payload limit; `apiKey`, `datadogSite` (`DD_SITE`),
   * `newRelicRegion` (`NEW_RELIC_REGION`: `us`, `eu`, `fedramp`) and
   * `awsRegion` (`AWS_REGION`, `AWS_DEFAULT_REGION`) feed it. `cloudwatch`
   * signs each request with AWS SigV4 from the standard credential chain
   * (optional peer dependencies `@aws-sdk/credential-providers` and
   * `@smithy/signature-v4`).
   *
   * @example
   * ```ts
   * exporters: ['otlp'], otlp: { preset: 'datadog', apiKey: process.env.DD_API_KEY, datadogSite: 'datadoghq.eu' }
   * exporters: ['otlp'], otlp: { preset: 'cloudwatch', awsRegion: 'eu-west-1' }
   * exporters: ['otlp'], otlp: { endpoint: 'http://otel-collector:4318/v1/metrics', protocol: 'http/json' }
   * ```
   */
  otlp?: OtlpOptions;

  /**
   * Prometheus remote write push (exporter `prometheusremotewrite`): the
   * options of `@inferometer/exporter-remote-write`'s RemoteWriteExporter.
   * Each falls back to its variable: `url` to `INFEROMETER_REMOTE_WRITE_URL`
   * (required), `basicAuth` to `INFEROMETER_REMOTE_WRITE_USERNAME` / `_PASSWORD`,
   * `bearerToken` to `_BEARER_TOKEN`, `headers` to `_HEADERS` (`k=v,k2=v2`),
   * `maxQueueSamples`, `maxQueueBytes`, `maxSamplesPerRequest`,
   * `requestTimeoutMillis` (`_TIMEOUT`), `minBackoffMillis` / `maxBackoffMillis`
   * (`_MIN_BACKOFF` / `_MAX_BACKOFF`), `flushTimeoutMillis` (`_FLUSH_TIMEOUT`).
   *
   * @example
   * ```ts
   * exporters: ['prometheusremotewrite'],
   * remoteWrite: { url: 'http://victoria-metrics:8428/api/v1/write', headers: { 'X-Scope-OrgID': 'ml' } }
   * ```
   */
  remoteWrite?: RemoteWriteStartOptions;

  /**
   * CloudWatch Embedded Metric Format (exporter `awsemf`): `namespace`
   * (`AWS_EMF_NAMESPACE`, then `Inferometer`) and the `stream` the documents
   * are written to (`process.stdout`). See {@link EmfOptions}.
   *
   * @example
   * ```ts
   * exporters: ['awsemf'], emf: { namespace: 'IrisService' }
   * ```
   */
  emf?: EmfOptions;

  /**
   * Limits of the cardinality guard (see `configureGuards` in
   * `@inferometer/core`); each falls back to its variable:
   * `maxValuesPerAttribute` to `INFEROMETER_MAX_ATTRIBUTE_VALUES` (100),
   * `maxValuesPerKey` to `INFEROMETER_ATTRIBUTE_VALUE_CAPS` (`region=30,tier=5`),
   * `maxSeriesPerMetric` to `INFEROMETER_MAX_SERIES_PER_METRIC` (2000),
   * `maxValueLength` to `INFEROMETER_MAX_ATTRIBUTE_LENGTH` (64),
   * `unboundedKeyPatterns` to `INFEROMETER_UNBOUNDED_KEY_PATTERNS` (comma
   * list of regexes over whole keys, added to the built-in list; keys already
   * declared are checked again).
   *
   * @example
   * ```ts
   * guards: { maxSeriesPerMetric: 500, maxValuesPerKey: { region: 30 } }
   * ```
   */
  guards?: GuardOptions;

  /**
   * `service.name` of the resource; falls back to `OTEL_SERVICE_NAME`, then
   * `service.name` in `OTEL_RESOURCE_ATTRIBUTES`, then the SDK default.
   *
   * @example
   * ```ts
   * serviceName: 'iris-server'
   * ```
   */
  serviceName?: string;

  /**
   * `service.instance.id` of the resource: the `instance` label of remote
   * write and the instance of OTLP series. Falls back to `service.instance.id`
   * in `OTEL_RESOURCE_ATTRIBUTES`, then `remoteWrite.instance`, then a random
   * UUID per process start, so that processes pushing side by side (pm2,
   * pods) never write into each other's series.
   *
   * @example
   * ```ts
   * serviceInstanceId: process.env.POD_NAME
   * ```
   */
  serviceInstanceId?: string;

  /**
   * `node:cluster` aggregation, on by default: in a worker, `start()` opens
   * no port and runs no exporter but answers the primary's collect requests;
   * the primary's exporters serve every worker's points merged (counters and
   * histograms summed, an exited worker's counts kept: it sends its last
   * ones on its way out, and pushes them every `pushIntervalMillis` against
   * a SIGKILL). See {@link ClusterOptions}.
   *
   * @example
   * ```ts
   * cluster: { collectTimeoutMillis: 1_000 }
   * cluster: { pushIntervalMillis: 250 } // a SIGKILLed worker loses at most 250 ms of calls
   * cluster: { enabled: false } // each process exports on its own
   * ```
   */
  cluster?: ClusterOptions;

  /**
   * worker_threads aggregation, on by default: in a worker thread (plain
   * `new Worker()` or a piscina pool), `start()` runs no exporter but
   * answers the main thread, whose exporters serve every thread's points
   * merged like cluster workers'. See {@link ThreadsOptions}.
   *
   * @example
   * ```ts
   * threads: { enabled: false } // each thread exports on its own
   * ```
   */
  threads?: ThreadsOptions;

  /**
   * Push interval and timeout of periodic exporters (`console`, `otlp`,
   * `prometheusremotewrite`, `awsemf`), in
   * milliseconds; fall back to `OTEL_METRIC_EXPORT_INTERVAL` (60000) and
   * `OTEL_METRIC_EXPORT_TIMEOUT` (30000). The timeout may not exceed the interval.
   *
   * @example
   * ```ts
   * exportIntervalMillis: 10_000
   * ```
   */
  exportIntervalMillis?: number;
  /** See {@link StartOptions.exportIntervalMillis}. @example `exportTimeoutMillis: 5_000` */
  exportTimeoutMillis?: number;

  /**
   * Shut down (flushing every exporter) on SIGTERM and SIGINT, then let the
   * signal take its default course. Off by default: a library should not
   * decide how a process exits. Turn it on when nothing else in the service
   * handles these signals. A process that ends on its own (its event loop
   * empties) needs nothing: push exporters export once more on
   * 'beforeExit'. `process.exit()` runs no callback: call `shutdown()` before.
   * In a cluster worker, shutdown sends the worker's last points to the primary.
   *
   * @example
   * ```ts
   * handleSignals: true
   * ```
   */
  handleSignals?: boolean;

  /**
   * Process and Node.js runtime metrics under prom-client's names (CPU,
   * memory, file descriptors, event-loop lag, heap, GC pauses, handles), read
   * at collection only. On by default; falls back to
   * `INFEROMETER_RUNTIME_METRICS` (`true` / `false`).
   *
   * @example
   * ```ts
   * runtimeMetrics: false // the service registers prom-client's collectDefaultMetrics() itself
   * ```
   */
  runtimeMetrics?: boolean;

  /**
   * Environment to read instead of `process.env` (tests, or configuration
   * from somewhere else).
   *
   * @example
   * ```ts
   * env: { OTEL_METRICS_EXPORTER: 'console' }
   * ```
   */
  env?: Environment;
}

/** What {@link start} returns. */
export interface InferometerHandle {
  /** The MeterProvider, registered as the global one. */
  readonly meterProvider: MeterProvider;
  /** The exporters that run. */
  readonly exporters: readonly MetricsExporterName[];
  /** The pull endpoint's URL, when its own server runs. */
  readonly metricsUrl: string | undefined;
  /**
   * The health page's URL (`GET /` of the pull endpoint's own server), when
   * it is served: the endpoint's own server runs and `prometheus.healthPage`
   * is not `false`.
   *
   * @example
   * ```ts
   * if (telemetry.healthPageUrl) console.log(`model health at ${telemetry.healthPageUrl}`);
   * ```
   */
  readonly healthPageUrl: string | undefined;
  /**
   * The pull endpoint as a request handler with the `(req, res)` signature of
   * `node:http` and Express, to mount on a server the service already runs.
   * Always a function: with the `prometheus` exporter it serves the
   * exposition (`GET`, `HEAD`); without it (`OTEL_METRICS_EXPORTER=otlp`,
   * `none`, ...) it answers 404 with a plain-text message saying how to
   * enable the exporter, and tells `diag` once.
   *
   * @example
   * ```ts
   * const telemetry = await start({ prometheus: { server: false } });
   * app.get('/metrics', telemetry.metricsHandler);          // Express
   * fastify.get('/metrics', (request, reply) => {           // Fastify
   *   reply.hijack();
   *   telemetry.metricsHandler(request.raw, reply.raw);
   * });
   * ```
   */
  readonly metricsHandler: MetricsRequestHandler;
  /** Pushes what periodic exporters have not sent yet. */
  forceFlush(): Promise<void>;
  /**
   * Flushes and stops every exporter, closes the pull endpoint, and
   * unregisters the global MeterProvider (so `start()` may run again).
   * Safe to call more than once.
   */
  shutdown(): Promise<void>;
}
