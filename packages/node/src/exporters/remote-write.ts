import type { RemoteWriteExporter } from '@inferometer/exporter-remote-write';
import { PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { invalid, option } from '../config/env.js';
import { resolveRemoteWrite } from '../config/remote-write.js';
import { exportTiming } from '../config/timing.js';
import type { ExporterFactory } from './exporter.js';

/**
 * `prometheusremotewrite`: periodic push of cumulative series to a remote
 * write 1.0 receiver (Prometheus, Mimir, Thanos receive, Cortex,
 * VictoriaMetrics). `export()` only queues, so the export timeout never cuts
 * a delivery short; the exporter retries on its own until its queue bounds.
 */
export const remoteWriteExporter: ExporterFactory = async ({ env, options, metricProducers }) => {
  const { options: resolved, sources } = resolveRemoteWrite(env, options.remoteWrite);
  const { interval, timeout } = exportTiming(env, options);
  // Loaded when chosen, not at the top (a top-level require of the CommonJS build in every process).
  const { RemoteWriteExporter, RemoteWriteOptionsError } = await import('@inferometer/exporter-remote-write');
  let exporter: RemoteWriteExporter;
  try {
    exporter = new RemoteWriteExporter(resolved);
  } catch (err) {
    // What the exporter still refuses (a header that would replace its own):
    // blame where that value came from, read from the error's fields.
    if (!(err instanceof RemoteWriteOptionsError)) throw err;
    const source = sources.get(err.option) ?? option(`remoteWrite.${err.option}`);
    throw invalid(source, undefined, err.problem, err.accepted, { cause: err });
  }
  return {
    reader: new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: interval, exportTimeoutMillis: timeout, metricProducers }),
  };
};
