import { describe, expect, it } from 'vitest';
import { resolveAggregation, resolveThreads } from '../../src/cluster/config.js';
import { THREADS_VARIABLE } from '../../src/cluster/names.js';
import { blame as refusal } from '../helpers/blame.js';

describe('worker_threads aggregation settings', () => {
  it('is on by default; the option wins over INFEROMETER_THREADS', () => {
    expect(resolveThreads({}, undefined)).toBe(true);
    expect(resolveThreads({ [THREADS_VARIABLE]: 'FALSE' }, undefined)).toBe(false);
    expect(resolveThreads({ [THREADS_VARIABLE]: 'false' }, { enabled: true })).toBe(true);
  });

  it('refuses a variable that is not a boolean, naming it and the accepted values', () => {
    const error = refusal(() => resolveThreads({ [THREADS_VARIABLE]: 'yes' }, undefined));
    expect(error.variable).toBe(THREADS_VARIABLE);
    expect(error.accepted).toBe('true or false (any case)');
  });

  it('refuses an option that is not a boolean, naming it', () => {
    expect(refusal(() => resolveThreads({}, { enabled: 'no' as never })).option).toBe('threads.enabled');
  });

  it('makes a worker thread answer its main thread, and a main thread gather its threads', () => {
    const inThread = resolveAggregation({}, undefined, undefined, false, false);
    expect(inThread.thread).toBe(true);
    expect(inThread.threads).toBe(false);
    const inMain = resolveAggregation({}, undefined, undefined, false, true);
    expect(inMain.thread).toBe(false);
    expect(inMain.threads).toBe(true);
  });

  it('off, or with exponential histograms (nothing merges them), a worker thread exports on its own', () => {
    for (const mode of [
      resolveAggregation({ [THREADS_VARIABLE]: 'false' }, undefined, undefined, false, false),
      resolveAggregation({}, undefined, undefined, true, false),
    ]) {
      expect(mode.thread).toBe(false);
      expect(mode.threads).toBe(false);
      expect(mode.role).toBe('off');
    }
  });
});
