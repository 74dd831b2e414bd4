import type { MetricsExporterName } from '../config/exporters.js';
import { consoleExporter } from './console.js';
import { emfExporter } from './emf.js';
import type { ExporterFactory } from './exporter.js';
import { otlpExporter } from './otlp.js';
import { prometheusExporter } from './prometheus.js';
import { remoteWriteExporter } from './remote-write.js';

/**
 * One factory per name accepted in `OTEL_METRICS_EXPORTER`; `none` has none.
 * Adding an exporter: its name in `METRICS_EXPORTERS`, its factory here.
 */
export const EXPORTER_FACTORIES: Readonly<Record<MetricsExporterName, ExporterFactory | undefined>> = {
  prometheus: prometheusExporter,
  console: consoleExporter,
  none: undefined,
  otlp: otlpExporter,
  prometheusremotewrite: remoteWriteExporter,
  awsemf: emfExporter,
};
