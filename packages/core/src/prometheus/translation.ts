/**
 * The OpenTelemetry -> Prometheus translation every path that writes
 * Prometheus series shares (the pull endpoint's text serializer, the remote
 * write encoder), so one data point gets the same family name, type and
 * label set on both: the metric type mapping, label names from attribute
 * keys, the joining of attributes that sanitize to one label name, and the
 * renaming of user attributes that would take a label Prometheus reserves.
 *
 * Core depends on `@opentelemetry/api` only, so the SDK's `MetricData` is
 * read through the few fields below ({@link MetricDataLike}); the values of
 * {@link DATA_POINT_TYPE} are those of sdk-metrics' `DataPointType` enum (a
 * test compares them).
 *
 * References:
 * - OTLP -> Prometheus: https://github.com/open-telemetry/opentelemetry-specification/blob/main/specification/compatibility/prometheus_and_openmetrics.md
 * - Exposition format: https://prometheus.io/docs/instrumenting/exposition_formats/
 */
import type { Attributes } from '@opentelemetry/api';
import type { EscapingScheme } from './escape.js';
import { prometheusLabelName, prometheusLabelValue, prometheusMetricName } from './names.js';

/** sdk-metrics' `DataPointType` values (a numeric enum, stable across the 1.x-3.x lines). */
export const DATA_POINT_TYPE = { HISTOGRAM: 0, EXPONENTIAL_HISTOGRAM: 1, GAUGE: 2, SUM: 3 } as const;

/** What the translation reads of an sdk-metrics `MetricData`. */
export interface MetricDataLike {
  readonly descriptor: { readonly name: string };
  readonly dataPointType: number;
  readonly isMonotonic?: boolean;
}

/** A Prometheus metric type, as in a `# TYPE` line or remote write metadata. */
export type PrometheusType = 'counter' | 'gauge' | 'histogram' | 'summary';

/**
 * `counter` for monotonic sums, `gauge` for other sums and gauges,
 * `histogram` for explicit-bucket histograms. Exponential histograms are
 * `histogram` only where the wire carries native histograms (`native`: the
 * protobuf exposition, remote write 1.0's `Histogram`), `undefined` otherwise
 * (the text formats have no native histogram).
 *
 * @example
 * ```ts
 * prometheusType(metricData); // 'counter'
 * prometheusType(exponentialHistogram, true); // 'histogram'
 * ```
 */
export function prometheusType(metric: MetricDataLike, native = false): PrometheusType | undefined {
  switch (metric.dataPointType) {
    case DATA_POINT_TYPE.SUM:
      return metric.isMonotonic === true ? 'counter' : 'gauge';
    case DATA_POINT_TYPE.GAUGE:
      return 'gauge';
    case DATA_POINT_TYPE.HISTOGRAM:
      return 'histogram';
    case DATA_POINT_TYPE.EXPONENTIAL_HISTOGRAM:
      return native ? 'histogram' : undefined;
    default:
      return undefined;
  }
}

const MAX_CACHED_NAMES = 10_000;
const familyNames = new Map<string, string | undefined>();

/**
 * The family name of a metric (`_total` on monotonic sums); `undefined` when
 * nothing usable is left. Cached: the same few names come every export.
 *
 * @example
 * ```ts
 * prometheusFamilyName(metricData); // 'ml_predictions_total'
 * prometheusFamilyName(metricData, 'allow-utf-8'); // 'http.server.requests_total'
 * ```
 */
export function prometheusFamilyName(metric: MetricDataLike, escaping?: EscapingScheme): string | undefined {
  const counter = metric.dataPointType === DATA_POINT_TYPE.SUM && metric.isMonotonic === true;
  const raw = metric.descriptor.name;
  const scheme = escaping === 'underscores' ? undefined : escaping;
  const key = `${counter ? `${raw}\u0000c` : raw}${scheme === undefined ? '' : `\u0000${scheme}`}`;
  const cached = familyNames.get(key);
  if (cached !== undefined || familyNames.has(key)) return cached;
  const name = prometheusMetricName(raw, counter, scheme);
  if (familyNames.size >= MAX_CACHED_NAMES) familyNames.clear();
  familyNames.set(key, name);
  return name;
}

/** What a user attribute that takes a reserved label name is renamed to: `exported_` + the name. */
export const EXPORTED_LABEL_PREFIX = 'exported_' as const;

const NONE: readonly string[] = [];
const HISTOGRAM_RESERVED: readonly string[] = ['le'];
const SUMMARY_RESERVED: readonly string[] = ['quantile'];

/**
 * Labels a series gets from its target where no scrape adds them (remote
 * write): `job` and `instance`. A user attribute of either name is renamed
 * as a scrape with `honor_labels: false` renames exposed labels that clash
 * with target labels.
 */
export const TARGET_LABELS: readonly string[] = ['job', 'instance'];
const TARGET_RESERVED: Readonly<Record<PrometheusType, readonly string[]>> = {
  counter: [...NONE, ...TARGET_LABELS],
  gauge: [...NONE, ...TARGET_LABELS],
  histogram: [...HISTOGRAM_RESERVED, ...TARGET_LABELS],
  summary: [...SUMMARY_RESERVED, ...TARGET_LABELS],
};

/**
 * Label names the exposition itself writes on a type's samples (`le` on
 * histogram buckets, `quantile` on summary quantiles), plus, with
 * `targetLabels` (a path no scrape passes through: remote write),
 * {@link TARGET_LABELS}. A user attribute of that name would repeat the
 * label on a bucket line, and Prometheus refuses the whole scrape; it is
 * renamed with {@link EXPORTED_LABEL_PREFIX}, as a scrape with
 * `honor_labels: false` renames exposed labels that clash with target labels
 * (https://prometheus.io/docs/prometheus/latest/configuration/configuration/#scrape_config).
 * The same array is returned for the same arguments (callers key caches on it).
 *
 * @example
 * ```ts
 * reservedLabels('histogram'); // ['le']
 * reservedLabels('histogram', true); // ['le', 'job', 'instance']
 * ```
 */
export function reservedLabels(type: PrometheusType, targetLabels = false): readonly string[] {
  if (targetLabels) return TARGET_RESERVED[type];
  return type === 'histogram' ? HISTOGRAM_RESERVED : type === 'summary' ? SUMMARY_RESERVED : NONE;
}

/** One label of a series, its value not yet escaped for any format. */
export interface PrometheusLabel {
  name: string;
  value: string;
}

const labelNames = new Map<string, string>();
/** Per escaping scheme other than `underscores` (the default's translation). */
const escapedLabelNames = new Map<EscapingScheme, Map<string, string>>();

/** {@link prometheusLabelName}, cached (attribute keys are few, but the cache is capped all the same). */
function labelNameOf(key: string, escaping: EscapingScheme | undefined): string {
  let names = labelNames;
  if (escaping !== undefined && escaping !== 'underscores') {
    let perScheme = escapedLabelNames.get(escaping);
    if (perScheme === undefined) escapedLabelNames.set(escaping, (perScheme = new Map()));
    names = perScheme;
  }
  let name = names.get(key);
  if (name === undefined) {
    name = prometheusLabelName(key, escaping);
    if (names.size >= MAX_CACHED_NAMES) names.clear();
    names.set(key, name);
  }
  return name;
}

interface Entry {
  name: string;
  value: string;
  key: string;
}

function compareEntries(a: Entry, b: Entry): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/**
 * The labels of one data point, sorted by name:
 * - names from attribute keys ({@link prometheusLabelName}), values from
 *   attribute values ({@link prometheusLabelValue});
 * - attributes with no value, an empty value (Prometheus reads an empty
 *   label as no label) or a key that sanitizes to nothing are left out;
 * - a name in `reserved`, or beginning with `__` (reserved by Prometheus;
 *   only an escaping scheme leaves one), gets {@link EXPORTED_LABEL_PREFIX};
 * - attributes that end up with one name (`service.name` and
 *   `service_name`) become one label, their values joined with `;` in the
 *   order of their keys, as the OTLP -> Prometheus compatibility
 *   specification says; a repeated label would make Prometheus refuse the
 *   scrape.
 *
 * `escaping` is the scheme a scraper negotiated ({@link prometheusLabelName});
 * under `allow-utf-8`, `service.name` and `service_name` stay two labels.
 *
 * Runs once per series on the pull path (its label bytes are cached) and once
 * per data point on the remote write path.
 *
 * @example
 * ```ts
 * prometheusLabels({ 'a.b': 'x', a_b: 'y', le: '1' }, reservedLabels('histogram'));
 * // [{ name: 'a_b', value: 'x;y' }, { name: 'exported_le', value: '1' }]
 * ```
 */
export function prometheusLabels(attributes: Attributes, reserved: readonly string[] = NONE, escaping?: EscapingScheme): PrometheusLabel[] {
  const entries: Entry[] = [];
  for (const key in attributes) {
    const raw = attributes[key];
    if (raw === undefined) continue;
    const value = prometheusLabelValue(raw);
    if (value === '') continue;
    let name = labelNameOf(key, escaping);
    if (name === '') continue;
    if (reserved.length > 0 && reserved.includes(name)) name = EXPORTED_LABEL_PREFIX + name;
    // Names beginning with `__` are Prometheus' own (`__name__` is refused in
    // a scrape: https://prometheus.io/docs/concepts/data_model/#metric-names-and-labels).
    // The default translation collapses them to one `_`; under an escaping
    // scheme the key is renamed before it is escaped, so `values` undone
    // gives allow-utf-8's name (and `dots`, whose `_.x` is `___dot_x`, is
    // caught by the escaped name).
    else if (name.startsWith('__') || (key.startsWith('__') && escaping !== undefined && escaping !== 'underscores')) name = labelNameOf(EXPORTED_LABEL_PREFIX + key, escaping);
    entries.push({ name, value, key });
  }
  entries.sort(compareEntries);
  const labels: PrometheusLabel[] = [];
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    let value = entry.value;
    while (i + 1 < entries.length && entries[i + 1]!.name === entry.name) value += `;${entries[++i]!.value}`;
    labels.push({ name: entry.name, value });
  }
  return labels;
}

/**
 * Label characters an exemplar may carry, names and values together: the
 * OpenMetrics limit (https://github.com/prometheus/OpenMetrics/blob/v1.0.0/specification/OpenMetrics.md#exemplars),
 * which Prometheus enforces on remote-written exemplars too
 * (prometheus/prometheus, storage.ErrExemplarLabelLength).
 */
export const MAX_EXEMPLAR_LABEL_CHARS = 128;
const EXEMPLAR_RESERVED: readonly string[] = ['trace_id', 'span_id'];

/**
 * An exemplar's labels: `trace_id`, `span_id`, then its filtered attributes
 * (translated, renamed where they take either id's name); `undefined` when
 * they exceed {@link MAX_EXEMPLAR_LABEL_CHARS} (Prometheus refuses the whole
 * scrape, or the exemplar, otherwise).
 *
 * @example
 * ```ts
 * exemplarLabels({ traceId: 'ab', spanId: 'cd', filteredAttributes: {} }); // [{ name: 'trace_id', value: 'ab' }, { name: 'span_id', value: 'cd' }]
 * ```
 */
export function exemplarLabels(
  exemplar: { readonly traceId: string; readonly spanId: string; readonly filteredAttributes: Attributes },
  escaping?: EscapingScheme,
): PrometheusLabel[] | undefined {
  const labels: PrometheusLabel[] = [
    { name: 'trace_id', value: exemplar.traceId },
    { name: 'span_id', value: exemplar.spanId },
    ...prometheusLabels(exemplar.filteredAttributes, EXEMPLAR_RESERVED, escaping),
  ];
  let chars = 0;
  for (const { name, value } of labels) chars += [...name].length + [...value].length;
  return chars > MAX_EXEMPLAR_LABEL_CHARS ? undefined : labels;
}
