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
