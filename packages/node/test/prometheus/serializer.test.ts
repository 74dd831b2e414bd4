import { diag, DiagLogLevel, metrics } from '@opentelemetry/api';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { instrument } from '@inferometer/core';
import { createCatalogProducer } from '../../src/native/producer.js';
import { serialize, serializeChunks, SteppedFamilies } from '../../src/prometheus/serializer.js';
import { parseStrict, sampleMap } from '@inferometer/testing';
import { recordClashingInstruments } from '../helpers/clashes.js';

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

describe('Prometheus serializer: the service cannot break the exposition with its own instruments', () => {
  it('writes no line out of a unit with a newline in it, in either format', async () => {
    const reader = new Reader();
    const provider = new MeterProvider({ readers: [reader] });
    cleanup.push(() => provider.shutdown());
    provider.getMeter('m').createCounter('uploads', { unit: 's\ninjected_metric 42' }).add(1);
    const data = (await reader.collect()).resourceMetrics;
    for (const format of ['text', 'openmetrics'] as const) {
      const text = serialize(data, { format });
      expect(text).not.toMatch(/^injected_metric/m);
      expect(parseStrict(text).samples.map((s) => s.name).sort()).toEqual(['target_info', 'uploads_total']);
    }
  });

  it('escapes HELP for each format', async () => {
    const reader = new Reader();
    const provider = new MeterProvider({ readers: [reader] });
    cleanup.push(() => provider.shutdown());
    provider.getMeter('m').createGauge('odd').record(1);
    provider.getMeter('m').createGauge('odd_help', { description: 'a\nb \\ "q"' }).record(1);
    const data = (await reader.collect()).resourceMetrics;
    expect(serialize(data)).toContain('# HELP odd_help a\\nb \\\\ "q"\n');
    expect(serialize(data, { format: 'openmetrics' })).toContain('# HELP odd_help a\\nb \\\\ \\"q\\"\n');
  });

  it('writes # UNIT in OpenMetrics only when the unit ends the name, as OpenMetrics requires', async () => {
    const reader = new Reader();
    const provider = new MeterProvider({ readers: [reader] });
    cleanup.push(() => provider.shutdown());
    const meter = provider.getMeter('m');
    meter.createHistogram('request_duration_seconds', { unit: 's' }).record(1);
    meter.createCounter('sent_bytes', { unit: 'By' }).add(1);
    meter.createGauge('duration', { unit: 's' }).record(1);
    const data = (await reader.collect()).resourceMetrics;
    const om = serialize(data, { format: 'openmetrics' });
    expect(om).toContain('# UNIT request_duration_seconds seconds\n');
    expect(om).toContain('# TYPE sent_bytes counter\n# UNIT sent_bytes bytes\n');
    expect(om).not.toContain('# UNIT duration');
    expect(serialize(data)).not.toContain('# UNIT');
  });

  it('keeps the first of two families whose names collide and leaves the later one out, with diag once', async () => {
    const logged: string[] = [];
    const log = (message: string): void => void logged.push(message);
    diag.setLogger({ error: log, warn: log, info: () => undefined, debug: () => undefined, verbose: () => undefined }, DiagLogLevel.WARN);
    cleanup.push(() => diag.disable());
    const reader = new Reader();
    const provider = new MeterProvider({ readers: [reader] });
    cleanup.push(() => provider.shutdown());
    const meter = provider.getMeter('m');
    recordClashingInstruments(meter);
    const data = (await reader.collect()).resourceMetrics;
    const dropped: string[] = [];
    for (const format of ['text', 'openmetrics'] as const) {
      const text = serialize(data, { format, onDroppedFamily: (name) => dropped.push(name) });
      const { samples } = parseStrict(text);
      expect(samples.filter((s) => s.name === 'target_info')).toHaveLength(1);
      expect(samples.find((s) => s.name === 'target_info')!.value).toBe(1);
      expect(samples.find((s) => s.name === 'latency_count')!.value).toBe(1);
      expect(samples.find((s) => s.name === 'jobs_total')!.value).toBe(1);
      expect(samples.find((s) => s.name === 'jobs')).toBeUndefined();
      expect(text.match(/^# TYPE /gm)!.length).toBe(new Set(text.match(/^# TYPE \S+/gm)).size);
    }
    expect(dropped).toEqual(['target_info', 'latency_count', 'jobs', 'target_info', 'latency_count', 'jobs']);
    serialize(data);
    expect(logged.filter((m) => m.includes('left out of /metrics'))).toHaveLength(3);
  });

  it('writes a series once when two attribute sets translate to the same labels (the first one wins)', async () => {
    const reader = new Reader();
    const provider = new MeterProvider({ readers: [reader] });
    cleanup.push(() => provider.shutdown());
    const meter = provider.getMeter('m');
    const hits = meter.createCounter('hits');
    hits.add(1, { a_b: 'x' });
    hits.add(2, { 'a.b': 'x' });
    hits.add(3, { n: '3' });
    hits.add(4, { n: 3 });
    const sizes = meter.createHistogram('sizes', { advice: { explicitBucketBoundaries: [1] } });
    sizes.record(5, { 'k.k': 'v' });
    sizes.record(6, { k_k: 'v' });
    const data = (await reader.collect()).resourceMetrics;
    for (const format of ['text', 'openmetrics'] as const) {
      const samples = sampleMap(parseStrict(serialize(data, { format })).samples);
      expect(samples.get('hits_total{a_b="x"}')).toBe(1);
      expect(samples.get('hits_total{n="3"}')).toBe(3);
      expect(samples.get('sizes_sum{k_k="v"}')).toBe(5);
    }
  });

  it('writes OpenMetrics with counters as TYPE x counter over x_total and ends with # EOF', async () => {
    const data = await collectEverything();
    const om = serialize(data, { format: 'openmetrics' });
    expect(om).toContain('# TYPE ml_predictions counter\n');
    expect(om).not.toContain('# TYPE ml_predictions_total');
    expect(om.endsWith('# EOF\n')).toBe(true);
    expect(om.match(/# EOF/g)).toHaveLength(1);
    expect(sampleMap(parseStrict(om).samples)).toEqual(sampleMap(parseStrict(serialize(data)).samples));
  });
});

describe('Prometheus serializer: families written ahead in steps', () => {
  /** The catalog's metrics in parts (one per metric, as steps hand them on), written ahead, then served after the rest. */
  async function writtenAhead(format: 'text' | 'openmetrics', allocate: (size: number) => Buffer) {
    const data = await collectEverything();
    const catalog = data.scopeMetrics.find((scope) => scope.metrics.some((metric) => metric.descriptor.name.startsWith('ml_')))!;
    const families = new SteppedFamilies({ format }, 500, allocate);
    for (const metric of catalog.metrics) families.add([metric]);
    const rendered = families.finish();
    const scopeMetrics = data.scopeMetrics.map((scope) => (scope === catalog ? { scope: scope.scope, metrics: rendered.placeholders } : scope));
    return { data, rendered, chunks: [...serializeChunks({ ...data, scopeMetrics }, 500, allocate, { format, rendered })] };
  }

  it.each(['text', 'openmetrics'] as const)('gives the bytes of one serialization of the same data (%s), and hands out every buffer it takes', async (format) => {
    const taken: Buffer[] = [];
    const allocate = (size: number) => {
      // Buffer.alloc: a buffer of its own (allocUnsafe puts small ones in one shared slab).
      const buffer = Buffer.alloc(size);
      taken.push(buffer);
      return buffer;
    };
    const { data, rendered, chunks } = await writtenAhead(format, allocate);
    expect(Buffer.concat(chunks).toString('utf8')).toBe(serialize(data, { format }));
    // A buffer taken and neither handed out nor among the families' chunks
    // (which the pull endpoint's round gives back) would be lost to its pool.
    const handedOut = new Set([...chunks, ...rendered.chunks].map((chunk) => chunk.buffer));
    expect(taken.filter((buffer) => !handedOut.has(buffer.buffer))).toEqual([]);
  });

  it('copies small families written ahead in beside each other: one chunk for a catalog that fits one, not one per family', async () => {
    const data = await collectEverything();
    const catalog = data.scopeMetrics.find((scope) => scope.metrics.some((metric) => metric.descriptor.name.startsWith('ml_')))!;
    const families = new SteppedFamilies({ format: 'text' }, 64 * 1024, Buffer.alloc);
    for (const metric of catalog.metrics) families.add([metric]);
    const rendered = families.finish();
    const scopeMetrics = data.scopeMetrics.map((scope) => (scope === catalog ? { scope: scope.scope, metrics: rendered.placeholders } : scope));
    const chunks = [...serializeChunks({ ...data, scopeMetrics }, 64 * 1024, Buffer.alloc, { rendered })];
    expect(rendered.placeholders.length).toBeGreaterThan(3);
    expect(Buffer.concat(chunks).toString('utf8')).toBe(serialize(data));
    expect(chunks).toHaveLength(1);
  });
});
