import { metrics } from '@opentelemetry/api';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { instrument } from '@inferometer/core';
import { createCatalogProducer } from '../../src/native/producer.js';
import { serialize, serializeChunks } from '../../src/prometheus/serializer.js';
import { parseStrict, sampleMap } from '@inferometer/testing';

class Reader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0)) await fn();
  metrics.disable();
});

/** SDK instruments of every kind plus the catalog through the producer, with awkward label values. */
async function collectEverything(): Promise<ResourceMetrics> {
  const catalog = createCatalogProducer('cumulative');
  cleanup.push(() => catalog.close());
  const reader = new Reader({ metricProducers: [catalog.producer], aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  const provider = new MeterProvider({ readers: [reader], resource: resourceFromAttributes({ 'service.name': 'serializer "test"', 'host.name': 'a\\b' }) });
  cleanup.push(() => provider.shutdown());
  const meter = provider.getMeter('user');
  const odd = { path: '/v1/"predict"\n', 'weird.key-name': 'x\\y', n: 3, flag: true };
  meter.createCounter('requests').add(5, odd);
  meter.createCounter('already_total').add(2);
  meter.createUpDownCounter('queue.depth').add(-3, { q: 'a' });
  meter.createHistogram('payload_bytes', { advice: { explicitBucketBoundaries: [10, 100, 1000] } }).record(50, odd);
  meter.createObservableGauge('temperature').addCallback((r) => r.observe(21.5, { room: 'ü' }));
  const predict = instrument(async (x: number) => {
    if (x < 0) throw new RangeError('negative');
    return [0.2, 0.8];
  }, { model: 'serializer', version: '1.0.0', confidence: (p) => p, batchSize: () => 4 });
  await predict(1);
  await predict(-1).catch(() => undefined);
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  return resourceMetrics;
}

describe('Prometheus serializer', () => {
  it('gives exactly the samples of @opentelemetry/exporter-prometheus for the same data', async () => {
    const data = await collectEverything();
    const reference = new PrometheusSerializer(undefined, false, undefined, false, true).serialize(data);
    const ours = serialize(data);
    const theirs = parseStrict(reference);
    const mine = parseStrict(ours);
    expect(sampleMap(mine.samples)).toEqual(sampleMap(theirs.samples));
    expect(mine.types).toEqual(theirs.types);
    expect(mine.samples.length).toBeGreaterThan(40);
    expect(ours).toContain('ml_predictions_total{model_name="serializer",model_version="1.0.0",status="success"} 1');
  });

  it('escapes label values as the exposition format requires', async () => {
    const ours = serialize(await collectEverything());
    expect(ours).toContain('requests_total{flag="true",n="3",path="/v1/\\"predict\\"\\n",weird_key_name="x\\\\y"} 5');
  });

  it('comes out in chunks of about the requested size that add up to the whole', async () => {
    const data = await collectEverything();
    const chunks = [...serializeChunks(data, 500)];
    expect(chunks.length).toBeGreaterThan(3);
    expect(Buffer.concat(chunks).toString('utf8')).toBe(serialize(data));
    for (const chunk of chunks.slice(0, -1)) expect(chunk.length).toBeLessThan(500 + 1200);
  });

  it('merges families of the same name from several scopes under one TYPE line', async () => {
    const reader = new Reader();
    const provider = new MeterProvider({ readers: [reader] });
    cleanup.push(() => provider.shutdown());
    provider.getMeter('a').createCounter('shared').add(1, { from: 'a' });
    provider.getMeter('b').createCounter('shared').add(2, { from: 'b' });
    const text = serialize((await reader.collect()).resourceMetrics);
    expect(text.match(/# TYPE shared_total counter/g)).toHaveLength(1);
    expect(parseStrict(text).samples.filter((s) => s.name === 'shared_total')).toHaveLength(2);
  });
});

describe('Prometheus serializer: label names that collide after sanitizing', () => {
  it('joins their values instead of repeating a label, which would make Prometheus refuse the scrape', async () => {
    const reader = new Reader();
    const provider = new MeterProvider({ readers: [reader], resource: resourceFromAttributes({ 'service.name': 'svc', service_name: 'legacy' }) });
    cleanup.push(() => provider.shutdown());
    provider.getMeter('m').createCounter('hits').add(1, { 'http.method': 'GET', http_method: 'get' });
    const text = serialize((await reader.collect()).resourceMetrics);
    expect(text).toContain('hits_total{http_method="GET;get"} 1');
    expect(text).toMatch(/target_info\{[^}]*service_name="svc;legacy"/);
    expect(() => parseStrict(text)).not.toThrow();
  });
});

describe('Prometheus serializer: attributes named like a label the format writes', () => {
  it('renames a histogram attribute `le` to `exported_le`, so bucket lines carry one `le`, and leaves it alone elsewhere', async () => {
    const reader = new Reader();
    const provider = new MeterProvider({ readers: [reader] });
    cleanup.push(() => provider.shutdown());
    const meter = provider.getMeter('m');
    meter.createHistogram('sizes', { advice: { explicitBucketBoundaries: [1, 10] } }).record(5, { le: 'user', kind: 'a' });
    meter.createCounter('hits').add(1, { le: 'user' });
    const text = serialize((await reader.collect()).resourceMetrics);
    const { samples } = parseStrict(text);
    const buckets = samples.filter((s) => s.name === 'sizes_bucket');
    expect(buckets.map((s) => s.labels)).toEqual([
      { exported_le: 'user', kind: 'a', le: '1' },
      { exported_le: 'user', kind: 'a', le: '10' },
      { exported_le: 'user', kind: 'a', le: '+Inf' },
    ]);
    expect(samples.find((s) => s.name === 'sizes_count')!.labels).toEqual({ exported_le: 'user', kind: 'a' });
    expect(samples.find((s) => s.name === 'hits_total')!.labels).toEqual({ le: 'user' });
  });
});
