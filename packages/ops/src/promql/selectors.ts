/**
 * Small PromQL building blocks. Metric names always come from the catalog of
 * '@inferometer/core'; these helpers only quote and combine.
 */
import type { MetricDefinition } from '@inferometer/core/catalog';

/** A PromQL string literal: double-quoted, with backslash, quote and newline escaped (PromQL follows Go's string syntax). */
export function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** The matcher selecting the model servers' scrape targets: `job=~"<regex>"`. */
export function jobMatcher(job: string): string {
  return `job=~${quote(job)}`;
}

/** Every series name a catalog metric produces in Prometheus (histograms: `_bucket`, `_sum`, `_count`). */
export function seriesNames(metric: Pick<MetricDefinition, 'prometheusName' | 'kind'>): string[] {
  const name = metric.prometheusName;
  return metric.kind === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name];
}

/** Escapes a literal for use inside an RE2 regular expression. */
export function regexLiteral(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
