import { diag, metrics } from '@opentelemetry/api';
import { MeterProvider, type MetricProducer } from '@opentelemetry/sdk-metrics';
import { checkBoolean, ConfigurationError, option, readString, variable, type ConfigurationSource, type Environment } from './config/env.js';
import { resolveExporters, type MetricsExporterName } from './config/exporters.js';
import { resolveOtlpConfig } from './config/otlp.js';
import { applyGuards } from './config/guards.js';
import { checkStartOptions } from './config/options.js';
import { buildResource } from './config/resource.js';
import type { GuardOptions, HistogramKind } from '@inferometer/core';
import type { EmfOptions } from './config/emf.js';
import type { OtlpOptions } from './config/otlp.js';
import type { RemoteWriteStartOptions } from './config/remote-write.js';
import { exportTiming, type TimingOptions } from './config/timing.js';
import type { ExporterSetup } from './exporters/exporter.js';
import { disabledMetricsHandler, NATIVE_HISTOGRAMS_VARIABLE } from './exporters/prometheus.js';
import { EXPORTER_FACTORIES } from './exporters/registry.js';
import type { MetricsRequestHandler, ScrapeLimits } from './prometheus/handler.js';
import type { MetricsServer } from './prometheus/server.js';
import { createCatalogProducer, createThreadCatalogProducer, type CatalogProducer } from './native/producer.js';
import { resolveRuntimeMetrics, startRuntimeMetrics } from './runtime-metrics/index.js';
import { INSTRUMENTATION_SCOPE } from '@inferometer/core/catalog';
import { resolveAggregation, type ClusterOptions, type ThreadsOptions } from './cluster/config.js';
import { Aggregator } from './cluster/aggregator.js';
import { ClusterPrimary } from './cluster/primary.js';
import { LocalReader } from './cluster/local-reader.js';
import { CLUSTER_SCOPE } from './cluster/names.js';
import { withHistograms } from './cluster/select.js';
import { answerMainThread, ThreadHub } from './cluster/threads.js';
import { answerPrimary, threadMetricsHandler, workerMetricsHandler } from './cluster/worker.js';

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
   * The limits (`collectTimeoutMillis`, `writeTimeoutMillis`,
   * `maxConcurrentScrapes`) bound what any client can make the process hold
   * or wait for; `gzip` and `openMetricsCreated` shape the response. See
   * {@link ScrapeLimits} and the README's "Pull endpoint" section.
   *
   * @example
   * ```ts
   * prometheus: { host: '127.0.0.1', port: 9464 }
   * prometheus: { server: false } // then app.get('/metrics', handle.metricsHandler)
   * prometheus: { webConfigFile: '/etc/inferometer/web-config.yml' }
   * prometheus: { collectTimeoutMillis: 5_000, writeTimeoutMillis: 30_000, maxConcurrentScrapes: 4, gzip: true, openMetricsCreated: false }
   * ```
   */
  prometheus?: { host?: string; port?: number; server?: boolean; webConfigFile?: string } & ScrapeLimits;

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

/**
 * Sets up OpenTelemetry metrics for Inferometer: a MeterProvider with the
 * exporters the environment asks for, registered globally so every
 * `@Instrument` / `instrument()` records into it. With no configuration it
 * serves the Prometheus pull endpoint on port 9464.
 *
 * Fails (rejects with a {@link ConfigurationError}) on a wrong value, naming
 * the variable or option and what is accepted, and when another global
 * MeterProvider is already registered: in that case do not call `start()`;
 * `@inferometer/core` records into that provider, and
 * {@link createPrometheusReader} serves it.
 *
 * @example
 * ```ts
 * import { start } from '@inferometer/node';
 *
 * const telemetry = await start({ serviceName: 'iris-server' });
 * console.log(`metrics at ${telemetry.metricsUrl}`);
 * process.on('SIGTERM', () => void telemetry.shutdown());
 * ```
 */
export async function start(options: StartOptions = {}): Promise<InferometerHandle> {
  // Typos in option names (plain JavaScript) fail before anything is read.
  checkStartOptions(options);
  const env = options.env ?? process.env;
  if (options.handleSignals !== undefined) checkBoolean(option('handleSignals'), options.handleSignals);
  const exporters = resolveExporters(env, options.exporters);
  applyGuards(env, options.guards);
  const runtimeMetricsOn = resolveRuntimeMetrics(env, options.runtimeMetrics);
  // Everything that can refuse the configuration runs before the producers
  // attach (attaching switches recording to the fast path for the process).
  const mode = resolveAggregation(env, options.cluster, options.threads);
  // What a member's catalog is read as: `both` when an exporter wants exponential histograms, so the merge has each kind.
  const memberHistograms: HistogramKind = exponentialHistograms(env, options, exporters) ? 'both' : 'explicit';
  const resource = buildResource(env, options.serviceName, { serviceInstanceId: options.serviceInstanceId, remoteWriteInstance: options.remoteWrite?.instance });
  // The catalog's fast path: while producers are attached, instrumented
  // calls aggregate natively and reach every reader through them.
  const producers: CatalogProducer[] = [];
  const produce = (temporality: 'cumulative' | 'delta', histograms: HistogramKind = 'explicit'): MetricProducer => {
    const created = createCatalogProducer(temporality, { histograms });
    producers.push(created);
    return created.producer;
  };
  // Aggregation (a cluster worker or primary, a worker thread, a main thread
  // gathering threads): this thread's points are read by a local reader; where
  // members are gathered, the exporters read the merge of its own and the
  // members' points through a provider of their own, so nothing is counted twice.
  const aggregating = mode.thread || mode.threads || mode.role !== 'off';
  // A worker thread's series reach the main thread through shared memory: its answers leave them out.
  const localCatalog = aggregating
    ? mode.thread
      ? createThreadCatalogProducer({ histograms: memberHistograms })
      : createCatalogProducer('cumulative', { histograms: memberHistograms })
    : undefined;
  if (localCatalog !== undefined) producers.push(localCatalog);
  const local = localCatalog === undefined ? undefined : new LocalReader([localCatalog.producer], { exponential: memberHistograms === 'both' });
  const localProvider = local === undefined ? undefined : new MeterProvider({ resource, readers: local.readers });
  if (localProvider !== undefined && local !== undefined && localCatalog !== undefined && mode.thread) {
    // Process metrics belong to the process: the main thread reports them once.
    const responder = answerMainThread({ reader: local, collectNow: () => localCatalog.collectNow(), scope: { name: INSTRUMENTATION_SCOPE } });
    // Signals reach the main thread, not a worker thread (https://nodejs.org/api/worker_threads.html#class-worker): its shutdown is the main thread's to run.
    return startMember(localProvider, { runtimeMetricsOn: false, handleSignals: false, closeProducers: closeProducersOf(producers), responder, handler: threadMetricsHandler });
  }
  const aggregator =
    localProvider === undefined || local === undefined
      ? undefined
      : new Aggregator({
          local,
          // A cluster worker asks its threads within three quarters of the timeout its primary gives it,
          // so a hung thread costs a thread miss, not the whole worker's answer.
          collectTimeoutMillis: mode.role === 'worker' ? Math.max(1, Math.floor(mode.collectTimeoutMillis * 0.75)) : mode.collectTimeoutMillis,
          meter: localProvider.getMeter(CLUSTER_SCOPE),
        });
  const threadHub = aggregator !== undefined && mode.threads ? new ThreadHub(aggregator) : undefined;
  if (localProvider !== undefined && aggregator !== undefined && localCatalog !== undefined && mode.role === 'worker') {
    // A cluster worker answers its primary with its own points and its threads' merged,
    // pushes what changed between collections, and sends its last points on its way out.
    const answering = answerPrimary({
      collect: () => aggregator.collect(),
      collectNow: () => aggregator.collectNow([{ scope: { name: INSTRUMENTATION_SCOPE }, metrics: localCatalog.collectNow() }]),
      pushIntervalMillis: mode.pushIntervalMillis,
      closeTimeoutMillis: mode.collectTimeoutMillis,
    });
    const responder = {
      async close(): Promise<void> {
        const written = answering.close();
        threadHub?.close();
        aggregator.close();
        await written;
      },
    };
    return startMember(localProvider, { runtimeMetricsOn, handleSignals: options.handleSignals === true, closeProducers: closeProducersOf(producers), responder, handler: workerMetricsHandler });
  }
  const clusterPrimary = aggregator !== undefined && mode.role === 'primary' ? new ClusterPrimary(aggregator) : undefined;
  const primary = aggregator;
  // Each exporter reads its histogram kind of the merge (read as `both`: see memberHistograms).
  const mergedAs = (producer: MetricProducer, histograms: HistogramKind): MetricProducer => (memberHistograms === 'explicit' ? producer : withHistograms(producer, histograms));
  let cumulative: MetricProducer | undefined;
  const context = {
    env,
    options,
    get metricProducers(): MetricProducer[] {
      // Cumulative collection is stateless, so one producer serves every reader.
      cumulative ??= primary === undefined ? produce('cumulative') : mergedAs(primary.producer('cumulative'), 'explicit');
      return [cumulative];
    },
    metricProducersFor(temporality: 'cumulative' | 'delta', histograms: HistogramKind = 'explicit'): MetricProducer[] {
      if (primary !== undefined) return [mergedAs(primary.producer(temporality), histograms)];
      if (histograms !== 'explicit') return [produce(temporality, histograms)];
      if (temporality === 'cumulative') return context.metricProducers;
      return [produce('delta')];
    },
  };
  const closeProducers = (): void => {
    clusterPrimary?.close();
    threadHub?.close();
    primary?.close();
    closeProducersOf(producers)();
  };
  const setups: ExporterSetup[] = [];
  try {
    for (const name of exporters) {
      const factory = EXPORTER_FACTORIES[name];
      if (factory !== undefined) setups.push(await factory(context));
    }
  } catch (err) {
    closeProducers();
    throw err;
  }
  // The exporters' provider; without cluster aggregation also the global one.
  let exportProvider: MeterProvider;
  try {
    exportProvider = new MeterProvider({ resource, readers: setups.map((setup) => setup.reader) });
  } catch (err) {
    closeProducers();
    throw err;
  }
  const meterProvider = localProvider ?? exportProvider;
  const shutdownProviders = async (): Promise<void> => {
    // The exporters first: their last export still reads the local provider.
    await exportProvider.shutdown();
    if (localProvider !== undefined) await localProvider.shutdown();
  };
  if (!metrics.setGlobalMeterProvider(meterProvider)) {
    closeProducers();
    await shutdownProviders();
    throw new ConfigurationError(
      '@inferometer/node start(): a global MeterProvider is already registered (by an OpenTelemetry setup elsewhere in the service). ' +
        "Skip start(): @inferometer/core records into that provider; add createPrometheusReader()'s reader to it to serve /metrics.",
      { accepted: 'start() only when no global MeterProvider is registered' },
    );
  }

  const runtime = runtimeMetricsOn ? startRuntimeMetrics(meterProvider) : undefined;
  const servers: MetricsServer[] = [];
  try {
    for (const setup of setups) if (setup.listen !== undefined) servers.push(await setup.listen());
  } catch (err) {
    metrics.disable();
    runtime?.close();
    closeProducers();
    await Promise.allSettled([shutdownProviders(), ...servers.map((server) => server.close())]);
    if (err instanceof ConfigurationError) throw err; // already names its fix (a pm2 instance's port: config/pm2.ts)
    const source: ConfigurationSource =
      options.prometheus?.port !== undefined ? option('prometheus.port') : env.OTEL_EXPORTER_PROMETHEUS_PORT?.trim() ? variable('OTEL_EXPORTER_PROMETHEUS_PORT') : option('prometheus.port');
    throw new ConfigurationError(
      `@inferometer/node start(): cannot serve metrics (OTEL_EXPORTER_PROMETHEUS_HOST / _PORT, prometheus.host / .port): ${err instanceof Error ? err.message : String(err)}`,
      { ...source, accepted: 'a free port (0 picks one) on an address of this host', related: ['OTEL_EXPORTER_PROMETHEUS_HOST', 'prometheus.host'], cause: err },
    );
  }

  let stopped: Promise<void> | undefined;
  let removeSignals: (() => void) | undefined;
  let removeBeforeExit: (() => void) | undefined;
  const shutdown = (): Promise<void> => {
    stopped ??= (async () => {
      removeSignals?.();
      removeBeforeExit?.();
      metrics.disable();
      // Flush first (the last export reads the producers), then detach them.
      const results = await Promise.allSettled([shutdownProviders(), ...servers.map((server) => server.close())]);
      closeProducers();
      runtime?.close();
      for (const result of results) {
        if (result.status === 'rejected') diag.error('@inferometer/node: shutdown failed', result.reason);
      }
    })();
    return stopped;
  };
  if (options.handleSignals === true) removeSignals = onSignals(shutdown);
  // A push exporter's periodic timer does not keep the process alive: a
  // process that ends on its own (a batch job) would end before its next export.
  if (exporters.some((name) => PUSH_EXPORTERS.has(name))) {
    const { timeout } = exportTiming(env, options);
    removeBeforeExit = onBeforeExit(() => exportProvider.forceFlush({ timeoutMillis: timeout }), timeout);
  }

  return {
    meterProvider,
    exporters,
    metricsUrl: servers[0]?.url,
    metricsHandler: setups.find((setup) => setup.metricsHandler !== undefined)?.metricsHandler ?? disabledMetricsHandler(exporters),
    forceFlush: () => exportProvider.forceFlush(),
    shutdown,
  };
}

/**
 * Whether an exporter wants base-2 exponential histograms (OTLP's
 * `histogramAggregation`, the New Relic preset; the pull endpoint's native
 * histograms): then a member's catalog is read as both kinds, which the
 * cluster and thread merge adds alike (cluster/merge.ts). A member decides
 * from its own configuration, so workers and threads need the same one as
 * their primary or main thread (cluster.fork and worker threads inherit
 * the environment).
 */
function exponentialHistograms(env: Environment, options: StartOptions, exporters: readonly MetricsExporterName[]): boolean {
  if (exporters.includes('prometheus') && readString(env, NATIVE_HISTOGRAMS_VARIABLE)?.toLowerCase() === 'true') return true;
  return exporters.includes('otlp') && resolveOtlpConfig(env, options.otlp).histogramAggregation === 'base2_exponential_bucket_histogram';
}

function closeProducersOf(producers: CatalogProducer[]): () => void {
  return () => {
    for (const created of producers.splice(0)) created.close();
  };
}

/** How a member (a cluster worker, a worker thread) runs. */
interface MemberSetup {
  readonly runtimeMetricsOn: boolean;
  readonly handleSignals: boolean;
  readonly closeProducers: () => void;
  /** Answers its aggregator until closed; a promise: closed once its last points are written (bounded). */
  readonly responder: { close(): void | Promise<void> };
  readonly handler: MetricsRequestHandler;
}

/**
 * `start()` in a member (a `node:cluster` worker, a worker thread): the
 * global MeterProvider with a local reader, no exporter and no port; the
 * aggregator collects through IPC or the thread's MessagePort.
 */
async function startMember(meterProvider: MeterProvider, setup: MemberSetup): Promise<InferometerHandle> {
  const { responder, closeProducers } = setup;
  if (!metrics.setGlobalMeterProvider(meterProvider)) {
    await responder.close();
    closeProducers();
    await meterProvider.shutdown();
    throw new ConfigurationError(
      '@inferometer/node start(): a global MeterProvider is already registered (by an OpenTelemetry setup elsewhere in the service). ' +
        "Skip start(): @inferometer/core records into that provider; add createPrometheusReader()'s reader to it to serve /metrics.",
      { accepted: 'start() only when no global MeterProvider is registered' },
    );
  }
  const runtime = setup.runtimeMetricsOn ? startRuntimeMetrics(meterProvider) : undefined;
  let stopped: Promise<void> | undefined;
  let removeSignals: (() => void) | undefined;
  const shutdown = (): Promise<void> => {
    stopped ??= (async () => {
      removeSignals?.();
      metrics.disable();
      // Before the producers detach: a thread's or worker's goodbye carries its last points.
      try {
        await responder.close();
      } catch (err) {
        diag.error('@inferometer/node: shutdown failed', err);
      }
      try {
        await meterProvider.shutdown();
      } catch (err) {
        diag.error('@inferometer/node: shutdown failed', err);
      }
      closeProducers();
      runtime?.close();
    })();
    return stopped;
  };
  if (setup.handleSignals) removeSignals = onSignals(shutdown);
  return {
    meterProvider,
    exporters: [],
    metricsUrl: undefined,
    metricsHandler: setup.handler,
    // The aggregator reads this member at its own collections: nothing to push from here.
    forceFlush: () => Promise.resolve(),
    shutdown,
  };
}

/** The exporters that push on a timer (the others are pulled, or do nothing). */
const PUSH_EXPORTERS: ReadonlySet<MetricsExporterName> = new Set(['otlp', 'prometheusremotewrite', 'console']);

/**
 * When the event loop empties ('beforeExit': the process is about to end on
 * its own, https://nodejs.org/api/process.html#event-beforeexit), exports
 * once more, holding the process at most `boundMillis`; then the process
 * ends as it would have (same exit code). The export itself empties the
 * loop again and fires 'beforeExit' once more: that one is let pass, or the
 * process would export forever. A later 'beforeExit' (another listener
 * scheduled work after) exports again. Not on `process.exit()` or a signal:
 * no callback runs then.
 */
function onBeforeExit(flush: () => Promise<void>, boundMillis: number): () => void {
  let state: 'armed' | 'flushing' | 'flushed' = 'armed';
  const handler = (): void => {
    if (state === 'flushing') return;
    if (state === 'flushed') {
      // The wake-up of our own export: let the process end.
      state = 'armed';
      return;
    }
    state = 'flushing';
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(hold);
      state = 'flushed';
    };
    // Referenced on purpose: the export's own timers may be unreferenced, and
    // the process must stay for it, at most the bound.
    const hold = setTimeout(finish, boundMillis);
    flush()
      .catch((err: unknown) => diag.error('@inferometer/node: the export at the end of the process failed', err))
      .finally(finish);
  };
  process.on('beforeExit', handler);
  return () => process.off('beforeExit', handler);
}

/** SIGTERM / SIGINT: flush, then re-raise so the process ends as it would have. */
function onSignals(shutdown: () => Promise<void>): () => void {
  const handlers = new Map<NodeJS.Signals, () => void>();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const handler = (): void => {
      // Re-raise only when nobody else listens: another listener owns the
      // exit, and re-raising would run it a second time.
      void shutdown().finally(() => {
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      });
    };
    handlers.set(signal, handler);
    process.once(signal, handler);
  }
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}
