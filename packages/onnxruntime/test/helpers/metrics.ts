import { metrics, type Attributes } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType, MeterProvider, MetricReader, type HistogramMetricData, type MetricData } from '@opentelemetry/sdk-metrics';

/** A pull reader for tests: collect() on demand, cumulative, like Prometheus. */
class TestReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** A real SDK MeterProvider, registered globally, and ways to read what it holds. */
export interface TestMetrics {
  collect(): Promise<MetricData[]>;
  /** Points of a gauge or sum whose attributes include `match`. */
  points(name: string, match?: Attributes): Promise<{ attributes: Attributes; value: number }[]>;
  /** The one point matching, or undefined. */
  value(name: string, match?: Attributes): Promise<number | undefined>;
  /** The histogram point matching, or undefined. */
  histogram(name: string, match?: Attributes): Promise<{ attributes: Attributes; count: number; sum: number } | undefined>;
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
  const matches = (attributes: Attributes, match: Attributes | undefined) =>
    match === undefined || Object.entries(match).every(([k, v]) => attributes[k] === v);
  const points: TestMetrics['points'] = async (name, match) => {
    const metric = (await collect()).find((m) => m.descriptor.name === name);
    if (metric === undefined) return [];
    return (metric.dataPoints as { attributes: Attributes; value: number }[]).filter((p) => matches(p.attributes, match));
  };
  return {
    collect,
    points,
    async value(name, match) {
      const found = await points(name, match);
      if (found.length > 1) throw new Error(`${found.length} points of ${name} match ${JSON.stringify(match)}`);
      return found[0]?.value;
    },
    async histogram(name, match) {
      const metric = (await collect()).find((m) => m.descriptor.name === name) as HistogramMetricData | undefined;
      if (metric === undefined || metric.dataPointType !== DataPointType.HISTOGRAM) return undefined;
      const point = metric.dataPoints.find((p) => matches(p.attributes, match));
      return point === undefined ? undefined : { attributes: point.attributes, count: point.value.count, sum: point.value.sum ?? 0 };
    },
    async shutdown() {
      metrics.disable();
      await provider.shutdown();
    },
  };
}
