import { RemoteWriteExporter } from '@inferometer/exporter-remote-write';
import { PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { ConfigurationError } from '../config/env.js';
import { REMOTE_WRITE_VARIABLES, resolveRemoteWriteOptions } from '../config/remote-write.js';
import { exportTiming } from '../config/timing.js';
import type { ExporterFactory } from './exporter.js';

/**
 * `prometheusremotewrite`: periodic push of cumulative series to a remote
 * write 1.0 receiver (Prometheus, Mimir, Thanos receive, Cortex,
 * VictoriaMetrics). `export()` only queues, so the export timeout never cuts
 * a delivery short; the exporter retries on its own until its queue bounds.
 */
export const remoteWriteExporter: ExporterFactory = ({ env, options, metricProducers }) => {
  const resolved = resolveRemoteWriteOptions(env, options.remoteWrite);
  const { interval, timeout } = exportTiming(env, options);
  let exporter: RemoteWriteExporter;
  try {
    exporter = new RemoteWriteExporter(resolved);
  } catch (err) {
    // What is left to refuse here comes from the headers or an option combination.
    throw new ConfigurationError(
      `${REMOTE_WRITE_VARIABLES.headers} / start({ remoteWrite }): ${err instanceof Error ? err.message.replace(/^RemoteWriteExporter: /, '') : String(err)}`,
    );
  }
  return {
    reader: new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: interval, exportTimeoutMillis: timeout, metricProducers }),
  };
};
