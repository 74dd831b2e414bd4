import type { MetricProducer, MetricReader } from '@opentelemetry/sdk-metrics';
import type { HistogramKind } from '@inferometer/core';
import type { Environment } from '../config/env.js';
import type { MetricsRequestHandler } from '../prometheus/handler.js';
import type { MetricsServer } from '../prometheus/server.js';
import type { StartOptions } from '../start/options.js';

/** What an exporter factory is given. */
export interface ExporterContext {
  readonly env: Environment;
  readonly options: StartOptions;
  /**
   * Producers of data aggregated outside the SDK (Inferometer's own
   * recorder), cumulative: every reader must be given them (or those of
   * {@link ExporterContext.metricProducersFor}), so each exporter sees the
   * same data.
   */
  readonly metricProducers: MetricProducer[];
  /**
   * Producers in a given temporality. Producers are not told the reader's
   * temporality, so a reader that exports delta (Datadog, New Relic) asks for
   * its own delta producers here; cumulative ones are shared. A reader that
   * exports exponential histograms (OTLP with base-2 aggregation) names the
   * kind and gets producers of its own.
   */
  metricProducersFor(temporality: 'cumulative' | 'delta', histograms?: HistogramKind): MetricProducer[];
}

/** One exporter, set up: its reader, and what it serves or starts. */
export interface ExporterSetup {
  readonly reader: MetricReader;
  /** For pull exporters: the request handler that serves the reader. */
  readonly metricsHandler?: MetricsRequestHandler;
  /** Started once the MeterProvider is registered; closed on shutdown. */
  readonly listen?: () => Promise<MetricsServer>;
}

/**
 * Builds one exporter from options and environment. Throws (or rejects with)
 * a `ConfigurationError` naming the variable or option on bad configuration.
 * May be async: an exporter that loads an optional peer dependency (the
 * cloudwatch OTLP preset's AWS signer) does so with `import()`.
 */
export type ExporterFactory = (context: ExporterContext) => ExporterSetup | Promise<ExporterSetup>;
