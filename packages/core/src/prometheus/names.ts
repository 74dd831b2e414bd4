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

import { escapeName, isLegacyLabelName, isLegacyMetricName, type EscapingScheme } from './escape.js';

const INVALID_CHARACTERS = /[^a-zA-Z0-9_]/g;
const MULTIPLE_UNDERSCORES = /_{2,}/g;

function sanitize(name: string): string {
  return name.replace(INVALID_CHARACTERS, '_').replace(MULTIPLE_UNDERSCORES, '_');
}

function noLeadingDigit(name: string): string {
  const first = name.charCodeAt(0);
  return first >= 0x30 && first <= 0x39 ? `_${name}` : name;
}

/**
 * The series name of a metric; `monotonicSum` adds `_total`. `undefined`
 * when nothing usable is left (exporter-prometheus skips such a metric too).
 *
 * `escaping` is the scheme the scraper negotiated (see {@link EscapingScheme});
 * without one, or with `underscores`, the name is the OpenTelemetry
 * translation above (already a legacy name, which `underscores` leaves as it
 * is). The negotiated scheme wins over that translation (OpenTelemetry
 * specification PR 5134): under `allow-utf-8` the name is the metric's own
 * (`_total` added), under `dots` and `values` that name escaped by
 * {@link escapeName} unless it is a legacy name already (as client_golang's
 * expfmt escapes a family), so the catalog's `ml_*` names never change.
 *
 * @example
 * ```ts
 * prometheusMetricName('ml_predictions', true); // 'ml_predictions_total'
 * prometheusMetricName('http.server.duration', false); // 'http_server_duration'
 * prometheusMetricName('http.server.duration', false, 'allow-utf-8'); // 'http.server.duration'
 * prometheusMetricName('http.server.duration', false, 'values'); // 'U__http_2e_server_2e_duration'
 * ```
 */
export function prometheusMetricName(name: string, monotonicSum: boolean, escaping?: EscapingScheme): string | undefined {
  if (escaping !== undefined && escaping !== 'underscores') {
    if (name === '') return undefined;
    const own = monotonicSum && !name.endsWith('_total') ? `${name}_total` : name;
    return isLegacyMetricName(own) ? own : escapeName(own, escaping);
  }
  // exporter-prometheus escapes backslashes and newlines before sanitizing;
  // both end up as `_` either way.
  let out = sanitize(name);
  if (out === '' || out === '_') return undefined;
  out = noLeadingDigit(out);
  if (monotonicSum && !out.endsWith('_total')) out += '_total';
  return out;
}

/**
 * A label name from an attribute key; `escaping` as for
 * {@link prometheusMetricName}: under `allow-utf-8` the key as it is
 * (`gen_ai.request.model` keeps its dots), under `dots` and `values` the key
 * escaped unless it is a legacy label name.
 *
 * @example
 * ```ts
 * prometheusLabelName('http.route'); // 'http_route'
 * prometheusLabelName('http.route', 'allow-utf-8'); // 'http.route'
 * prometheusLabelName('http.route', 'dots'); // 'http_dot_route'
 * ```
 */
export function prometheusLabelName(key: string, escaping?: EscapingScheme): string {
  if (escaping !== undefined && escaping !== 'underscores') return isLegacyLabelName(key) || key === '' || escaping === 'allow-utf-8' ? key : escapeName(key, escaping, true);
  return noLeadingDigit(sanitize(key));
}

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
export function prometheusLabelValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  return JSON.stringify(value);
}

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
export function prometheusBucketBound(bound: number | undefined): string {
  return bound === undefined || bound === Infinity ? '+Inf' : String(bound);
}

/**
 * The name an OpenMetrics family carries: a counter's without `_total`, which
 * its samples carry (https://github.com/prometheus/OpenMetrics/blob/v1.0.0/specification/OpenMetrics.md#counter).
 *
 * @example
 * ```ts
 * openMetricsFamilyName('ml_predictions_total', 'counter'); // 'ml_predictions'
 * ```
 */
export function openMetricsFamilyName(name: string, type: string): string {
  return type === 'counter' && name.endsWith('_total') ? name.slice(0, -'_total'.length) : name;
}

/** UCUM units of OpenTelemetry as Prometheus unit words (https://github.com/open-telemetry/opentelemetry-specification/blob/v1.40.0/specification/compatibility/prometheus_and_openmetrics.md#metric-metadata-1). */
const UNIT_WORDS: Readonly<Record<string, string>> = {
  d: 'days', h: 'hours', min: 'minutes', s: 'seconds', ms: 'milliseconds', us: 'microseconds', ns: 'nanoseconds',
  By: 'bytes', KiBy: 'kibibytes', MiBy: 'mebibytes', GiBy: 'gibibytes', KBy: 'kilobytes', MBy: 'megabytes', GBy: 'gigabytes',
  m: 'meters', V: 'volts', A: 'amperes', J: 'joules', W: 'watts', g: 'grams', Cel: 'celsius', Hz: 'hertz', '1': 'ratio', '%': 'percent',
};

/**
 * The OpenMetrics unit word for a descriptor unit, when it is one OpenMetrics
 * can carry (metric-name characters only); annotations like `{request}` have none.
 * No name gets a unit suffix from it: the catalog's names carry their unit already.
 *
 * @example
 * ```ts
 * openMetricsUnit('s'); // 'seconds'
 * openMetricsUnit('{request}'); // undefined
 * ```
 */
export function openMetricsUnit(unit: string): string | undefined {
  const word = Object.hasOwn(UNIT_WORDS, unit) ? UNIT_WORDS[unit]! : unit;
  return /^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(word) ? word : undefined;
}
