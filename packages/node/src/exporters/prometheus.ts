import { checkInteger, readInteger, readString } from '../config/env.js';
import { createPrometheusReader } from '../prometheus/handler.js';
import { startMetricsServer } from '../prometheus/server.js';
import type { ExporterFactory } from './exporter.js';

/** Default port of the pull endpoint, the OpenTelemetry default for `OTEL_EXPORTER_PROMETHEUS_PORT`. */
export const DEFAULT_PROMETHEUS_PORT = 9464;

/** `prometheus`: the pull endpoint, on its own port unless `prometheus.server` is false. */
export const prometheusExporter: ExporterFactory = ({ env, options, metricProducers }) => {
  const { reader, handler } = createPrometheusReader({ metricProducers });
  if (options.prometheus?.server === false) return { reader, metricsHandler: handler };
  const port =
    options.prometheus?.port !== undefined
      ? checkInteger('start({ prometheus: { port } })', options.prometheus.port, 0, 65535)
      : (readInteger(env, 'OTEL_EXPORTER_PROMETHEUS_PORT', 0, 65535) ?? DEFAULT_PROMETHEUS_PORT);
  const host = options.prometheus?.host ?? readString(env, 'OTEL_EXPORTER_PROMETHEUS_HOST');
  return { reader, metricsHandler: handler, listen: () => startMetricsServer(handler, host, port) };
};
