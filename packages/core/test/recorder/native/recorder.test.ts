import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ATTR_MODEL_NAME,
  ATTR_STATUS,
  METRIC_ACTIVE_MODEL_VERSION,
  METRIC_MODEL_INFO,
  METRIC_PREDICTION_ERRORS,
  METRIC_PREDICTION_LATENCY,
  METRIC_PREDICTIONS,
  METRIC_PREDICTIONS_IN_FLIGHT,
  STATUS_ERROR,
  STATUS_SUCCESS,
} from '../../../src/catalog.js';
import { attachCollectorTo, type CatalogCollector } from '../../../src/collector.js';
import { instrument as instrumentInProcess, instrumentIn } from '../../../src/instrument.js';
import { createRuntime, type Runtime } from '../../../src/runtime.js';
import type { CollectedHistogram, CollectedMetric } from '../../../src/recorder/native/collector.js';
import { setupTestMetrics, type TestMetrics } from '@inferometer/testing';

const model = 'iris';
let rt: Runtime;
beforeEach(() => {
  // Fresh state per test: a runtime of its own, so no collector or series outlives the test.
  rt = createRuntime();
});

/** instrument() on this test's runtime. */
const instrument: typeof instrumentInProcess = (fn, options) => instrumentIn(rt, fn, options);

function attach(temporality: 'cumulative' | 'delta' = 'cumulative'): CatalogCollector {
  return attachCollectorTo(rt, { temporality });
}

const end = (): [number, number] => [Math.floor(Date.now() / 1000), 0];
function points(metrics: CollectedMetric[], name: string) {
  return (metrics.find((m) => m.definition.name === name)?.points ?? []).filter((p) => p.attributes[ATTR_MODEL_NAME] === model);
}

describe('native recording', () => {
  it('counts exactly, concurrent and rejected calls included, once a collector is attached', async () => {
    const collector = attach();
    const predict = instrument(async (i: number) => {
      await new Promise((resolve) => setTimeout(resolve, i % 3));
      if (i % 4 === 0) throw new Error('x');
      return i;
    }, { model, version: '1' });
    await Promise.allSettled(Array.from({ length: 100 }, (_, i) => predict(i)));
    const collected = collector.collect(end());
    const byStatus = Object.fromEntries(points(collected, METRIC_PREDICTIONS.name).map((p) => [p.attributes[ATTR_STATUS], p.value]));
    expect(byStatus).toEqual({ success: 75, error: 25 });
    expect((points(collected, METRIC_PREDICTION_LATENCY.name)[0]!.value as CollectedHistogram).count).toBe(100);
    expect(points(collected, METRIC_PREDICTIONS_IN_FLIGHT.name)[0]!.value).toBe(0);
    expect(points(collected, METRIC_MODEL_INFO.name).map((p) => p.value)).toEqual([1]);
    expect(points(collected, METRIC_ACTIVE_MODEL_VERSION.name).map((p) => p.value)).toEqual([1]);
  });

  it('delta collectors report what happened since their last collection; cumulative ones everything', () => {
    const cumulative = attach('cumulative');
    const delta = attach('delta');
    const predict = instrument((x: number) => x, { model, version: '1' });
    predict(1);
    predict(2);
    const success = (c: CatalogCollector) =>
      points(c.collect(end()), METRIC_PREDICTIONS.name).find((p) => p.attributes[ATTR_STATUS] === STATUS_SUCCESS)?.value;
    expect(success(delta)).toBe(2);
    predict(3);
    expect(success(delta)).toBe(1);
    expect(success(delta)).toBeUndefined();
    expect(success(cumulative)).toBe(3);
  });

  it('a status or error type first counted after some collections: its whole count once on both, then only its growth on delta, and the same attribute object each time', () => {
    const cumulative = attach('cumulative');
    const delta = attach('delta');
    let fail = false;
    const predict = instrument((x: number) => {
      if (fail) throw new RangeError('out of range');
      return x;
    }, { model, version: '1' });
    predict(1);
    const read = (c: CatalogCollector) => {
      const metrics = c.collect(end());
      return {
        statuses: Object.fromEntries(points(metrics, METRIC_PREDICTIONS.name).map((p) => [p.attributes[ATTR_STATUS], p.value])),
        errorPoint: points(metrics, METRIC_PREDICTION_ERRORS.name)[0],
      };
    };
    // No error yet: no error point, on either reader.
    expect(read(delta).statuses).toEqual({ [STATUS_SUCCESS]: 1 });
    expect(read(cumulative).statuses).toEqual({ [STATUS_SUCCESS]: 1 });
    fail = true;
    for (const x of [2, 3]) expect(() => predict(x)).toThrow(RangeError);
    const first = read(delta);
    expect(first.statuses).toEqual({ [STATUS_ERROR]: 2 });
    expect(first.errorPoint?.value).toBe(2);
    expect(read(cumulative).statuses).toEqual({ [STATUS_SUCCESS]: 1, [STATUS_ERROR]: 2 });
    expect(() => predict(4)).toThrow(RangeError);
    const second = read(delta);
    expect(second.statuses).toEqual({ [STATUS_ERROR]: 1 });
    expect(second.errorPoint?.value).toBe(1);
    // Serializers cache label strings per attribute object: it is made once.
    expect(second.errorPoint?.attributes).toBe(first.errorPoint?.attributes);
    expect(read(cumulative).errorPoint?.value).toBe(3);
  });

  it('delta histograms carry the interval\'s buckets and count', () => {
    const delta = attach('delta');
    const predict = instrument((x: number) => x, { model, confidence: (x) => x });
    predict(0.15);
    delta.collect(end());
    predict(0.95);
    predict(0.95);
    const value = points(delta.collect(end()), 'ml_prediction_confidence')[0]!.value as CollectedHistogram;
    expect(value.count).toBe(2);
    expect(value.sum).toBeCloseTo(1.9, 10);
    expect(value.buckets.counts.at(-2)).toBe(2);
    expect(value.buckets.counts[1]).toBe(0);
  });

  it('honours per-model buckets natively', () => {
    const collector = attach();
    instrument((x: number) => x, { model, buckets: { confidence: [0.5, 0.9] }, confidence: (x) => x })(0.7);
    const value = points(collector.collect(end()), 'ml_prediction_confidence')[0]!.value as CollectedHistogram;
    expect(value.buckets).toEqual({ boundaries: [0.5, 0.9], counts: [0, 1, 0] });
  });

  it('goes back to the OpenTelemetry API when the last collector detaches, and the counts continue', async () => {
    const testMetrics: TestMetrics = setupTestMetrics();
    try {
      const collector = attach();
      const predict = instrument((x: number) => x, { model, version: '1' });
      predict(1);
      expect(await testMetrics.value(METRIC_PREDICTIONS.name, { [ATTR_MODEL_NAME]: model })).toBeUndefined();
      collector.detach();
      predict(2);
      expect(await testMetrics.value(METRIC_PREDICTIONS.name, { [ATTR_MODEL_NAME]: model })).toBe(1);
      const again = attach();
      predict(3);
      expect(points(again.collect(end()), METRIC_PREDICTIONS.name)[0]!.value).toBe(2);
    } finally {
      await testMetrics.shutdown();
    }
  });

  it('shares one series between two functions with the same identity (no duplicate points)', () => {
    const collector = attach();
    instrument(() => 1, { model, version: '1', attributes: { a: 'x', b: 'y' } })();
    instrument(() => 2, { model, version: '1', attributes: { b: 'y', a: 'x' } })();
    const success = points(collector.collect(end()), METRIC_PREDICTIONS.name);
    expect(success).toHaveLength(1);
    expect(success[0]!.value).toBe(2);
  });

  it('refuses an unknown temporality, naming the option', () => {
    expect(() => attach('monthly' as 'delta')).toThrow(`option "temporality" must be 'cumulative' or 'delta'`);
  });

  it('records the version that served each call when the version changes mid-stream', async () => {
    const collector = attach();
    const service = { version: '1.0.0' };
    const predict = instrument(async function (this: typeof service) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return this.version;
    }, { model, version: (self) => self.version });
    const first = predict.call(service);
    service.version = '2.0.0';
    const second = predict.call(service);
    await Promise.all([first, second]);
    const versions = points(collector.collect(end()), METRIC_PREDICTIONS.name).map((p) => [p.attributes.model_version, p.value]);
    expect(versions.sort()).toEqual([['1.0.0', 1], ['2.0.0', 1]]);
    vi.restoreAllMocks();
  });
});

describe('collection in parts', () => {
  /** Points per metric name and attribute set, values as collected (histograms by count and sum). */
  function byMetric(metrics: CollectedMetric[]): Record<string, Record<string, unknown>> {
    const out: Record<string, Record<string, unknown>> = {};
    for (const metric of metrics) {
      const points = (out[metric.definition.name] ??= {});
      for (const point of metric.points) {
        const key = JSON.stringify(point.attributes);
        expect(points[key], `${metric.definition.name} ${key} twice`).toBeUndefined();
        const value = point.value;
        points[key] = typeof value === 'number' ? value : { count: value.count, sum: value.sum };
      }
    }
    return out;
  }

  it("hands each step's series to onPart as it is read, keeps only the last step's and the process-wide metrics, and the parts make up the whole collection", () => {
    const collector = attach();
    const predict = instrument((shard: string) => {
      if (shard === 's3') throw new Error('no');
      return shard;
    }, { model, version: '1', attributes: { shard: (_self, [shard]) => shard } });
    for (let i = 0; i < 10; i++) {
      try {
        predict(`s${i}`);
      } catch {
        // s3 fails on purpose: its error count is in the parts too.
      }
    }
    const whole = collector.collect(end());
    const parts: CollectedMetric[][] = [];
    const steps = collector.collectInSteps(end(), 3, (part) => parts.push(part));
    let pauses = 0;
    let step = steps.next();
    while (step.done !== true) {
      // Each part arrives before its pause, never after.
      expect(parts).toHaveLength(++pauses);
      step = steps.next();
    }
    // 10 series, 3 a step: three parts before the pauses, the last series in the result.
    expect(parts).toHaveLength(3);
    for (const part of parts) {
      expect(part.map((metric) => metric.definition.name)).not.toContain(METRIC_MODEL_INFO.name);
      expect(points(part, METRIC_PREDICTIONS.name).length).toBeGreaterThan(0);
    }
    const tail = step.value;
    expect(points(tail, METRIC_MODEL_INFO.name).map((p) => p.value)).toEqual([1]);
    expect(points(tail, METRIC_PREDICTION_LATENCY.name).length).toBeLessThan(10);
    expect(byMetric([...parts.flat(), ...tail])).toEqual(byMetric(whole));
  });
});

describe('native recording across a switch of path', () => {
  it('never takes in-flight below zero for a call that began before the collector attached', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const predict = instrument(async () => gate, { model, version: '1' });
    const running = predict(); // begins on the OpenTelemetry API path
    const collector = attach();
    release();
    await running;
    const collected = collector.collect(end());
    expect(points(collected, METRIC_PREDICTIONS_IN_FLIGHT.name)[0]?.value ?? 0).toBe(0);
    expect(points(collected, METRIC_PREDICTIONS.name)[0]!.value).toBe(1);
  });
});

describe('delta start times', () => {
  it('start the dropped-observations interval where the previous collection ended', () => {
    const delta = attach('delta');
    const predict = instrument((x: number) => x, { model, batchSize: () => Number.NaN });
    predict(1);
    const t1: [number, number] = [1000, 0];
    const t2: [number, number] = [2000, 0];
    delta.collect(t1);
    predict(2);
    const dropped = delta.collect(t2).find((m) => m.definition.name === 'inferometer_dropped_observations')!.points.find((p) => p.attributes.model_name === model)!;
    expect(dropped.startTime).toEqual(t1);
    expect(dropped.endTime).toEqual(t2);
    expect(dropped.value).toBe(1);
  });
});

describe('hostile results', () => {
  it('never lets a throwing getter on the result reach the caller', () => {
    const result = {
      get length(): number {
        throw new Error('getter');
      },
    };
    const predict = instrument(() => result, { model, confidence: (r) => r as never });
    expect(predict()).toBe(result);
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const other = instrument(() => revoked.proxy, { model: `${model}_revoked` });
    expect(other()).toBe(revoked.proxy);
  });
});
