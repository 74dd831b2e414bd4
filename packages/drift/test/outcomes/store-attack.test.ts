import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { instrument } from '@inferometer/core';
import { setupTestMetrics, type TestMetrics } from '@inferometer/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { METRIC_OUTCOME_EVENTS, METRIC_OUTCOME_STORE_ENTRIES, OUTCOME_EVENTS } from '../../src/quality-catalog.js';
import { outcomeTracker, type OutcomeTracker } from '../../src/outcomes/tracker.js';
import { InferometerConfigError } from '@inferometer/core';

let m: TestMetrics;
let model: string;
let n = 0;
beforeEach(() => {
  m = setupTestMetrics();
  model = `store_${++n}`;
});
afterEach(async () => m.shutdown());

interface Internals {
  store: { _slots: Map<string, number>; _tombstones: Map<number, number>; capacity: number };
  eventCount(event: string, model?: string): number;
}
const internals = (t: OutcomeTracker) => t as unknown as Internals;

/** A classifier whose request carries its id. */
function setup(options: { maxEntries?: number; maxAgeSeconds?: number; clock?: () => number; maxIdLength?: number } = {}) {
  const outcomes = outcomeTracker({
    task: 'classification',
    id: ([request]: [{ id: unknown; x: number }]) => request.id as string,
    prediction: (result: { label: string }) => result.label,
    ...options,
  });
  const predict = instrument((request: { id: unknown; x: number }) => ({ label: request.x > 0 ? 'pos' : 'neg' }), { model, version: '1', drift: outcomes });
  return { outcomes, predict };
}

/**
 * The heap in use after a full collection, so the bound below measures what
 * is kept, not garbage a loaded machine has not collected yet (a CI run saw
 * 43 MB of it). `--expose-gc` set at run time, then `gc` read from a new
 * context: the documented way to get it without a command-line flag
 * (https://nodejs.org/api/v8.html#v8setflagsfromstringflags).
 */
function heapAfterGc(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed;
}

describe('the join store under attack', () => {
  it('a million unknown ids: each answered and counted, nothing stored, memory bounded', async () => {
    const { outcomes, predict } = setup({ maxEntries: 1000 });
    for (let i = 0; i < 10; i++) predict({ id: `kept-${i}`, x: 1 });
    const before = heapAfterGc();
    let unknown = 0;
    for (let i = 0; i < 1_000_000; i++) if (outcomes.report(`attacker-${i}`, 'pos') === 'unknown') unknown++;
    expect(unknown).toBe(1_000_000);
    expect(outcomes.size).toBe(10);
    // Nothing of the attack is kept: the id map holds the ten predictions,
    // and tombstones come only from predictions the store itself dropped.
    expect(internals(outcomes).store._slots.size).toBe(10);
    expect(internals(outcomes).store._tombstones.size).toBe(0);
    // Garbage aside, the heap did not grow by anything like a million ids (~50 MB).
    expect(heapAfterGc() - before).toBeLessThan(32 * 1024 * 1024);
    expect(await m.value(METRIC_OUTCOME_EVENTS.name, { event: OUTCOME_EVENTS.unknown })).toBeGreaterThanOrEqual(1_000_000);
    expect(internals(outcomes).eventCount(OUTCOME_EVENTS.unknown)).toBe(1_000_000);
    // The kept predictions still join.
    expect(outcomes.report('kept-3', 'pos')).toBe('joined');
  });

  it('an id reported twice: joined once, then a duplicate, counted against the model', async () => {
    const { outcomes, predict } = setup();
    predict({ id: 'a', x: 1 });
    expect(outcomes.report('a', 'pos')).toBe('joined');
    expect(outcomes.report('a', 'pos')).toBe('duplicate');
    expect(outcomes.report('a', 'neg')).toBe('duplicate');
    expect(await m.value(METRIC_OUTCOME_EVENTS.name, { model_name: model, event: OUTCOME_EVENTS.duplicate })).toBe(2);
  });

  it('outcomes for evicted predictions are late; the store never holds more than maxEntries', async () => {
    const { outcomes, predict } = setup({ maxEntries: 100 });
    for (let i = 0; i < 100_000; i++) predict({ id: `p${i}`, x: i % 2 ? 1 : -1 });
    expect(outcomes.size).toBe(100);
    expect(internals(outcomes).store._slots.size).toBe(100);
    expect(await m.value(METRIC_OUTCOME_EVENTS.name, { model_name: model, event: OUTCOME_EVENTS.evicted })).toBe(99_900);
    // The tombstones remember the last 65,536 drops: older ones read as unknown.
    expect(outcomes.report('p0', 'neg')).toBe('unknown');
    expect(outcomes.report('p40000', 'neg')).toBe('late');
    expect(outcomes.report('p99899', 'pos')).toBe('late');
    expect(outcomes.report('p99900', 'neg')).toBe('joined');
    expect(await m.value(METRIC_OUTCOME_EVENTS.name, { model_name: model, event: OUTCOME_EVENTS.late })).toBe(2);
    expect(internals(outcomes).store._tombstones.size).toBe(65_536);
    expect(await m.value(METRIC_OUTCOME_STORE_ENTRIES.name, { model_name: model })).toBe(99);
  });

  it('predictions past maxAgeSeconds expire; their outcomes are late', async () => {
    let now = 0;
    const { outcomes, predict } = setup({ maxAgeSeconds: 60, clock: () => now });
    predict({ id: 'old', x: 1 });
    now = 30_000;
    predict({ id: 'young', x: 1 });
    now = 61_000;
    expect(outcomes.report('old', 'pos')).toBe('late');
    expect(outcomes.report('young', 'pos')).toBe('joined');
    predict({ id: 'idle', x: 1 });
    now = 200_000;
    // Collection sweeps: the idle prediction expires without any outcome.
    expect(await m.value(METRIC_OUTCOME_EVENTS.name, { model_name: model, event: OUTCOME_EVENTS.expired })).toBe(2);
    expect(outcomes.size).toBe(0);
  });

  it('ids of hostile sizes and kinds are refused and counted; neither the caller nor report() throws', async () => {
    const { outcomes, predict } = setup({ maxIdLength: 64 });
    const huge = 'x'.repeat(1 << 20);
    expect(predict({ id: huge, x: 1 })).toEqual({ label: 'pos' });
    expect(predict({ id: { toString: () => { throw new Error('hostile'); } }, x: 1 })).toEqual({ label: 'pos' });
    expect(predict({ id: Number.NaN, x: 1 })).toEqual({ label: 'pos' });
    expect(predict({ id: '', x: 1 })).toEqual({ label: 'pos' });
    expect(outcomes.size).toBe(0);
    expect(outcomes.report(huge, 'pos')).toBe('invalid');
    expect(outcomes.report({} as unknown as string, 'pos')).toBe('invalid');
    expect(outcomes.report(Number.POSITIVE_INFINITY, 'pos')).toBe('invalid');
    expect(await m.value(METRIC_OUTCOME_EVENTS.name, { model_name: model, event: OUTCOME_EVENTS.invalidId })).toBe(4);
    expect(internals(outcomes).eventCount(OUTCOME_EVENTS.invalidId)).toBe(7);
    // A bad outcome is refused before the prediction is taken: the good one still joins.
    predict({ id: 'ok', x: 1 });
    expect(outcomes.report('ok', { label: 'pos' })).toBe('invalid');
    expect(outcomes.report('ok', 'pos')).toBe('joined');
  });

  it('an extractor that throws costs the observation, never the call', async () => {
    const outcomes = outcomeTracker({ task: 'classification', id: () => { throw new Error('broken id extractor'); }, prediction: (r: number) => r });
    const predict = instrument(async (x: number) => x * 2, { model, version: '1', drift: outcomes });
    await expect(predict(21)).resolves.toBe(42);
    const failing = instrument(async () => { throw new RangeError('model failed'); }, { model, version: '1', drift: outcomes });
    await expect(failing()).rejects.toThrow(RangeError);
    expect(await m.value(METRIC_OUTCOME_EVENTS.name, { model_name: model, event: OUTCOME_EVENTS.extractor })).toBe(1);
  });

  it('a prediction kept again under the same id replaces the older one', async () => {
    const { outcomes, predict } = setup();
    predict({ id: 'same', x: -1 });
    predict({ id: 'same', x: 1 });
    expect(outcomes.size).toBe(1);
    expect(outcomes.report('same', 'pos')).toBe('joined');
    expect(await m.value(METRIC_OUTCOME_EVENTS.name, { model_name: model, event: OUTCOME_EVENTS.reused })).toBe(1);
  });
});

describe('generated ids', () => {
  it('are handed back through idsOf(result), one per row of a batch, and join', async () => {
    const outcomes = outcomeTracker({ task: 'classification', prediction: (r: { labels: string[] }) => r.labels });
    const predict = instrument(async (rows: number[]) => ({ labels: rows.map((x) => (x > 0 ? 'pos' : 'neg')) }), { model, version: '1', drift: outcomes });
    const result = await predict([1, -1, 2]);
    const ids = outcomes.idsOf(result) as string[];
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(3);
    expect(outcomes.report(ids[0]!, 'pos')).toBe('joined');
    expect(outcomes.report(ids[1]!, 'pos')).toBe('joined');
    expect(outcomes.idsOf({})).toBeUndefined();
    expect(outcomes.idsOf(42)).toBeUndefined();
  });

  it('a result that is not an object cannot carry an id: counted, nothing kept', async () => {
    const outcomes = outcomeTracker({ task: 'regression', prediction: (r: number) => r });
    const predict = instrument((x: number) => x * 2, { model, version: '1', drift: outcomes });
    expect(predict(2)).toBe(4);
    expect(outcomes.size).toBe(0);
    expect(await m.value(METRIC_OUTCOME_EVENTS.name, { model_name: model, event: OUTCOME_EVENTS.invalidId })).toBe(1);
  });
});

describe('options', () => {
  it('are checked at build time, naming the option and what it accepts', () => {
    const base = { task: 'classification' as const, prediction: (r: unknown) => r };
    const error = (options: object) => {
      try {
        outcomeTracker(options as never);
      } catch (err) {
        return err as InferometerConfigError;
      }
      throw new Error('accepted');
    };
    expect(error({ ...base, maxEntries: 0 })).toMatchObject({ option: 'maxEntries', accepted: ['a whole number from 1 to 10000000'] });
    expect(error({ ...base, maxAgeSeconds: -1 }).option).toBe('maxAgeSeconds');
    expect(error({ ...base, task: 'ranking' })).toMatchObject({ option: 'task', accepted: ['classification', 'regression'] });
    expect(error({ ...base, maxEntreis: 5 }).option).toBe('maxEntreis');
    expect(error({ ...base, confidenceBins: [0.5, 0.9] }).option).toBe('confidenceBins');
    expect(error({ task: 'regression', prediction: (r: unknown) => r, confidence: () => 1 }).option).toBe('confidence');
    expect(error({ task: 'classification' }).option).toBe('prediction');
    expect(error({ ...base, maxEntries: 0 })).toBeInstanceOf(InferometerConfigError);
  });
});
