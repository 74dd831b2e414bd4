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
    const inThread = resolveAggregation({}, undefined, undefined, false);
    expect(inThread.thread).toBe(true);
    expect(inThread.threads).toBe(false);
    const inMain = resolveAggregation({}, undefined, undefined, true);
    expect(inMain.thread).toBe(false);
    expect(inMain.threads).toBe(true);
  });

  it('off, a worker thread exports on its own', () => {
    const mode = resolveAggregation({ [THREADS_VARIABLE]: 'false' }, undefined, undefined, false);
    expect(mode.thread).toBe(false);
    expect(mode.threads).toBe(false);
    expect(mode.role).toBe('off');
  });

  it('stays on whatever histogram kinds the exporters want: native and exponential histograms merge too', () => {
    const env = { INFEROMETER_PROMETHEUS_NATIVE_HISTOGRAMS: 'true', OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION: 'base2_exponential_bucket_histogram' };
    expect(resolveAggregation(env, undefined, undefined, false)).toMatchObject({ thread: true, threads: false });
    expect(resolveAggregation(env, undefined, undefined, true)).toMatchObject({ thread: false, threads: true, role: 'primary' });
  });
});
