/**
 * The catalog's latency as an OTLP ExponentialHistogram: the fast path's
 * points, serialized by the OTLP exporter's own protobuf serializer and
 * decoded with the official opentelemetry-proto definitions, against what
 * the SDK's ExponentialHistogramAggregator makes of the same calls.
 */
import { metrics } from '@opentelemetry/api';
import { ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { AggregationTemporality, AggregationType, DataPointType, MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { instrument } from '@inferometer/core';
import { METRIC_PREDICTION_LATENCY } from '@inferometer/core/catalog';
import { createCatalogProducer } from '@inferometer/node';
import { decodeExportRequest, type OtlpExponentialPoint } from '../support/otlp-proto.js';

class Reader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

afterEach(() => {
  vi.restoreAllMocks();
  metrics.disable();
});

/** Calls whose latencies are `millis` exactly (a mocked clock the function itself advances). */
function run(model: string, millis: number[]): void {
  let clock = 1_000;
  vi.spyOn(performance, 'now').mockImplementation(() => clock);
  const predict = instrument((ms: number) => {
    clock += ms;
    return ms;
  }, { model, version: '1' });
  for (const ms of millis) predict(ms);
  vi.restoreAllMocks();
}

async function latencyPoint(resourceMetrics: ResourceMetrics, model: string): Promise<OtlpExponentialPoint | undefined> {
  const body = ProtobufMetricsSerializer.serializeRequest(resourceMetrics);
  const decoded = decodeExportRequest(body!);
  const metric = decoded.resourceMetrics?.flatMap((r) => r.scopeMetrics ?? []).flatMap((s) => s.metrics ?? []).find((m) => m.name === METRIC_PREDICTION_LATENCY.name);
  expect(metric?.histogram).toBeUndefined();
  return metric?.exponentialHistogram?.dataPoints?.find((p) => p.attributes?.some((a) => a.key === 'model_name' && a.value.stringValue === model));
}

let runs = 0;

describe('OTLP exponential histograms from the fast path', () => {
  it('decode (official protos) to the SDK aggregator\'s scale, buckets, count, sum, min and max', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.double({ min: 0.001, max: 60_000, noNaN: true }), { minLength: 1, maxLength: 200 }), async (millis) => {
        // A model of its own per run: the process's series outlive a producer.
        const model = `otlp-${++runs}`;
        // Ours: a catalog producer reading exponential histograms.
        const catalog = createCatalogProducer('cumulative', { histograms: 'exponential' });
        const ours = new Reader({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE, metricProducers: [catalog.producer] });
        const oursProvider = new MeterProvider({ readers: [ours] });
        run(model, millis);
        const mine = (await ours.collect()).resourceMetrics;
        catalog.close();
        await oursProvider.shutdown();
        expect(mine.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === METRIC_PREDICTION_LATENCY.name)?.dataPointType).toBe(DataPointType.EXPONENTIAL_HISTOGRAM);

        // The SDK's: no producer, so calls go through the OpenTelemetry API into a provider whose view aggregates exponentially.
        const sdk = new Reader({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
        const sdkProvider = new MeterProvider({ readers: [sdk], views: [{ instrumentName: METRIC_PREDICTION_LATENCY.name, aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }] });
        metrics.setGlobalMeterProvider(sdkProvider);
        run(model, millis);
        const theirs = (await sdk.collect()).resourceMetrics;
        await sdkProvider.shutdown();
        metrics.disable();

        const a = (await latencyPoint(mine, model))!;
        const b = (await latencyPoint(theirs, model))!;
        expect(a).toBeDefined();
        for (const field of ['scale', 'count', 'sum', 'min', 'max', 'zeroCount', 'positive'] as const) expect(a[field]).toEqual(b[field]);
        expect(Number(a.count)).toBe(millis.length);
      }),
      { numRuns: 15 },
    );
  });
});
