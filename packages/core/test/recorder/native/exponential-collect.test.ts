import { beforeEach, describe, expect, it } from 'vitest';
import { ATTR_MODEL_NAME, METRIC_PREDICTION_LATENCY } from '../../../src/catalog.js';
import { attachCollectorTo } from '../../../src/collector.js';
import { InstrumentOptionError } from '../../../src/errors.js';
import { instrumentIn } from '../../../src/instrument.js';
import { createRuntime, type Runtime } from '../../../src/runtime.js';
import type { CollectedExponentialHistogram, CollectedHistogram, CollectedMetric } from '../../../src/recorder/native/collector.js';
import { ExponentialHistogram } from '../../../src/recorder/native/exponential.js';
import type { HistogramKind } from '../../../src/recorder/recorder.js';

let rt: Runtime;
beforeEach(() => {
  rt = createRuntime();
});

const end = (): [number, number] => [Math.floor(Date.now() / 1000), 0];
function latency(metrics: CollectedMetric[], model: string) {
  const of = (exponential: boolean) => metrics.find((m) => m.definition.name === METRIC_PREDICTION_LATENCY.name && (m.exponential === true) === exponential)?.points.filter((p) => p.attributes[ATTR_MODEL_NAME] === model) ?? [];
  return { explicit: of(false).map((p) => p.value as CollectedHistogram), exponential: of(true).map((p) => p.value as CollectedExponentialHistogram) };
}

/** A model whose function reports the given latencies (the wrapper times it; here we record through the series directly). */
function record(model: string, values: number[], histograms?: HistogramKind | { latency?: HistogramKind }): void {
  const fn = instrumentIn(rt, (x: number) => x, { model, version: '1', ...(histograms === undefined ? {} : { histograms }) });
  fn(0); // creates the series
  const handle = rt.recorder.handles.find((h) => h.attributes[ATTR_MODEL_NAME] === model)!;
  for (const v of values) handle.native.latency.record(v);
}

describe('exponential histograms on the fast path', () => {
  it('a model asking for both keeps explicit and exponential; a reader reading both gets two entries with the same count', () => {
    const collector = attachCollectorTo(rt, { histograms: 'both' });
    record('m', [0.001, 0.01, 0.1, 1], { latency: 'both' });
    const { explicit, exponential } = latency(collector.collect(end()), 'm');
    expect(explicit[0]!.count).toBe(5);
    expect(exponential[0]!.count).toBe(5);
    const reference = new ExponentialHistogram();
    // The wrapper's own call first (its latency is some small positive value), then ours.
    expect(exponential[0]!.positive.bucketCounts.reduce((a, b) => a + b, 0)).toBe(5);
    for (const v of [0.001, 0.01, 0.1, 1]) reference.record(v);
    expect(exponential[0]!.scale).toBeLessThanOrEqual(reference.scale);
  });

  it('an exponential-only model gives exponential points to an explicit reader, and only those', () => {
    const collector = attachCollectorTo(rt, {});
    record('e', [0.5, 2], 'exponential');
    const { explicit, exponential } = latency(collector.collect(end()), 'e');
    expect(explicit).toEqual([]);
    expect(exponential[0]!.count).toBe(3);
  });

  it('a reader asking for exponential widens series that the model left to the readers', () => {
    record('w', [1]);
    const collector = attachCollectorTo(rt, { histograms: 'exponential' });
    record('w', [0.25, 0.5]);
    const { explicit, exponential } = latency(collector.collect(end()), 'w');
    expect(explicit).toEqual([]);
    // Exponential state starts when the reader attaches: the second call and the two values after it, not the first 1.
    expect(exponential[0]!.count).toBe(3);
    expect(exponential[0]!.max).toBe(0.5);
  });

  it('delta readers get the interval\'s buckets, brought to the current scale', () => {
    const collector = attachCollectorTo(rt, { temporality: 'delta', histograms: 'exponential' });
    record('d', []);
    const handle = rt.recorder.handles.find((h) => h.attributes[ATTR_MODEL_NAME] === 'd')!;
    const first = latency(collector.collect(end()), 'd').exponential[0]!;
    expect(first.count).toBe(1);
    // A value 2^100 away forces a lower scale in the cumulative state.
    handle.native.latency.record(2 ** 100);
    handle.native.latency.record(1.5);
    const second = latency(collector.collect(end()), 'd').exponential[0]!;
    expect(second.count).toBe(2);
    expect(second.scale).toBeLessThan(first.scale);
    expect(second.scale).toBe(handle.native.latency.exponential!.scale);
    // Only the interval's two values are in the buckets, at their own indexes.
    expect(second.positive.bucketCounts.reduce((a, b) => a + b, 0)).toBe(2);
    const alone = new ExponentialHistogram();
    alone.record(1.5);
    alone.downscale(alone.scale - second.scale);
    expect(second.positive.offset).toBe(alone.posStart);
    expect(latency(collector.collect(end()), 'd').exponential).toEqual([]);
  });

  it('rejects an unknown kind at instrument time, naming the option', () => {
    expect(() => instrumentIn(rt, (x: number) => x, { model: 'bad', histograms: 'native' as never })).toThrow(InstrumentOptionError);
    expect(() => instrumentIn(rt, (x: number) => x, { model: 'bad', histograms: { latncy: 'both' } as never })).toThrow(expect.objectContaining({ option: 'histograms.latncy' }));
    expect(() => attachCollectorTo(rt, { histograms: 'native' as never })).toThrow(expect.objectContaining({ option: 'histograms' }));
  });
});
