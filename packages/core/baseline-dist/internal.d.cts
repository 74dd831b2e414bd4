/**
 * Prometheus names for OpenTelemetry metric and attribute names, shared by
 * every path that writes Prometheus series (the pull endpoint's serializer,
 * the remote write exporter), so the same data gets the same names
 * everywhere. They follow `@opentelemetry/exporter-prometheus` (the
 * reference the pull endpoint is tested against): invalid characters become
 * `_`, runs of `_` collapse, monotonic sums end in `_total`, no unit suffix
 * is added (the catalog's names carry their unit already). Where that
 * exporter would write something Prometheus refuses (a name starting with a
 * digit), a `_` is put in front, as the OTLP -> Prometheus compatibility
 * specification does (specification/compatibility/prometheus_and_openmetrics.md).
 */
/**
 * The series name of a metric; `monotonicSum` adds `_total`. `undefined`
 * when nothing usable is left (exporter-prometheus skips such a metric too).
 *
 * @example
 * ```ts
 * prometheusMetricName('ml_predictions', true); // 'ml_predictions_total'
 * prometheusMetricName('http.server.duration', false); // 'http_server_duration'
 * ```
 */
declare function prometheusMetricName(name: string, monotonicSum: boolean): string | undefined;
/**
 * A label name from an attribute key.
 *
 * @example
 * ```ts
 * prometheusLabelName('http.route'); // 'http_route'
 * ```
 */
declare function prometheusLabelName(key: string): string;
/**
 * A label value from an attribute value: strings as they are, anything else
 * JSON-encoded (as exporter-prometheus renders arrays, numbers and booleans),
 * `undefined` as empty.
 *
 * @example
 * ```ts
 * prometheusLabelValue(3); // '3'
 * ```
 */
declare function prometheusLabelValue(value: unknown): string;
/**
 * The `le` label of a histogram bucket: the bound as JavaScript prints it,
 * `+Inf` for the last bucket.
 *
 * @example
 * ```ts
 * prometheusBucketBound(0.25); // '0.25'
 * prometheusBucketBound(undefined); // '+Inf'
 * ```
 */
declare function prometheusBucketBound(bound: number | undefined): string;

export { prometheusBucketBound, prometheusLabelName, prometheusLabelValue, prometheusMetricName };
