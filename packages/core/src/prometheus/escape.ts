/**
 * Escaping for the Prometheus text formats (text 0.0.4 and OpenMetrics
 * 1.0.0): https://prometheus.io/docs/instrumenting/exposition_formats/#text-format-details,
 * https://github.com/prometheus/OpenMetrics/blob/v1.0.0/specification/OpenMetrics.md#escaping.
 * The protobuf formats carry strings as they are.
 */

/**
 * A label value: backslash, double quote and newline escaped (both formats).
 *
 * @example
 * ```ts
 * escapeLabelValue('say "hi"'); // 'say \\"hi\\"'
 * ```
 */
export function escapeLabelValue(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/**
 * HELP text: backslash and newline escaped; double quote too in OpenMetrics
 * (its HELP is an escaped-string, the text format's is not).
 *
 * @example
 * ```ts
 * escapeHelp('a "b"\n', true); // 'a \\"b\\"\\n'
 * ```
 */
export function escapeHelp(text: string, openMetrics: boolean): string {
  const escaped = text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return openMetrics ? escaped.replace(/"/g, '\\"') : escaped;
}

/**
 * A sample value or timestamp as both text formats write it: `+Inf`, `-Inf`,
 * `NaN`, otherwise JavaScript's shortest round-trip form.
 *
 * @example
 * ```ts
 * sampleValueText(Infinity); // '+Inf'
 * ```
 */
export function sampleValueText(n: number): string {
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return `${n}`;
}

/**
 * How a scraper asks UTF-8 metric and label names to be written (the
 * `escaping` parameter of its `Accept` header):
 * https://prometheus.io/docs/instrumenting/escaping_schemes/. `allow-utf-8`
 * serves names as they are (quoted where they are not legacy names);
 * the others turn a name that is not a legacy name into one.
 */
export type EscapingScheme = 'allow-utf-8' | 'underscores' | 'dots' | 'values';

/** Every {@link EscapingScheme}, as the `escaping` parameter spells it. */
export const ESCAPING_SCHEMES: readonly EscapingScheme[] = ['allow-utf-8', 'underscores', 'dots', 'values'];

const LEGACY_METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LEGACY_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Whether a metric name is in the legacy character set (`[a-zA-Z_:][a-zA-Z0-9_:]*`),
 * which every format and every Prometheus version reads unquoted.
 *
 * @example
 * ```ts
 * isLegacyMetricName('ml_predictions_total'); // true
 * isLegacyMetricName('http.server.duration'); // false
 * ```
 */
export function isLegacyMetricName(name: string): boolean {
  return LEGACY_METRIC_NAME.test(name);
}

/**
 * Whether a label name is in the legacy character set (`[a-zA-Z_][a-zA-Z0-9_]*`).
 *
 * @example
 * ```ts
 * isLegacyLabelName('model_name'); // true
 * isLegacyLabelName('gen_ai.request.model'); // false
 * ```
 */
export function isLegacyLabelName(name: string): boolean {
  return LEGACY_LABEL_NAME.test(name);
}

/** prometheus/common model.isValidLegacyRune: letters, `_`, `:` (not in a label name), and digits after the first character. */
function legacyRune(code: number, first: boolean, label: boolean): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || code === 0x5f || (code === 0x3a && !label) || (!first && code >= 0x30 && code <= 0x39);
}

/**
 * A name escaped by a scheme, exactly as prometheus/common's
 * `model.EscapeName` does it (the reference the escaping schemes document
 * points to; test vectors from its model/metric_test.go):
 * - `allow-utf-8`: unchanged;
 * - `underscores`: a legacy name unchanged, otherwise each character outside
 *   the legacy set (a digit first too) becomes `_`;
 * - `dots`: `_` becomes `__`, `.` becomes `_dot_`, any other character
 *   outside the set `__` (legacy names too: their underscores double);
 * - `values`: a legacy name unchanged, otherwise `U__`, then `_` as `__` and
 *   each other character outside the set as `_` + its code point in lower-case
 *   hex + `_` (`.` is `_2e_`; a lone surrogate, which is U+FFFD once encoded, `_fffd_`).
 *
 * With `label`, the name is a label name, whose legacy set has no `:`: a
 * colon is escaped like any other character outside it. model.EscapeName
 * applies the metric-name set to label names too and would leave `a:b`,
 * which every Prometheus with legacy names (2.x) refuses in a label, and so
 * the whole scrape.
 *
 * @example
 * ```ts
 * escapeName('mysystem.prod.west.cpu.load_total', 'dots'); // 'mysystem_dot_prod_dot_west_dot_cpu_dot_load__total'
 * escapeName('mysystem.prod.west.cpu.load', 'values'); // 'U__mysystem_2e_prod_2e_west_2e_cpu_2e_load'
 * ```
 */
export function escapeName(name: string, scheme: EscapingScheme, label = false): string {
  if (name === '' || scheme === 'allow-utf-8') return name;
  if (scheme !== 'dots' && (label ? isLegacyLabelName(name) : isLegacyMetricName(name))) return name;
  let out = scheme === 'values' ? 'U__' : '';
  let first = true;
  for (const char of name) {
    const code = char.codePointAt(0)!;
    if (scheme === 'underscores') out += legacyRune(code, first, label) ? char : '_';
    else if (code === 0x5f) out += '__';
    else if (scheme === 'dots') out += code === 0x2e ? '_dot_' : legacyRune(code, first, label) ? char : '__';
    else if (legacyRune(code, first, label)) out += char;
    else out += `_${(code >= 0xd800 && code <= 0xdfff ? 0xfffd : code).toString(16)}_`;
    first = false;
  }
  return out;
}

/**
 * A name inside double quotes, as the text format 1.0.0 and OpenMetrics write
 * a name that is not a legacy name under `allow-utf-8` (`{"my.metric",…}`,
 * `"label.name"="v"`): backslash, newline and double quote escaped.
 *
 * @example
 * ```ts
 * quoteName('gen_ai.request.model'); // '"gen_ai.request.model"'
 * ```
 */
export function quoteName(name: string): string {
  return `"${escapeLabelValue(name)}"`;
}
