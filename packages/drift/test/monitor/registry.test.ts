import { metrics, type BatchObservableResult } from '@opentelemetry/api';
import { ATTR_MODEL_NAME, ATTR_REASON } from '@inferometer/core/catalog';
import { afterEach, describe, expect, it } from 'vitest';
import { runtime } from '@inferometer/core/internal';
import { driftRegistry, DriftRegistry, type DriftInstruments } from '../../src/monitor/registry.js';
import { setupTestMetrics, type TestMetrics } from '@inferometer/testing';
import { METRIC_DATA_DRIFT_SCORE, METRIC_DRIFT_DROPPED } from '../../src/catalog.js';

let m: TestMetrics | undefined;
afterEach(async () => m?.shutdown());

const member = (value: number) => ({
  collect(result: BatchObservableResult, instruments: DriftInstruments) {
    result.observe(instruments.data, value, { [ATTR_MODEL_NAME]: 'r' });
  },
  contribute() {},
});

describe('DriftRegistry', () => {
  it('registers its gauges lazily, and again when the global MeterProvider changes', async () => {
    metrics.disable();
    const registry = new DriftRegistry();
    registry.add(member(0.5)); // no SDK yet: the no-op provider
    m = setupTestMetrics();
    expect(await m.value(METRIC_DATA_DRIFT_SCORE.name, { [ATTR_MODEL_NAME]: 'r' })).toBeUndefined();
    registry.ensure();
    expect(await m.value(METRIC_DATA_DRIFT_SCORE.name, { [ATTR_MODEL_NAME]: 'r' })).toBe(0.5);
  });

  it('keeps one failing member from costing the others their scores, and reports drops', async () => {
    m = setupTestMetrics();
    const registry = new DriftRegistry();
    registry.add({ collect: () => { throw new Error('broken member'); }, contribute: () => { throw new Error('broken member'); } });
    registry.add(member(0.25));
    registry.dropped('r', 'drift_shape_mismatch', 3);
    registry.dropped('r', 'drift_shape_mismatch');
    expect(await m.value(METRIC_DATA_DRIFT_SCORE.name, { [ATTR_MODEL_NAME]: 'r' })).toBe(0.25);
    expect(await m.value(METRIC_DRIFT_DROPPED.name, { [ATTR_MODEL_NAME]: 'r', [ATTR_REASON]: 'drift_shape_mismatch' })).toBe(4);
    expect(registry.droppedCount('r', 'drift_shape_mismatch')).toBe(4);
    // Sharing windows with a main thread: the broken member costs only its own.
    expect(registry.contributions()).toEqual([]);
  });

  it('is one per core runtime: every copy of the package finds the same registry there', () => {
    const first = driftRegistry();
    expect(first).toBeInstanceOf(DriftRegistry);
    expect(driftRegistry()).toBe(first);
    expect(runtime().shared('@inferometer/drift:registry', () => new DriftRegistry())).toBe(first);
  });
});
