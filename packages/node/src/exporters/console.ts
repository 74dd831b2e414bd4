import { ConsoleMetricExporter, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { exportTiming } from '../config/timing.js';
import type { ExporterFactory } from './exporter.js';

/** `console`: periodic push to stdout, for debugging. */
export const consoleExporter: ExporterFactory = ({ env, options, metricProducers }) => {
  const { interval, timeout } = exportTiming(env, options);
  return {
    reader: new PeriodicExportingMetricReader({
      exporter: new ConsoleMetricExporter(),
      exportIntervalMillis: interval,
      exportTimeoutMillis: timeout,
      metricProducers,
    }),
  };
};
