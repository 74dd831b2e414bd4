import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, MeterProvider, MetricReader, type PushMetricExporter, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { NEW_RELIC_ATTRIBUTE_LIMITS } from '../../src/config/otlp-presets.js';
import { PayloadLimitedExporter } from '../../src/exporters/otlp-batches.js';

class TestReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

/** Stands in for the network side of the OTLP exporter: records what it is asked to send. */
class RecordingExporter implements PushMetricExporter {
  readonly sent: ResourceMetrics[] = [];
  constructor(private readonly answer: ExportResult = { code: ExportResultCode.SUCCESS }) {}
  export(metrics: ResourceMetrics, done: (result: ExportResult) => void): void {
    this.sent.push(metrics);
    setImmediate(() => done(this.answer));
  }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
  selectAggregationTemporality(): AggregationTemporality {
    return AggregationTemporality.DELTA;
  }
}

const size = (metrics: ResourceMetrics): number => ProtobufMetricsSerializer.serializeRequest(metrics)?.length ?? 0;
const points = (metrics: ResourceMetrics): number => metrics.scopeMetrics.reduce((n, s) => n + s.metrics.reduce((m, metric) => m + metric.dataPoints.length, 0), 0);

async function bigExport(series: number): Promise<ResourceMetrics> {
  const reader = new TestReader();
  const provider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': 'svc' }), readers: [reader] });
  const meter = provider.getMeter('a');
  const counter = meter.createCounter('ml_predictions');
  const histogram = meter.createHistogram('ml_prediction_latency_seconds', { advice: { explicitBucketBoundaries: [0.01, 0.1, 1] } });
  for (let i = 0; i < series; i++) {
    const attributes = { model_name: `model-${i}`, model_version: '1.0.0', padding: 'x'.repeat(40) };
    counter.add(i, attributes);
    histogram.record(i / 1000, attributes);
  }
  provider.getMeter('b').createCounter('other').add(1);
  return (await reader.collect()).resourceMetrics;
}

const export_ = (exporter: PushMetricExporter, metrics: ResourceMetrics) => new Promise<ExportResult>((resolve) => exporter.export(metrics, resolve));

describe('PayloadLimitedExporter', () => {
  it('passes an export under the limit through as it is', async () => {
    const inner = new RecordingExporter();
    const metrics = await bigExport(10);
    expect((await export_(new PayloadLimitedExporter(inner, { maxPayloadBytes: 500_000, measure: size }), metrics)).code).toBe(ExportResultCode.SUCCESS);
    expect(inner.sent).toEqual([metrics]);
  });

  it('splits a large export into requests under the limit, keeping every data point once', async () => {
    const inner = new RecordingExporter();
    const metrics = await bigExport(5000);
    expect(size(metrics)).toBeGreaterThan(500_000);
    const result = await export_(new PayloadLimitedExporter(inner, { maxPayloadBytes: 500_000, measure: size }), metrics);
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    expect(inner.sent.length).toBeGreaterThan(1);
    for (const batch of inner.sent) {
      expect(size(batch)).toBeLessThanOrEqual(500_000);
      expect(batch.resource).toBe(metrics.resource);
    }
    expect(inner.sent.reduce((n, batch) => n + points(batch), 0)).toBe(points(metrics));
    // Both scopes survive with their own names.
    const scopes = new Set(inner.sent.flatMap((batch) => batch.scopeMetrics.map((s) => s.scope.name)));
    expect(scopes).toEqual(new Set(['a', 'b']));
  });

  it('reports the first failure after trying every batch', async () => {
    const inner = new RecordingExporter({ code: ExportResultCode.FAILED, error: new Error('413') });
    const result = await export_(new PayloadLimitedExporter(inner, { maxPayloadBytes: 100_000, measure: size }), await bigExport(2000));
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(result.error?.message).toBe('413');
    expect(inner.sent.length).toBeGreaterThan(1);
  });

  it('cuts attributes to the limits (New Relic), copying only what changes', async () => {
    const reader = new TestReader();
    const provider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': 'svc', long: 'r'.repeat(5000) }), readers: [reader] });
    const counter = provider.getMeter('a').createCounter('c');
    counter.add(1, { ok: 'short', big: 'v'.repeat(5000), ['k'.repeat(300)]: 'dropped', list: Array.from({ length: 100 }, (_, i) => String(i)) });
    counter.add(1, { ok: 'untouched' });
    const metrics = (await reader.collect()).resourceMetrics;
    const inner = new RecordingExporter();
    await export_(new PayloadLimitedExporter(inner, { maxPayloadBytes: 1_000_000, measure: size, attributeLimits: NEW_RELIC_ATTRIBUTE_LIMITS }), metrics);
    const sent = inner.sent[0]!;
    expect((sent.resource.attributes.long as string).length).toBe(4095);
    const [cut, untouched] = sent.scopeMetrics[0]!.metrics[0]!.dataPoints;
    expect((cut!.attributes.big as string).length).toBe(4095);
    expect(cut!.attributes['k'.repeat(300)]).toBeUndefined();
    expect((cut!.attributes.list as string[]).length).toBe(64);
    expect(cut!.attributes.ok).toBe('short');
    expect(untouched).toBe(metrics.scopeMetrics[0]!.metrics[0]!.dataPoints[1]);
  });

  it('delegates temporality to the wrapped exporter', () => {
    const inner = new RecordingExporter();
    expect(new PayloadLimitedExporter(inner, { maxPayloadBytes: 1, measure: size }).selectAggregationTemporality(0 as never)).toBe(AggregationTemporality.DELTA);
  });
});
