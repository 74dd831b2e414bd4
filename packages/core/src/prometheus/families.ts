/**
 * Metric families and the names they claim: the one rule every Prometheus
 * exposition (text 0.0.4, OpenMetrics 1.0.0, protobuf) groups by, so a
 * scrape shows the same families whatever format it negotiated.
 *
 * - Metrics with the same family name and type (the same instrument from
 *   several scopes, or a histogram kept as both explicit and exponential on
 *   a wire that carries native histograms) become one family: an exposition
 *   that repeats a family (`# TYPE` twice, two MetricFamily messages of one
 *   name) is refused by Prometheus.
 * - A family whose name, or one of whose sample names, is taken by an
 *   earlier family (a metric called `target.info`, a gauge `x_count` beside
 *   a histogram `x`, a counter `x` beside a gauge `x`) is left out, the
 *   earlier one kept: Prometheus would read two families' samples as one
 *   series and refuse the scrape.
 *
 * Exposition formats: https://prometheus.io/docs/instrumenting/exposition_formats/,
 * https://github.com/prometheus/OpenMetrics/blob/v1.0.0/specification/OpenMetrics.md
 */
import type { EscapingScheme } from './escape.js';
import { openMetricsFamilyName } from './names.js';
import { DATA_POINT_TYPE, prometheusFamilyName, prometheusType, type MetricDataLike, type PrometheusType } from './translation.js';

/** What grouping reads of an sdk-metrics `MetricData`. */
export interface FamilyMetricLike extends MetricDataLike {
  readonly descriptor: { readonly name: string; readonly description: string; readonly unit: string };
}

/** One family of an exposition: its metrics in the order collected. */
export interface PrometheusFamily<M extends FamilyMetricLike> {
  readonly name: string;
  readonly type: PrometheusType;
  readonly help: string;
  readonly unit: string;
  readonly metrics: M[];
}

/** Options of {@link groupFamilies}. */
export interface GroupFamiliesOptions {
  /**
   * The format carries native histograms (protobuf): exponential histograms
   * are `histogram` families. Otherwise they are left out with a warning.
   * Default `false`.
   *
   * @example
   * ```ts
   * { native: true }
   * ```
   */
  readonly native?: boolean;
  /**
   * Told why a metric is left out, with a key to report it once by.
   *
   * @example
   * ```ts
   * { warn: (key, message) => once.warn(key, `@inferometer/node: ${message}`) }
   * ```
   */
  readonly warn?: (key: string, message: string) => void;
  /**
   * Called with each family name left out because an earlier family took it.
   *
   * @example
   * ```ts
   * { onDropped: (name) => droppedFamilies.add(1) }
   * ```
   */
  readonly onDropped?: (name: string) => void;
  /**
   * The escaping scheme the scraper negotiated: family names as
   * {@link prometheusFamilyName} writes them under it. Default: the
   * OpenTelemetry translation to legacy names.
   *
   * @example
   * ```ts
   * { escaping: 'allow-utf-8' }
   * ```
   */
  readonly escaping?: EscapingScheme;
}

/** The name every exposition writes before the metrics' families. */
export const TARGET_INFO = 'target_info';

/**
 * The names a family writes, in any format: its own (text and OpenMetrics)
 * and its samples' (with `_created` always, so which family wins does not
 * depend on the format or an option).
 *
 * @example
 * ```ts
 * claimedNames('x', 'histogram'); // ['x', 'x_bucket', 'x_count', 'x_sum', 'x_created']
 * ```
 */
export function claimedNames(name: string, type: PrometheusType): string[] {
  switch (type) {
    case 'counter': {
      const base = openMetricsFamilyName(name, type);
      return [name, base, `${base}_created`];
    }
    case 'histogram':
      return [name, `${name}_bucket`, `${name}_count`, `${name}_sum`, `${name}_created`];
    case 'summary':
      return [name, `${name}_count`, `${name}_sum`, `${name}_created`];
    default:
      return [name];
  }
}

/**
 * Groups collected metrics (a `ResourceMetrics`' `scopeMetrics`) into
 * families by the rules above, `target_info` claimed first.
 *
 * @example
 * ```ts
 * for (const family of groupFamilies(resourceMetrics.scopeMetrics).values()) write(family);
 * ```
 */
export function groupFamilies<M extends FamilyMetricLike>(
  scopeMetrics: readonly { readonly metrics: readonly M[] }[],
  options: GroupFamiliesOptions = {},
): Map<string, PrometheusFamily<M>> {
  const { native = false, warn, onDropped, escaping } = options;
  const byName = new Map<string, PrometheusFamily<M>>();
  // Every name written so far, and the family that wrote it.
  const claims = new Map<string, string>([[TARGET_INFO, TARGET_INFO]]);
  for (const scope of scopeMetrics) {
    for (const metric of scope.metrics) {
      const type = prometheusType(metric, native);
      if (type === undefined) {
        if (metric.dataPointType === DATA_POINT_TYPE.EXPONENTIAL_HISTOGRAM) {
          warn?.(`exp:${metric.descriptor.name}`, `metric "${metric.descriptor.name}" is an exponential histogram, which the Prometheus text format cannot carry; left out of /metrics`);
        }
        continue;
      }
      const name = prometheusFamilyName(metric, escaping);
      if (name === undefined) continue;
      const family = byName.get(name);
      if (family !== undefined && family.type === type) {
        family.metrics.push(metric);
        continue;
      }
      const names = claimedNames(name, type);
      // Under dots and values the family also claims its UTF-8 names, so the
      // families served are allow-utf-8's (a counter x.y, whose OpenMetrics
      // family is x.y, still takes x.y from a gauge): the escaping changes
      // how names are written, not which families a scrape gets.
      if (escaping === 'dots' || escaping === 'values') {
        const own = prometheusFamilyName(metric, 'allow-utf-8');
        if (own !== undefined && own !== name) names.push(...claimedNames(own, type));
      }
      const taken = names.find((n) => claims.has(n));
      if (taken !== undefined) {
        onDropped?.(name);
        warn?.(
          `dup:${name}:${type}`,
          `metric "${metric.descriptor.name}" (${type} ${name}) is left out of /metrics: the name ${taken} is already written by ${claims.get(taken)}, which stays; rename one of them`,
        );
        continue;
      }
      for (const n of names) claims.set(n, `the ${type === 'counter' || type === 'histogram' ? type : 'metric'} ${name}`);
      byName.set(name, { name, type, help: metric.descriptor.description, unit: metric.descriptor.unit, metrics: [metric] });
    }
  }
  return byName;
}
