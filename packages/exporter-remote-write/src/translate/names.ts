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
import { DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';

const INVALID_CHARACTERS = /[^a-z0-9_]/gi;
const MULTIPLE_UNDERSCORES = /_{2,}/g;

/** Same as the serializer's `escapeString`, applied to metric names before sanitizing. */
function escapeString(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** Invalid characters become `_`, runs of `_` collapse to one (exporter-prometheus's `sanitizePrometheusMetricName`). */
export function sanitize(name: string): string {
  return name.replace(INVALID_CHARACTERS, '_').replace(MULTIPLE_UNDERSCORES, '_');
}

/**
 * The Prometheus name of a metric as the pull endpoint shows it: sanitized,
 * `_` before a leading digit, `_total` on monotonic sums. No unit suffix is
 * added: the pull exporter adds none (the catalog's names carry their unit
 * already, e.g. `ml_prediction_latency_seconds`). `undefined` when the name
 * sanitizes to nothing usable (the serializer skips such a metric too).
 */
export function prometheusMetricName(metric: MetricData): string | undefined {
  let name = sanitize(escapeString(metric.descriptor.name));
  if (name === '' || name === '_') return undefined;
  const first = name.charCodeAt(0);
  if (first >= 0x30 && first <= 0x39) name = `_${name}`;
  if (metric.dataPointType === DataPointType.SUM && metric.isMonotonic && !name.endsWith('_total')) name += '_total';
  return name;
}

/**
 * A label name from an attribute key: sanitized as the serializer does, with
 * `_` before a leading digit (a label name may not start with one; the
 * serializer would emit an invalid exposition there, Prometheus would refuse
 * the whole write request).
 */
export function prometheusLabelName(key: string): string {
  const name = sanitize(key);
  const first = name.charCodeAt(0);
  return first >= 0x30 && first <= 0x39 ? `_${name}` : name;
}

/**
 * A label value from an attribute value, as the serializer renders it:
 * strings as they are, anything else JSON-encoded, `undefined` as empty.
 */
export function prometheusLabelValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  return JSON.stringify(value);
}

/** The `le` label of a bucket: `String(bound)`, `+Inf` for the last (as the serializer writes it). */
export function bucketBound(bound: number | undefined): string {
  return bound === undefined || bound === Infinity ? '+Inf' : String(bound);
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
