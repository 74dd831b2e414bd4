import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { metrics } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/config/env.js';
import { RUNTIME_CATALOG } from '../../src/catalog.js';
import { resolveRuntimeMetrics } from '../../src/runtime-metrics/index.js';
import { start, type InferometerHandle } from '../../src/start.js';
import { parseStrict as parseExposition, type Sample } from '@inferometer/testing';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
let handle: InferometerHandle | undefined;
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
  metrics.disable();
});

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function scrape(env: Record<string, string> = {}, runtimeMetrics?: boolean): Promise<{ samples: Sample[]; types: Map<string, string> }> {
  handle = await start({ prometheus: { host: '127.0.0.1', port: 0 }, env, ...(runtimeMetrics === undefined ? {} : { runtimeMetrics }) });
  gc();
  // GC entries reach the PerformanceObserver asynchronously.
  await new Promise((resolve) => setTimeout(resolve, 50));
  return parseExposition(await (await fetch(handle.metricsUrl!)).text());
}

const runtimeFamilies = (types: Map<string, string>): Map<string, string> => new Map([...types].filter(([name]) => /^(process|nodejs)_/.test(name)));

/** Label names per family, `le` aside. */
function labelNames(samples: Sample[], families: Iterable<string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const family of families) {
    const names = new Set<string>();
    for (const s of samples) if (s.name === family || s.name.replace(/_(bucket|sum|count)$/, '') === family) for (const k of Object.keys(s.labels)) if (k !== 'le') names.add(k);
    out.set(family, [...names].sort().join(','));
  }
  return out;
}

// prom-client's collectDefaultMetrics() in a fresh process, the reference.
function promClientExposition(): { samples: Sample[]; types: Map<string, string> } {
  const script = `
    const client = require('prom-client');
    client.collectDefaultMetrics();
    gc();
    setTimeout(async () => process.stdout.write(await client.register.metrics()), 50);
  `;
  return parseExposition(execFileSync(process.execPath, ['--expose-gc', '-e', script], { cwd: ROOT, encoding: 'utf8' }));
}

describe('runtime metrics', () => {
  it('expose the families of prom-client\'s collectDefaultMetrics() with the same types and label names', async () => {
    const ours = await scrape();
    const reference = promClientExposition();
    const theirs = runtimeFamilies(reference.types);
    expect(theirs.size).toBeGreaterThan(20);
    const mine = runtimeFamilies(ours.types);
    const sampled = (name: string): boolean => reference.samples.some((s) => s.name === name || s.name.replace(/_(bucket|sum|count)$/, '') === name);
    // prom-client's gauges named *_total, left out on purpose (see names.ts).
    for (const name of ['nodejs_active_resources_total', 'nodejs_active_handles_total', 'nodejs_active_requests_total']) {
      expect(mine.has(name), name).toBe(false);
      theirs.delete(name);
    }
    for (const [name, type] of theirs) {
      // A family without samples (no libuv request active right now) is a
      // bare # TYPE line in prom-client and absent here: Prometheus stores
      // nothing for either.
      if (mine.has(name) || sampled(name)) expect(mine.get(name), name).toBe(type);
    }
    // The one deliberate addition (see names.ts).
    expect([...mine.keys()].filter((name) => !theirs.has(name))).toEqual(['nodejs_eventloop_utilization_ratio']);
    const both = [...theirs.keys()].filter((name) => mine.has(name));
    expect(both.length).toBeGreaterThan(20);
    expect(labelNames(ours.samples, both)).toEqual(labelNames(reference.samples, both));
  });

  it('are every one in the catalog (@inferometer/node/catalog) with its type and label names, and the catalog names nothing else', async () => {
    const { samples, types } = await scrape();
    const mine = runtimeFamilies(types);
    const catalog = new Map(RUNTIME_CATALOG.map((m) => [m.prometheusName, m]));
    for (const [name, type] of mine) {
      expect(catalog.get(name)?.kind, name).toBe(type);
      expect(labelNames(samples, [name]).get(name), name).toBe([...catalog.get(name)!.attributes].sort().join(','));
    }
    // Absent here only where the platform or the moment leaves them out
    // (the Linux /proc families are present on this Linux runner).
    const absent = [...catalog.keys()].filter((name) => !mine.has(name));
    expect(absent.every((name) => /^nodejs_active_(resources|handles|requests)$/.test(name)), absent.join(', ')).toBe(true);
  });

  it('write the values prom-client would', async () => {
    const { samples } = await scrape();
    const value = (name: string, labels: Record<string, string> = {}): number | undefined =>
      samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    expect(value('process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(value('process_cpu_seconds_total')).toBeCloseTo(value('process_cpu_user_seconds_total')! + value('process_cpu_system_seconds_total')!, 6);
    expect(value('process_start_time_seconds')).toBe(Math.round(Date.now() / 1000 - process.uptime()));
    const limit = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))![1];
    expect(value('process_max_fds')).toBe(Number(limit));
    expect(value('process_open_fds')).toBeGreaterThan(3);
    expect(value('process_resident_memory_bytes')).toBeGreaterThan(value('nodejs_heap_size_used_bytes')!);
    const [major, minor, patch] = process.version.slice(1).split('.');
    expect(value('nodejs_version_info', { version: process.version, major: major!, minor: minor!, patch: patch! })).toBe(1);
    expect(value('nodejs_eventloop_lag_seconds')).toBeGreaterThan(0);
    expect(value('nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(value('nodejs_eventloop_lag_p50_seconds')!);
    const elu = value('nodejs_eventloop_utilization_ratio')!;
    expect(elu).toBeGreaterThan(0);
    expect(elu).toBeLessThanOrEqual(1);
    expect(value('nodejs_heap_space_size_used_bytes', { space: 'old' })).toBeGreaterThan(0);
    // GC pauses: prom-client's buckets, and the forced collection counted as major.
    const major_ = samples.filter((s) => s.name === 'nodejs_gc_duration_seconds_bucket' && s.labels.kind === 'major');
    expect(major_.map((s) => s.labels.le)).toEqual(['0.001', '0.01', '0.1', '1', '2', '5', '+Inf']);
    expect(value('nodejs_gc_duration_seconds_count', { kind: 'major' })).toBeGreaterThanOrEqual(1);
  });

  it('are off with runtimeMetrics: false or INFEROMETER_RUNTIME_METRICS=false, the option winning', async () => {
    expect(runtimeFamilies((await scrape({}, false)).types).size).toBe(0);
    await handle!.shutdown();
    expect(runtimeFamilies((await scrape({ INFEROMETER_RUNTIME_METRICS: 'FALSE' })).types).size).toBe(0);
    await handle!.shutdown();
    expect(runtimeFamilies((await scrape({ INFEROMETER_RUNTIME_METRICS: 'false' }, true)).types).size).toBeGreaterThan(20);
  });

  it('refuse a bad value at start, naming the variable or option', async () => {
    await expect(start({ env: { INFEROMETER_RUNTIME_METRICS: 'off' } })).rejects.toMatchObject({ variable: 'INFEROMETER_RUNTIME_METRICS', accepted: 'true or false (any case)' });
    await expect(start({ env: { INFEROMETER_RUNTIME_METRICS: 'off' } })).rejects.toBeInstanceOf(ConfigurationError);
    expect(() => resolveRuntimeMetrics({}, 'no')).toThrow(ConfigurationError);
    expect(() => resolveRuntimeMetrics({}, 'no')).toThrow(expect.objectContaining({ option: 'runtimeMetrics', accepted: 'true or false' }));
    expect(resolveRuntimeMetrics({ INFEROMETER_RUNTIME_METRICS: ' True ' }, undefined)).toBe(true);
    expect(resolveRuntimeMetrics({}, undefined)).toBe(true);
  });
});
