import { deflateRawSync } from 'node:zlib';
import { ValueType } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType, MeterProvider, type MetricData, type ScopeMetrics } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { Aggregator } from '../../src/cluster/aggregator.js';
import { LocalReader } from '../../src/cluster/local-reader.js';
import { WIRE_VERSION } from '../../src/cluster/names.js';
import { encode, type WirePayload } from '../../src/cluster/wire.js';
import { chunk } from '../../src/cluster/worker.js';
import { createCatalogProducer, READ_ELSEWHERE, steppedCatalogOf, withoutProducer } from '../../src/native/producer.js';
import { instrument } from '@inferometer/core';

// The aggregator's bookkeeping of a member's messages, with the member's
// transport answering in-process (the cluster and thread tests run the real channels).
const T0: [number, number] = [100, 0];
const calls = (points: Record<string, number>): ScopeMetrics[] => [
  {
    scope: { name: 's' },
    metrics: [
      {
        descriptor: { name: 'calls', description: '', unit: '', valueType: ValueType.DOUBLE },
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.SUM,
        isMonotonic: true,
        dataPoints: Object.entries(points).map(([model, value]) => ({ startTime: T0, endTime: T0, attributes: { model }, value })),
      } as MetricData,
    ],
  },
];
const served = (merged: ScopeMetrics[]): Record<string, unknown> =>
  Object.fromEntries(merged.flatMap((s) => s.metrics).filter((m) => m.descriptor.name === 'calls').flatMap((m) => m.dataPoints.map((p) => [p.attributes.model, p.value])));

const providers: MeterProvider[] = [];
afterEach(async () => {
  for (const provider of providers.splice(0)) await provider.shutdown();
});

/** An aggregator with one member `m` that answers each request with `answer()` (or not at all when it gives undefined). */
function setup(answer: () => ScopeMetrics[] | undefined, collectTimeoutMillis = 2_000): { aggregator: Aggregator; asked: () => number } {
  const local = new LocalReader([]);
  const provider = new MeterProvider({ readers: [local] });
  providers.push(provider);
  const aggregator = new Aggregator({ local, collectTimeoutMillis, meter: provider.getMeter('test') });
  let asked = 0;
  aggregator.join('m', {
    kind: 'process',
    label: 'member m',
    ask: (id) => {
      asked++;
      const points = answer();
      if (points !== undefined) queueMicrotask(() => aggregator.answer('m', id, WIRE_VERSION, encode(points)));
    },
  });
  return { aggregator, asked: () => asked };
}

describe('a member\'s messages in the aggregator', () => {
  const push = (points: Record<string, number>): string => deflateRawSync(JSON.stringify(encode(calls(points)))).toString('base64');

  it('serves its latest push over its last answer, and the final series over both when it leaves; an answer replaces what came before', async () => {
    let answer = calls({ a: 5, b: 3 });
    const { aggregator } = setup(() => answer);
    expect(served(await aggregator.collect())).toEqual({ a: 5, b: 3 });
    // Pushes: every counter each time; the latest wins.
    aggregator.pushed('m', WIRE_VERSION, push({ a: 6, b: 3 }));
    aggregator.pushed('m', WIRE_VERSION, push({ a: 9, b: 3, c: 1 }));
    // An answer replaces everything sent before.
    answer = calls({ a: 10, b: 4, c: 2 });
    expect(served(await aggregator.collect())).toEqual({ a: 10, b: 4, c: 2 });
    aggregator.pushed('m', WIRE_VERSION, push({ a: 12, b: 4, c: 2 }));
    // The final points: only the series changed since that push.
    aggregator.update('m', WIRE_VERSION, encode(calls({ a: 13, d: 1 })));
    aggregator.leave('m');
    expect(served(await aggregator.collect())).toEqual({ a: 13, b: 4, c: 2, d: 1 });
  });

  it('applies final series that came before a push in their order', async () => {
    const { aggregator } = setup(() => undefined, 50);
    aggregator.update('m', WIRE_VERSION, encode(calls({ a: 2 })));
    aggregator.pushed('m', WIRE_VERSION, push({ a: 3, b: 1 }));
    aggregator.leave('m');
    expect(served(await aggregator.collect())).toEqual({ a: 3, b: 1 });
  });

  it('ignores a push of another wire version, or one that cannot be read', async () => {
    const { aggregator } = setup(() => undefined, 50);
    aggregator.pushed('m', WIRE_VERSION, push({ a: 2 }));
    aggregator.leave('m');
    aggregator.join('n', { kind: 'process', label: 'member n', ask: () => undefined });
    aggregator.pushed('n', WIRE_VERSION, push({ a: 5 }));
    aggregator.pushed('n', WIRE_VERSION + 1, push({ a: 99 }));
    aggregator.update('n', WIRE_VERSION + 1, encode(calls({ a: 98 })));
    aggregator.leave('n');
    expect(served(await aggregator.collect())).toEqual({ a: 7 });
    aggregator.join('o', { kind: 'process', label: 'member o', ask: () => undefined });
    aggregator.pushed('o', WIRE_VERSION, '{"scopes": not json');
    aggregator.leave('o');
    expect(served(await aggregator.collect())).toEqual({ a: 7 });
  });

  it('keeps an answer that comes after its collection gave up: it is newer than what the member sent before', async () => {
    const { aggregator } = setup(() => undefined, 50);
    aggregator.pushed('m', WIRE_VERSION, push({ a: 1 }));
    // The request goes unanswered: the member's last points are served.
    expect(served(await aggregator.collect())).toEqual({ a: 1 });
    aggregator.answer('m', 1, WIRE_VERSION, encode(calls({ a: 7 })));
    aggregator.leave('m');
    expect(served(await aggregator.collect())).toEqual({ a: 7 });
  });

  it('does not ask a member whose process ended: a collection waits for its final points and its leave', async () => {
    const { aggregator, asked } = setup(() => calls({ a: 1 }));
    await aggregator.collect();
    expect(asked()).toBe(1);
    aggregator.departing('m');
    const collection = aggregator.collect();
    // What its channel still held, then its end.
    aggregator.pushed('m', WIRE_VERSION, push({ a: 3 }));
    aggregator.update('m', WIRE_VERSION, encode(calls({ a: 4 })));
    aggregator.leave('m');
    expect(served(await collection)).toEqual({ a: 4 });
    expect(asked()).toBe(1);
  });

  it('lets a departing member go after the collect timeout when its channel never closes, keeping its last points', async () => {
    const { aggregator } = setup(() => calls({ a: 3 }), 50);
    await aggregator.collect();
    aggregator.departing('m');
    expect(served(await aggregator.collect())).toEqual({ a: 3 });
    expect(aggregator.has('m')).toBe(false);
  });
});

describe('the final points in pieces', () => {
  const payload = (series: number): WirePayload => encode(calls(Object.fromEntries(Array.from({ length: series }, (_, i) => [`model-${i}`, i]))));

  it('cuts a payload into pieces of at most the given JSON size, every point once and in order', () => {
    const whole = payload(500);
    const pieces = chunk(whole, 2_048);
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces) expect(JSON.stringify(piece).length).toBeLessThanOrEqual(2_048);
    const points = (p: WirePayload[]): unknown[] => p.flatMap((x) => x.scopes.flatMap((s) => s.metrics.flatMap((m) => m.points)));
    expect(points(pieces)).toEqual(points([whole]));
    // Every piece names its scope and metric: the primary reads each alone.
    for (const piece of pieces) expect(piece.scopes[0]?.metrics[0]?.name).toBe('calls');
  });

  it('sends one piece when the payload is empty or small', () => {
    expect(chunk({ scopes: [] }, 2_048)).toEqual([{ scopes: [] }]);
    expect(chunk(payload(3), 2_048)).toHaveLength(1);
  });
});

describe('the merge read in steps', () => {
  const names = (scopes: readonly ScopeMetrics[]) => scopes.flatMap((scope) => scope.metrics.map((metric) => metric.descriptor.name));

  it("gives this process's instruments at once and its catalog to read once, in parts, while no member is joined; the whole merge once one is", async () => {
    const catalog = createCatalogProducer('cumulative');
    const local = new LocalReader([catalog.producer]);
    const provider = new MeterProvider({ readers: [local] });
    providers.push(provider);
    const aggregator = new Aggregator({ local, collectTimeoutMillis: 2_000, meter: provider.getMeter('test'), catalog: catalog.producer });
    try {
      provider.getMeter('service').createCounter('own').add(3);
      instrument((x: number) => x, { model: 'merged-in-steps', version: '1' })(1);
      const cumulative = aggregator.producer('cumulative');
      const stepped = steppedCatalogOf(cumulative)!;
      expect(stepped).toBeDefined();
      // A delta reader converts the merge itself: it is not read in steps.
      expect(steppedCatalogOf(aggregator.producer('delta'))).toBeUndefined();

      expect(stepped.steppable()).toBe(true);
      const reading = await stepped.begin();
      if ('whole' in reading) throw new Error('expected a reading in steps');
      expect(names(reading.rest)).toContain('own');
      expect(names([...reading.rest, ...reading.after])).not.toContain('ml_predictions');
      const parts: MetricData[][] = [];
      await reading.readParts((part) => parts.push(part));
      expect(parts.flat().map((metric) => metric.descriptor.name)).toContain('ml_predictions');
      // The reader reading it in steps gets only the stand-in scope from its own collection.
      const skipped = await withoutProducer(cumulative, () => cumulative.collect());
      expect(skipped.resourceMetrics.scopeMetrics.map((scope) => [scope.scope, scope.metrics.length])).toEqual([[READ_ELSEWHERE, 0]]);
      expect(names((await cumulative.collect()).resourceMetrics.scopeMetrics)).toContain('ml_predictions');

      aggregator.join('m', { kind: 'thread', label: 'thread m', ask: (id) => queueMicrotask(() => aggregator.answer('m', id, WIRE_VERSION, encode(calls({ a: 2 })))) });
      expect(stepped.steppable()).toBe(false);
      const merged = await stepped.begin();
      if (!('whole' in merged)) throw new Error('expected the whole merge');
      expect(names(merged.whole)).toEqual(expect.arrayContaining(['own', 'ml_predictions', 'calls']));
      expect(served(merged.whole)).toEqual({ a: 2 });
    } finally {
      aggregator.close();
      catalog.close();
    }
  });
});
