import { diag } from '@opentelemetry/api';
import { checkChoice, invalid, option, readList, type Environment } from './env.js';

/**
 * Exporter names `start()` accepts, in `OTEL_METRICS_EXPORTER` or the
 * `exporters` option: the specification's (`otlp`, `prometheus`, `console`,
 * `none`), and the OpenTelemetry Collector's component names for the others
 * (`prometheusremotewrite`, `awsemf` for CloudWatch Embedded Metric Format).
 */
export const METRICS_EXPORTERS = ['prometheus', 'console', 'none', 'otlp', 'prometheusremotewrite', 'awsemf'] as const;
/** One of {@link METRICS_EXPORTERS}. */
export type MetricsExporterName = (typeof METRICS_EXPORTERS)[number];

/**
 * Which exporters to run. The OpenTelemetry specification's default is
 * `otlp`; this SDK's default is `prometheus`, so that a plain `start()` serves
 * metrics with no other service running. `none` alongside other names is
 * ignored with a warning, as the specification says for `none` in a list.
 */
export function resolveExporters(env: Environment, given: readonly string[] | undefined): MetricsExporterName[] {
  let names: MetricsExporterName[];
  if (given !== undefined) {
    if (!Array.isArray(given)) throw invalid(option('exporters'), String(given), 'is not an array', `an array of ${METRICS_EXPORTERS.join(', ')}`);
    given.forEach((name: unknown, index) => checkChoice(option(`exporters[${index}]`), name, METRICS_EXPORTERS));
    names = [...new Set(given)] as MetricsExporterName[];
  } else {
    names = readList(env, 'OTEL_METRICS_EXPORTER', METRICS_EXPORTERS) ?? ['prometheus'];
  }
  if (names.includes('none') && names.length > 1) {
    diag.warn(`@inferometer/node: OTEL_METRICS_EXPORTER lists "none" with other exporters; "none" is ignored`);
    names = names.filter((name) => name !== 'none');
  }
  return names;
}
