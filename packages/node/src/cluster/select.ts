/**
 * One exporter's histogram kind out of merged points collected as `both`.
 * Where members are gathered, every member's catalog is read once, for all
 * exporters together: as `both` when any exporter wants base-2 exponential
 * histograms (the pull endpoint's native histograms, OTLP's base-2
 * aggregation), so the merge has each kind. An exporter then gets what a
 * catalog producer of its own kind would give it (NativeCollector in
 * @inferometer/core): per series, its kind when the histogram keeps it,
 * else the one kind the histogram keeps (a model fixed to one kind).
 */
import { DataPointType, type MetricData, type MetricProducer, type ScopeMetrics } from '@opentelemetry/sdk-metrics';
import type { HistogramKind } from '@inferometer/core';
import { attributesKey } from './merge.js';

/**
 * `scopeMetrics` with, of each histogram both of whose kinds are there, the
 * kind `kind` names only, series by series; `both` changes nothing.
 */
export function selectHistograms(scopeMetrics: readonly ScopeMetrics[], kind: HistogramKind): ScopeMetrics[] {
  if (kind === 'both') return scopeMetrics as ScopeMetrics[];
  const wanted = kind === 'explicit' ? DataPointType.HISTOGRAM : DataPointType.EXPONENTIAL_HISTOGRAM;
  const other = kind === 'explicit' ? DataPointType.EXPONENTIAL_HISTOGRAM : DataPointType.HISTOGRAM;
  const out: ScopeMetrics[] = [];
  for (const { scope, metrics } of scopeMetrics) {
    // Series of each histogram that have the wanted kind.
    const kept = new Map<string, Set<string>>();
    for (const metric of metrics) {
      if (metric.dataPointType !== wanted) continue;
      const keys = new Set<string>();
      for (const point of metric.dataPoints) keys.add(attributesKey(point.attributes));
      kept.set(metric.descriptor.name, keys);
    }
    const selected: MetricData[] = [];
    for (const metric of metrics) {
      const keys = metric.dataPointType === other ? kept.get(metric.descriptor.name) : undefined;
      if (keys === undefined) {
        selected.push(metric);
        continue;
      }
      const points = (metric.dataPoints as MetricData['dataPoints']).filter((point) => !keys.has(attributesKey(point.attributes)));
      if (points.length > 0) selected.push({ ...metric, dataPoints: points } as MetricData);
    }
    if (selected.length > 0) out.push({ scope, metrics: selected });
  }
  return out;
}

/** `producer`'s collections with {@link selectHistograms} applied; `producer` itself for `both`. */
export function withHistograms(producer: MetricProducer, kind: HistogramKind): MetricProducer {
  if (kind === 'both') return producer;
  return {
    async collect(options) {
      const result = await producer.collect(options);
      return { ...result, resourceMetrics: { ...result.resourceMetrics, scopeMetrics: selectHistograms(result.resourceMetrics.scopeMetrics, kind) } };
    },
  };
}
