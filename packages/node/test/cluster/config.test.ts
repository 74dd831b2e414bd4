import { describe, expect, it } from 'vitest';
import { resolveAggregation, resolveCluster, resolvePushInterval, resolveThreads } from '../../src/cluster/config.js';
import { CLUSTER_PUSH_INTERVAL_VARIABLE, DEFAULT_CLUSTER_PUSH_INTERVAL_MILLIS, THREADS_VARIABLE } from '../../src/cluster/names.js';
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

describe('the push interval of cluster workers', () => {
  it('is 1000 ms by default; the option wins over INFEROMETER_CLUSTER_PUSH_INTERVAL; 0 turns it off', () => {
    expect(resolvePushInterval({}, undefined)).toBe(DEFAULT_CLUSTER_PUSH_INTERVAL_MILLIS);
    expect(resolvePushInterval({ [CLUSTER_PUSH_INTERVAL_VARIABLE]: ' 250 ' }, undefined)).toBe(250);
    expect(resolvePushInterval({ [CLUSTER_PUSH_INTERVAL_VARIABLE]: '250' }, { pushIntervalMillis: 5_000 })).toBe(5_000);
    expect(resolvePushInterval({ [CLUSTER_PUSH_INTERVAL_VARIABLE]: '0' }, undefined)).toBe(0);
    expect(resolveCluster({ [CLUSTER_PUSH_INTERVAL_VARIABLE]: '400' }, undefined, true)).toEqual({ role: 'worker', collectTimeoutMillis: 2_000, pushIntervalMillis: 400 });
  });

  it.each(['50', '60001', '1.5', '-1', 'soon'])('refuses INFEROMETER_CLUSTER_PUSH_INTERVAL=%s, naming it and the accepted values', (raw) => {
    const error = refusal(() => resolveCluster({ [CLUSTER_PUSH_INTERVAL_VARIABLE]: raw }, undefined, true));
    expect(error.variable).toBe(CLUSTER_PUSH_INTERVAL_VARIABLE);
    expect(error.accepted).toBe('0 (no push between collections) or a whole number of milliseconds from 100 to 60000');
    expect(error.message).toContain(CLUSTER_PUSH_INTERVAL_VARIABLE);
  });

  it.each([99, 1.5, 60_001, Number.NaN])('refuses the option cluster.pushIntervalMillis = %s, naming it', (raw) => {
    const error = refusal(() => resolvePushInterval({}, { pushIntervalMillis: raw as number }));
    expect(error.option).toBe('cluster.pushIntervalMillis');
  });
});
