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

/** One histogram data point, as tests read it. */
export interface TestHistogramPoint {
  readonly attributes: Attributes;
  readonly count: number;
  readonly sum: number;
  readonly buckets: { readonly boundaries: number[]; readonly counts: number[] };
}

/** A real SDK MeterProvider, registered globally, and ways to read what it holds. */
export interface TestMetrics {
  readonly provider: MeterProvider;
  /** Every metric collected now, across scopes. */
  collect(): Promise<MetricData[]>;
  /** Points of a gauge or sum whose attributes include `match`. */
  points(name: string, match?: Attributes): Promise<{ attributes: Attributes; value: number }[]>;
  /** Sum of the values of the gauge or sum points whose attributes include `match`; undefined when none does. */
  value(name: string, match?: Attributes): Promise<number | undefined>;
  /** The first histogram point whose attributes include `match`. */
  histogram(name: string, match?: Attributes): Promise<TestHistogramPoint | undefined>;
  /** Every point's attributes for a metric. */
  attributes(name: string): Promise<Attributes[]>;
  /** Unregisters and shuts the provider down. */
  shutdown(): Promise<void>;
}

/**
 * Fresh metric state for one test: a new MeterProvider with a new in-memory
 * (pull) reader, registered as the global provider after disabling the
 * previous one. Call it in `beforeEach` and `shutdown()` in `afterEach`;
 * nothing is shared with an earlier test's provider.
 *
 * @example
 * ```ts
 * let m: TestMetrics;
 * beforeEach(() => { m = setupTestMetrics(); });
 * afterEach(() => m.shutdown());
 * ```
 */
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
  const points: TestMetrics['points'] = async (name, match) => {
    const metric = await find(name);
    if (metric === undefined || metric.dataPointType === DataPointType.HISTOGRAM || metric.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM) return [];
    return (metric.dataPoints as { attributes: Attributes; value: number }[]).filter((p) => matches(p.attributes, match));
  };
  return {
    provider,
    collect,
    points,
    async value(name, match) {
      const found = await points(name, match);
      return found.length === 0 ? undefined : found.reduce((total, p) => total + p.value, 0);
    },
    async histogram(name, match) {
      const metric = (await find(name)) as HistogramMetricData | undefined;
      if (metric === undefined || metric.dataPointType !== DataPointType.HISTOGRAM) return undefined;
      const point = metric.dataPoints.find((p) => matches(p.attributes, match));
      return point === undefined
        ? undefined
        : { attributes: point.attributes, count: point.value.count, sum: point.value.sum ?? 0, buckets: point.value.buckets };
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
