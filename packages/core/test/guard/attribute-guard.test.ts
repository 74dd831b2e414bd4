import { AggregationTemporality, MeterProvider, MetricReader, type SumMetricData } from '@opentelemetry/sdk-metrics';
import { beforeEach, describe, expect, it } from 'vitest';
import { attributeGuardIn, type AttributeGuardOptions } from '../../src/guard/attribute-guard.js';
import { resolveGuardOptions, type GuardOptions } from '../../src/guard/config.js';
import { OVERFLOW_VALUE } from '../../src/guard/patterns.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';

class Reader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

let rt: Runtime;
beforeEach(() => {
  rt = createRuntime();
});
const configureGuards = (options: GuardOptions) => rt.guard.configure(resolveGuardOptions(options));
const createAttributeGuard = (options: AttributeGuardOptions) => attributeGuardIn(rt, options);

describe('createAttributeGuard in a view on the service\'s own instruments', () => {
  it('drops undeclared keys, caps series before the SDK does, and counts both', async () => {
    configureGuards({ maxSeriesPerMetric: 10 });
    const reader = new Reader({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
    const provider = new MeterProvider({
      readers: [reader],
      views: [{ instrumentName: 'http.requests', attributesProcessors: [createAttributeGuard({ metric: 'http_requests_total', allow: ['route', 'method'] })] }],
    });
    const counter = provider.getMeter('svc').createCounter('http.requests');
    for (let i = 0; i < 50; i++) counter.add(1, { route: `/r${i}`, method: 'GET', request_id: `req-${i}` });
    const { resourceMetrics } = await reader.collect();
    const points = (resourceMetrics.scopeMetrics[0]!.metrics[0] as SumMetricData).dataPoints;
    expect(points).toHaveLength(10);
    expect(points.every((p) => !('request_id' in p.attributes))).toBe(true);
    expect(points.reduce((total, p) => total + p.value, 0)).toBe(50);
    expect(points.find((p) => p.attributes.route === OVERFLOW_VALUE)?.value).toBe(41);
    const rejected = Object.fromEntries([...rt.guard.rejectionCounts()].map((r) => [`${r.attributes.attribute}/${r.attributes.reason}`, r.count]));
    expect(rejected).toMatchObject({ 'request_id/undeclared': 50, 'route+method/series_overflow': 41 });
    expect(Object.fromEntries(rt.guard.seriesPerMetric())).toEqual({ http_requests_total: 10 });
    await provider.shutdown();
  });

  it('refuses an unbounded key in the allowlist, naming it and the metric', () => {
    expect(() => createAttributeGuard({ metric: 'http_requests_total', allow: ['route', 'trace_id'] })).toThrow(
      'createAttributeGuard(options): attribute "trace_id" on http_requests_total is unbounded by nature',
    );
  });
});
