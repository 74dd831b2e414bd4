import { context, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AlwaysOffSampler, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ATTR_ERROR_TYPE, ATTR_MODEL_NAME, METRIC_PREDICTION_ERRORS, METRIC_PREDICTION_LATENCY } from '../../../src/catalog.js';
import { attachCollectorTo } from '../../../src/collector.js';
import { instrument as instrumentInProcess, instrumentIn } from '../../../src/instrument.js';
import type { CollectedHistogram, CollectedMetric } from '../../../src/recorder/native/collector.js';
import { bucketExemplar, type CollectedExemplar } from '../../../src/recorder/native/exemplars.js';
import { createRuntime, type Runtime } from '../../../src/runtime.js';

const model = 'iris';
let rt: Runtime;
let tracer: Tracer;
let provider: TracerProvider;
beforeEach(() => {
  rt = createRuntime();
  provider = new TracerProvider();
  tracer = provider.getTracer('test');
});
afterEach(async () => {
  context.disable();
  await provider.shutdown();
});

const instrument: typeof instrumentInProcess = (fn, options) => instrumentIn(rt, fn, options);
const end = (): [number, number] => [Math.floor(Date.now() / 1000), 0];
function points(metrics: CollectedMetric[], name: string) {
  return (metrics.find((m) => m.definition.name === name)?.points ?? []).filter((p) => p.attributes[ATTR_MODEL_NAME] === model);
}
function registerContextManager(): void {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}
/** Runs `fn` in a new active span; returns its ids and what `fn` returned or threw. */
async function inSpan<T>(fn: () => Promise<T>, t: Tracer = tracer): Promise<{ traceId: string; spanId: string }> {
  return t.startActiveSpan('predict', async (span) => {
    try {
      await fn();
    } catch {
      // The call's error is what the test counts.
    } finally {
      span.end();
    }
    return { traceId: span.spanContext().traceId, spanId: span.spanContext().spanId };
  });
}

describe('exemplars', () => {
  it('puts the trace and span of a call in a sampled span on its latency bucket and its error type', async () => {
    registerContextManager();
    const collector = attachCollectorTo(rt);
    const boundaries = [0.001, 0.01, 10];
    const predict = instrument(async (fail: boolean) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (fail) throw new TypeError('bad');
      return 1;
    }, { model, version: '1', buckets: { latency: boundaries } });

    const ok = await inSpan(() => predict(false));
    const failed = await inSpan(() => predict(true));
    const collected = collector.collect(end());

    const latency = points(collected, METRIC_PREDICTION_LATENCY.name)[0]!;
    expect((latency.value as CollectedHistogram).count).toBe(2);
    // Both calls land in (0.01, 10]: the bucket keeps the latest one.
    expect(latency.exemplars).toHaveLength(1);
    const [exemplar] = latency.exemplars!;
    expect({ traceId: exemplar!.traceId, spanId: exemplar!.spanId }).toEqual(failed);
    expect(exemplar!.value).toBeGreaterThan(0.01);
    expect(exemplar!.value).toBeLessThanOrEqual(10);
    expect(Math.abs(exemplar!.timestamp[0] - Date.now() / 1000)).toBeLessThan(5);
    expect(ok.traceId).not.toBe(failed.traceId);

    const error = points(collected, METRIC_PREDICTION_ERRORS.name)[0]!;
    expect(error.attributes[ATTR_ERROR_TYPE]).toBe('TypeError');
    expect(error.exemplars?.map((e) => [e.traceId, e.spanId, e.value])).toEqual([[failed.traceId, failed.spanId, 1]]);
    collector.detach();
  });

  it('keeps one exemplar per bucket, in bucket order', async () => {
    registerContextManager();
    const collector = attachCollectorTo(rt);
    let delay = 0;
    const predict = instrument(async () => {
      await new Promise((resolve) => setTimeout(resolve, delay));
    }, { model, version: '1', buckets: { latency: [0.005, 100] } });
    delay = 30;
    const slow = await inSpan(() => predict());
    delay = 0;
    const fast = await inSpan(() => predict());
    const latency = points(collector.collect(end()), METRIC_PREDICTION_LATENCY.name)[0]!;
    // A zero-delay timer may still take over 5 ms on a busy machine; the slow call never lands in the first bucket.
    const ids = latency.exemplars!.map((e) => e.spanId);
    expect(ids[ids.length - 1]).toBe(latency.exemplars!.length === 2 ? slow.spanId : fast.spanId);
    if (ids.length === 2) expect(ids[0]).toBe(fast.spanId);
    collector.detach();
  });

  it('records none without a context manager, for unsampled spans, and for delta readers', async () => {
    const collector = attachCollectorTo(rt);
    const predict = instrument(async () => 1, { model, version: '1' });
    expect(rt.recorder.tracing).toBe(false);
    await inSpan(() => predict());
    expect(points(collector.collect(end()), METRIC_PREDICTION_LATENCY.name)[0]!.exemplars).toBeUndefined();

    registerContextManager();
    const off = new TracerProvider({ sampler: new AlwaysOffSampler() });
    await inSpan(() => predict(), off.getTracer('off'));
    // The collection above ran before the manager was registered; this one sees it for later calls.
    collector.collect(end());
    expect(rt.recorder.tracing).toBe(true);
    await inSpan(() => predict(), off.getTracer('off'));
    expect(points(collector.collect(end()), METRIC_PREDICTION_LATENCY.name)[0]!.exemplars).toBeUndefined();
    await off.shutdown();
    collector.detach();

    const delta = attachCollectorTo(rt, { temporality: 'delta' });
    await inSpan(() => predict());
    expect(points(delta.collect(end()), METRIC_PREDICTION_LATENCY.name)[0]!.exemplars).toBeUndefined();
    delta.detach();
  });

  it('starts taking exemplars at the first collection after a context manager is registered', async () => {
    const collector = attachCollectorTo(rt);
    const predict = instrument(async () => 1, { model, version: '1' });
    registerContextManager();
    await inSpan(() => predict());
    expect(points(collector.collect(end()), METRIC_PREDICTION_LATENCY.name)[0]!.exemplars).toBeUndefined();
    const traced = await inSpan(() => predict());
    expect(points(collector.collect(end()), METRIC_PREDICTION_LATENCY.name)[0]!.exemplars?.map((e) => e.traceId)).toEqual([traced.traceId]);
    context.disable();
    collector.collect(end());
    expect(rt.recorder.tracing).toBe(false);
    collector.detach();
  });
});

describe('bucketExemplar: which bucket an exemplar is written on', () => {
  const at = (value: number): CollectedExemplar => ({ value }) as unknown as CollectedExemplar;

  it('puts each exemplar on the first bucket whose bound holds it (a value on the bound included), one per bucket, in order', () => {
    const exemplars = [at(0.05), at(0.1), at(7)];
    const bounds = [0.01, 0.1, 1, Infinity];
    const placed: (number | undefined)[] = [];
    let next = 0;
    for (const bound of bounds) {
      const exemplar = bucketExemplar(exemplars, next, bound);
      if (exemplar !== undefined) next++;
      placed.push(exemplar?.value);
    }
    // 0.05 in (0.01, 0.1]; 0.1 also belongs there but one exemplar per bucket, so it waits for (0.1, 1]; 7 in +Inf.
    expect(placed).toEqual([undefined, 0.05, 0.1, 7]);
  });

  it('has nothing to place without exemplars or once all are placed', () => {
    expect(bucketExemplar(undefined, 0, Infinity)).toBeUndefined();
    expect(bucketExemplar([at(1)], 1, Infinity)).toBeUndefined();
  });
});
