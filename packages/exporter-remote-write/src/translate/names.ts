/**
 * Prometheus names for OpenTelemetry metrics and attributes, computed exactly
 * as `@opentelemetry/exporter-prometheus`'s `PrometheusSerializer` computes
 * them for the pull endpoint (issue 4: "series names identical to what the
 * pull endpoint shows"). Where the serializer would emit something Prometheus
 * refuses (a label name starting with a digit, two attributes sanitized to the
 * same label), remote write must still send a valid request, so those cases
 * follow the OTLP -> Prometheus compatibility specification instead
 * (specification/compatibility/prometheus_and_openmetrics.md).
 */
import { prometheusBucketBound, prometheusLabelName, prometheusLabelValue, prometheusMetricName as nameOf } from '@inferometer/core';
import { DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';

// One set of naming rules for every path that writes Prometheus series:
// they live in @inferometer/core, beside the catalog.
export { prometheusLabelName, prometheusLabelValue };
export const bucketBound = prometheusBucketBound;

/** The Prometheus name of a metric as the pull endpoint shows it; `undefined` when nothing usable is left. */
export function prometheusMetricName(metric: MetricData): string | undefined {
  return nameOf(metric.descriptor.name, metric.dataPointType === DataPointType.SUM && metric.isMonotonic);
}

/** Prometheus metric type of a metric, as in the pull endpoint's `# TYPE` line. */
export type PrometheusType = 'counter' | 'gauge' | 'histogram';

/** `counter` for monotonic sums, `gauge` for other sums and gauges, `histogram`; `undefined` for what 1.0 cannot carry. */
export function prometheusType(metric: MetricData): PrometheusType | undefined {
  switch (metric.dataPointType) {
    case DataPointType.SUM:
      return metric.isMonotonic ? 'counter' : 'gauge';
    case DataPointType.GAUGE:
      return 'gauge';
    case DataPointType.HISTOGRAM:
      return 'histogram';
    default:
      // Exponential histograms need native histograms (remote write 2.0);
      // the pull endpoint cannot show them either.
      return undefined;
  }
}
