/**
 * What the two exporting modes share (a cluster primary or a main thread
 * gathering threads, and a standalone process): the exporters, their
 * MeterProvider, the pull endpoint's servers, and the handle. The modes
 * differ only in where the exporters' producers read from.
 */
import { metrics } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { ConfigurationError, option, variable, type ConfigurationSource } from '../config/env.js';
import type { MetricsExporterName } from '../config/exporters.js';
import { exportTiming } from '../config/timing.js';
import type { ExporterContext, ExporterSetup } from '../exporters/exporter.js';
import { disabledMetricsHandler } from '../exporters/prometheus.js';
import { EXPORTER_FACTORIES } from '../exporters/registry.js';
import type { MetricsServer } from '../prometheus/server.js';
import { startRuntimeMetrics } from '../runtime-metrics/index.js';
import { registerGlobal, shutdownPath } from './lifecycle.js';
import type { InferometerHandle } from './options.js';
import type { StartSetup } from './setup.js';

/** Where the exporters' producers read from: the catalog itself, or the merge of a process and its members. */
export type ProducerSource = Pick<ExporterContext, 'metricProducers' | 'metricProducersFor'>;

export interface ExportingSetup {
  /** The provider the service records into when it is not the exporters' own (aggregating modes). */
  readonly localProvider?: MeterProvider;
  /** Detaches the producers (and whatever gathers members). */
  readonly closeProducers: () => void;
}

/** The exporters that push on a timer (the others are pulled, or do nothing). */
const PUSH_EXPORTERS: ReadonlySet<MetricsExporterName> = new Set(['otlp', 'prometheusremotewrite', 'awsemf', 'console']);

export async function startExporting(setup: StartSetup, source: ProducerSource, { localProvider, closeProducers }: ExportingSetup): Promise<InferometerHandle> {
  const { env, options, exporters, resource } = setup;
  const context: ExporterContext = {
    env,
    options,
    // Read when a factory asks: a producer attaches when created.
    get metricProducers() {
      return source.metricProducers;
    },
    metricProducersFor: (temporality, histograms) => source.metricProducersFor(temporality, histograms),
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
  // The exporters' provider; without aggregation also the global one.
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
  await registerGlobal(meterProvider, async () => {
    closeProducers();
    await shutdownProviders();
  });

  const runtime = setup.runtimeMetricsOn ? startRuntimeMetrics(meterProvider) : undefined;
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

  // A push exporter's periodic timer does not keep the process alive: a
  // process that ends on its own (a batch job) would end before its next export.
  let beforeExit: { flush: () => Promise<void>; boundMillis: number } | undefined;
  if (exporters.some((name) => PUSH_EXPORTERS.has(name))) {
    const { timeout } = exportTiming(env, options);
    beforeExit = { flush: () => exportProvider.forceFlush({ timeoutMillis: timeout }), boundMillis: timeout };
  }
  const shutdown = shutdownPath(
    {
      // Flush first (the last export reads the producers), then detach them.
      close: [[shutdownProviders, ...servers.map((server) => () => server.close())]],
      detach: () => {
        closeProducers();
        runtime?.close();
      },
    },
    { handleSignals: setup.handleSignals, beforeExit },
  );

  return {
    meterProvider,
    exporters,
    metricsUrl: servers[0]?.url,
    healthPageUrl: servers[0]?.pageUrl,
    metricsHandler: setups.find((setup) => setup.metricsHandler !== undefined)?.metricsHandler ?? disabledMetricsHandler(exporters),
    forceFlush: () => exportProvider.forceFlush(),
    shutdown,
  };
}
