import { MetricReader, type MetricProducer } from '@opentelemetry/sdk-metrics';

/**
 * A cumulative reader that only collects when asked: in a worker, for the
 * primary's collect requests; in the primary, for its own points beside its
 * workers'. It exports nothing itself.
 */
export class LocalReader extends MetricReader {
  constructor(metricProducers: MetricProducer[]) {
    super({ metricProducers });
  }

  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }

  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}
