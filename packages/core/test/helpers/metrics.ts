import { metrics, type Attributes } from '@opentelemetry/api';
import {
  AggregationTemporality,
  DataPointType,
  MeterProvider,
  MetricReader,
  type HistogramMetricData,
  type MetricData,
} from '@opentelemetry/sdk-metrics';

/** A pull reader for tests: collect() on demand, cumulative, like Prometheus. */
class TestReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** A real SDK MeterProvider, registered globally, and ways to read what it holds. */
export interface TestMetrics {
  collect(): Promise<MetricData[]>;
  /** Value of a sum/gauge point whose attributes include `match`. */
  value(name: string, match?: Attributes): Promise<number | undefined>;
  /** The histogram point whose attributes include `match`. */
  histogram(name: string, match?: Attributes): Promise<{ count: number; sum: number; buckets: { boundaries: number[]; counts: number[] } } | undefined>;
  /** Every point's attributes for a metric. */
  attributes(name: string): Promise<Attributes[]>;
  shutdown(): Promise<void>;
}

export function setupTestMetrics(): TestMetrics {
  metrics.disable();
  const reader = new TestReader({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  const provider = new MeterProvider({ readers: [reader] });
  metrics.setGlobalMeterProvider(provider);
  const collect = async (): Promise<MetricData[]> => {
    const { resourceMetrics, errors } = await reader.collect();
    if (errors.length > 0) throw new AggregateError(errors, 'collection failed');
    return resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
  };
  const find = async (name: string) => (await collect()).find((m) => m.descriptor.name === name);
  const matches = (attributes: Attributes, match: Attributes | undefined) =>
    match === undefined || Object.entries(match).every(([k, v]) => attributes[k] === v);
  return {
    collect,
    async value(name, match) {
      const metric = await find(name);
      if (metric === undefined || metric.dataPointType === DataPointType.HISTOGRAM) return undefined;
      const points = (metric.dataPoints as { attributes: Attributes; value: number }[]).filter((p) => matches(p.attributes, match));
      return points.length === 0 ? undefined : points.reduce((total, p) => total + p.value, 0);
    },
    async histogram(name, match) {
      const metric = (await find(name)) as HistogramMetricData | undefined;
      if (metric === undefined) return undefined;
      const point = metric.dataPoints.find((p) => matches(p.attributes, match));
      return point === undefined
        ? undefined
        : { count: point.value.count, sum: point.value.sum ?? 0, buckets: point.value.buckets };
    },
    async attributes(name) {
      const metric = await find(name);
      return metric === undefined ? [] : (metric.dataPoints as { attributes: Attributes }[]).map((p) => p.attributes);
    },
    async shutdown() {
      metrics.disable();
      await provider.shutdown();
    },
  };
}
