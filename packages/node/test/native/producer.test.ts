import { metrics } from '@opentelemetry/api';
import { AggregationTemporality, MeterProvider, MetricReader, type MetricProducer } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { instrument } from '@inferometer/core';
import { createCatalogProducer } from '../../src/native/producer.js';
import { serialize } from '../../src/prometheus/serializer.js';
import { parseStrict, sampleMap } from '@inferometer/testing';

class Reader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

afterEach(() => {
  vi.restoreAllMocks();
  metrics.disable();
});

/** The same workload every time: successes, failures, a stream, batches, a version swap. */
async function workload(): Promise<void> {
  let clock = 0;
  // A deterministic clock: every reading advances 3 ms, so latencies are equal in both runs.
  vi.spyOn(performance, 'now').mockImplementation(() => (clock += 3));
  const service = { version: '1.0.0' };
  const predict = instrument(async function (this: typeof service, rows: number[][]) {
    if (rows.length === 0) throw new TypeError('empty');
    return rows.map(() => [0.1, 0.7, 0.2]);
  }, {
    model: 'equal',
    version: (self) => self.version,
    batchSize: (rows) => rows.length,
    confidence: (out) => out,
    attributes: { region: 'eu', tier: (_self, [rows]) => (rows.length > 2 ? 'bulk' : 'single') },
  });
  const generate = instrument(async function* () {
    yield 'a';
    yield 'b';
  }, { model: 'equal-stream', version: '2' });
  for (let i = 0; i < 20; i++) await predict.call(service, [[i], [i + 1], [i + 2]].slice(0, 1 + (i % 3)));
  await predict.call(service, []).catch(() => undefined);
  service.version = '1.1.0';
  await predict.call(service, [[1]]);
  for await (const _ of generate()) void _;
  vi.restoreAllMocks();
}

async function exposition(reader: Reader, provider: MeterProvider): Promise<string> {
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  await provider.shutdown();
  return serialize(resourceMetrics);
}

describe('the fast path and the OpenTelemetry API path', () => {
  it('produce the same series names, attributes and values for the same calls', async () => {
    // 1. No @inferometer/node: the service's own MeterProvider, through the OpenTelemetry API.
    const apiReader = new Reader({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
    const apiProvider = new MeterProvider({ readers: [apiReader] });
    metrics.setGlobalMeterProvider(apiProvider);
    await workload();
    const viaApi = await exposition(apiReader, apiProvider);
    metrics.disable();

    // 2. The native recorder, through a MetricProducer.
    const catalog = createCatalogProducer('cumulative');
    const nativeReader = new Reader({ metricProducers: [catalog.producer as MetricProducer] });
    const nativeProvider = new MeterProvider({ readers: [nativeReader] });
    metrics.setGlobalMeterProvider(nativeProvider);
    await workload();
    const viaNative = await exposition(nativeReader, nativeProvider);
    catalog.close();

    const api = sampleMap(parseStrict(viaApi).samples.filter((s) => s.labels.model_name?.startsWith('equal')));
    const native = sampleMap(parseStrict(viaNative).samples.filter((s) => s.labels.model_name?.startsWith('equal')));
    expect(native.size).toBeGreaterThan(60);
    expect(native).toEqual(api);
    expect(parseStrict(viaNative).types).toEqual(parseStrict(viaApi).types);
  });
});
