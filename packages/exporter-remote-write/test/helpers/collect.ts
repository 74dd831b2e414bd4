import { MeterProvider, MetricReader, type ResourceMetrics, type AggregationTemporality, type InstrumentType } from '@opentelemetry/sdk-metrics';
import { resourceFromAttributes } from '@opentelemetry/resources';

/** A reader whose collect() the test calls itself (the SDK's own pattern for tests). */
export class TestReader extends MetricReader {
  constructor(temporality?: (type: InstrumentType) => AggregationTemporality) {
    super(temporality === undefined ? {} : { aggregationTemporalitySelector: temporality });
  }
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

/** A real MeterProvider with a {@link TestReader}, and a resource like a service's. */
export function testProvider(
  attributes: Record<string, string> = { 'service.name': 'iris-server', 'service.namespace': 'ml', 'service.instance.id': 'pod-1', 'deployment.environment': 'test' },
  temporality?: (type: InstrumentType) => AggregationTemporality,
): { provider: MeterProvider; reader: TestReader; collect(): Promise<ResourceMetrics> } {
  const reader = new TestReader(temporality);
  const provider = new MeterProvider({ resource: resourceFromAttributes(attributes), readers: [reader] });
  return {
    provider,
    reader,
    async collect() {
      const { resourceMetrics, errors } = await reader.collect();
      if (errors.length > 0) throw new Error(`collect failed: ${String(errors[0])}`);
      return resourceMetrics;
    },
  };
}
