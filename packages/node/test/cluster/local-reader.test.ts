import { DataPointType, MeterProvider } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { LocalReader } from '../../src/cluster/local-reader.js';

async function collectWith(exponential: boolean) {
  const local = new LocalReader([], { exponential });
  const provider = new MeterProvider({ readers: local.readers });
  const meter = provider.getMeter('service');
  meter.createHistogram('queue_seconds').record(0.25);
  meter.createCounter('jobs').add(2);
  const { resourceMetrics } = await local.collect();
  await provider.shutdown();
  return resourceMetrics.scopeMetrics;
}

describe("a member's local reader", () => {
  it('with exponential wanted, gives the SDK\'s histograms in both kinds in their scope, and everything else once', async () => {
    const scopes = await collectWith(true);
    expect(scopes).toHaveLength(1);
    expect(scopes[0]!.metrics.map((m) => `${m.descriptor.name}:${m.dataPointType}`).sort()).toEqual(
      [`jobs:${DataPointType.SUM}`, `queue_seconds:${DataPointType.HISTOGRAM}`, `queue_seconds:${DataPointType.EXPONENTIAL_HISTOGRAM}`].sort(),
    );
    const exponential = scopes[0]!.metrics.find((m) => m.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM)!;
    expect(exponential.dataPoints[0]!.value).toMatchObject({ count: 1, sum: 0.25 });
  });

  it('without, explicit buckets only', async () => {
    const scopes = await collectWith(false);
    expect(scopes[0]!.metrics.map((m) => m.dataPointType).sort()).toEqual([DataPointType.SUM, DataPointType.HISTOGRAM].sort());
  });
});
