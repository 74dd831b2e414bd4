import { ATTR_MODEL_NAME } from '@inferometer/core/catalog';
import { metrics } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { runtime } from '@inferometer/core/internal';
import { loadTimes, LoadTimeRecorder } from '../../src/load/load-time.js';
import { setupTestMetrics, type TestMetrics } from '@inferometer/testing';
import { ATTR_EXECUTION_PROVIDER, METRIC_MODEL_LOAD } from '../../src/catalog.js';

let m: TestMetrics | undefined;
afterEach(async () => m?.shutdown());

describe('LoadTimeRecorder', () => {
  it('records into the provider of the moment, and again into one registered later', async () => {
    metrics.disable();
    const loads = new LoadTimeRecorder();
    loads.record(1.5, 'early', '1', 'cpu');
    m = setupTestMetrics();
    expect(await m.histogram(METRIC_MODEL_LOAD.name, { [ATTR_MODEL_NAME]: 'early' })).toBeUndefined();
    expect(loads.ensure()).toBe(true);
    expect(loads.ensure()).toBe(false);
    loads.record(0.25, 'late', '1', 'cuda');
    expect(await m.histogram(METRIC_MODEL_LOAD.name, { [ATTR_MODEL_NAME]: 'early' })).toMatchObject({ count: 1, sum: 1.5 });
    expect(await m.histogram(METRIC_MODEL_LOAD.name, { [ATTR_MODEL_NAME]: 'late', [ATTR_EXECUTION_PROVIDER]: 'cuda' })).toMatchObject({ count: 1, sum: 0.25 });
  });

  it('uses the catalog buckets, in seconds', async () => {
    m = setupTestMetrics();
    new LoadTimeRecorder().record(3, 'buckets', '1', 'cpu');
    const [metric] = (await m.collect()).filter((x) => x.descriptor.name === METRIC_MODEL_LOAD.name);
    const point = metric!.dataPoints[0] as { value: { buckets: { boundaries: number[] } } };
    expect(point.value.buckets.boundaries).toEqual([...METRIC_MODEL_LOAD.buckets]);
  });

  it('is one per core runtime: every copy of the package replays its loads from the same place', () => {
    const first = loadTimes();
    expect(first).toBeInstanceOf(LoadTimeRecorder);
    expect(loadTimes()).toBe(first);
    expect(runtime().shared('@inferometer/onnxruntime:load-times', () => new LoadTimeRecorder())).toBe(first);
  });
});
