/**
 * The process beside the model: what prom-client's `collectDefaultMetrics()`
 * gives (CPU, memory, file descriptors, event-loop lag, heap, GC pauses,
 * active handles), as OpenTelemetry observable instruments on the
 * MeterProvider `start()` builds, so every exporter carries them.
 *
 * Nothing runs on the instrumented call path: values are read when a reader
 * collects (one batch callback), GC pauses arrive through a
 * PerformanceObserver, and event-loop delay is sampled by Node's own timer
 * (`monitorEventLoopDelay`).
 *
 * Deliberate differences from prom-client 15 (names, types and label names
 * are the same; the tests compare both expositions):
 * - `nodejs_eventloop_utilization_ratio` is added (prom-client has none);
 * - a family with no sample at the moment (`nodejs_active_requests` when no
 *   libuv request is active) is left out, where prom-client writes a bare
 *   `# TYPE` line; Prometheus stores nothing for either;
 * - CPU counters count from process start (`process.cpuUsage()`), where
 *   prom-client counts from `collectDefaultMetrics()`;
 * - every GC entry of a PerformanceObserver batch is recorded (prom-client
 *   records the first of each batch);
 * - a collection that finds no new event-loop delay samples (a second reader
 *   right after the first) repeats the last statistics instead of the empty
 *   histogram's values.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance, PerformanceObserver, constants as perfConstants, type EventLoopUtilization } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import type { Attributes, BatchObservableResult, Meter, MeterProvider, Observable, ObservableGauge } from '@opentelemetry/api';
import { invalid, option as optionSource, variable, type Environment } from '../config/env.js';
import * as N from './names.js';

/** The variable that turns the runtime metrics off. */
export const RUNTIME_METRICS_VARIABLE = 'INFEROMETER_RUNTIME_METRICS';
/** Instrumentation scope of the runtime metrics. */
export const RUNTIME_METRICS_SCOPE = '@inferometer/node/runtime-metrics';
/** Resolution of the event-loop delay sampler, prom-client's default `eventLoopMonitoringPrecision`. */
export const EVENTLOOP_RESOLUTION_MS = 10;

/**
 * Whether to collect runtime metrics: the `runtimeMetrics` option, else
 * `INFEROMETER_RUNTIME_METRICS` (`true` / `false`, any case), else on.
 * Throws a {@link ConfigurationError} naming the option or variable.
 */
export function resolveRuntimeMetrics(env: Environment, option: unknown): boolean {
  if (option !== undefined) {
    if (typeof option !== 'boolean') throw invalid(optionSource('runtimeMetrics'), option, 'not a boolean', 'true or false');
    return option;
  }
  const raw = env[RUNTIME_METRICS_VARIABLE]?.trim();
  if (raw === undefined || raw === '') return true;
  const value = raw.toLowerCase();
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw invalid(variable(RUNTIME_METRICS_VARIABLE), raw, 'not a boolean', 'true or false (any case)');
}

/** Running runtime metrics. */
export interface RuntimeMetrics {
  /** Stops the GC observer, the event-loop sampler and the collection callback. */
  close(): void;
}

const GC_KINDS: Record<number, string> = {
  [perfConstants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [perfConstants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [perfConstants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};
// One attributes object per kind, so recording a pause allocates none.
const GC_ATTRIBUTES = new Map<number, Attributes>(Object.entries(GC_KINDS).map(([kind, name]) => [Number(kind), Object.freeze({ kind: name })]));
const EMPTY: Attributes = Object.freeze({});

const IS_LINUX = process.platform === 'linux';
// prom-client rounds the start time to whole seconds; so do we, so both agree.
const START_SECONDS = Math.round(Date.now() / 1000 - process.uptime());
const VERSION_ATTRIBUTES: Attributes = (() => {
  const [major, minor, patch] = process.version.slice(1).split('.');
  return Object.freeze({ version: process.version, major: major ?? '', minor: minor ?? '', patch: patch ?? '' });
})();

/** `Max open files` of /proc/self/limits (soft limit), read once like prom-client. */
function readMaxFds(): number | undefined {
  try {
    for (const line of readFileSync('/proc/self/limits', 'utf8').split('\n')) {
      if (line.startsWith('Max open files')) return Number(line.split(/ {2,}/)[1]);
    }
  } catch {
    // No procfs: the metric is left out, as prom-client does.
  }
  return undefined;
}

/** VmSize and VmData of /proc/self/status, in bytes. */
function readStatus(): { virtual?: number; data?: number } {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = (key: string): number | undefined => {
      const match = new RegExp(`^${key}:\\s*(\\d+) kB$`, 'm').exec(status);
      return match === null ? undefined : Number(match[1]) * 1024;
    };
    return { virtual: kb('VmSize'), data: kb('VmData') };
  } catch {
    return {};
  }
}

function countBy(names: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  return counts;
}

function constructorNames(list: readonly unknown[]): string[] {
  const names: string[] = [];
  for (const item of list) {
    const name = (item as { constructor?: { name?: string } } | null)?.constructor?.name;
    if (name !== undefined) names.push(name);
  }
  return names;
}

// Undocumented, as prom-client uses them; left out where they are gone.
const internals = process as unknown as { _getActiveHandles?: () => unknown[]; _getActiveRequests?: () => unknown[] };

/**
 * Starts the runtime metrics on `meterProvider`.
 *
 * @example
 * ```ts
 * const runtime = startRuntimeMetrics(meterProvider);
 * // ...
 * runtime.close();
 * ```
 */
export function startRuntimeMetrics(meterProvider: MeterProvider): RuntimeMetrics {
  const meter: Meter = meterProvider.getMeter(RUNTIME_METRICS_SCOPE);
  const gauge = (d: N.RuntimeMetricDefinition): ObservableGauge => meter.createObservableGauge(d.name, { description: d.description, unit: d.unit });
  const cpuUser = meter.createObservableCounter(N.CPU_USER.name, { description: N.CPU_USER.description, unit: N.CPU_USER.unit });
  const cpuSystem = meter.createObservableCounter(N.CPU_SYSTEM.name, { description: N.CPU_SYSTEM.description, unit: N.CPU_SYSTEM.unit });
  const cpuTotal = meter.createObservableCounter(N.CPU_TOTAL.name, { description: N.CPU_TOTAL.description, unit: N.CPU_TOTAL.unit });
  const startTime = gauge(N.START_TIME);
  const resident = gauge(N.RESIDENT_MEMORY);
  const maxFds = IS_LINUX ? readMaxFds() : undefined;
  const linux = IS_LINUX ? { virtual: gauge(N.VIRTUAL_MEMORY), data: gauge(N.PROCESS_HEAP), openFds: gauge(N.OPEN_FDS) } : undefined;
  const maxFdsGauge = maxFds === undefined ? undefined : gauge(N.MAX_FDS);
  const lag = gauge(N.EVENTLOOP_LAG);
  const lagStats = N.EVENTLOOP_LAG_STATS.map(([stat, d]) => [stat, gauge(d)] as const);
  const utilization = gauge(N.EVENTLOOP_UTILIZATION);
  const resources = typeof process.getActiveResourcesInfo === 'function' ? { byType: gauge(N.ACTIVE_RESOURCES) } : undefined;
  const handles = typeof internals._getActiveHandles === 'function' ? { byType: gauge(N.ACTIVE_HANDLES) } : undefined;
  const requests = typeof internals._getActiveRequests === 'function' ? { byType: gauge(N.ACTIVE_REQUESTS) } : undefined;
  const heapTotal = gauge(N.HEAP_TOTAL);
  const heapUsed = gauge(N.HEAP_USED);
  const external = gauge(N.EXTERNAL_MEMORY);
  const heapSpaces = N.HEAP_SPACE.map(([field, d]) => [field, gauge(d)] as const);
  const version = gauge(N.VERSION_INFO);

  const delay: ReturnType<typeof monitorEventLoopDelay> = monitorEventLoopDelay({ resolution: EVENTLOOP_RESOLUTION_MS });
  delay.enable();
  let lastStats: Record<(typeof N.EVENTLOOP_LAG_STATS)[number][0], number> | undefined;
  let lastElu: EventLoopUtilization = performance.eventLoopUtilization();
  const spaceAttributes = new Map<string, Attributes>();

  const callback = async (result: BatchObservableResult): Promise<void> => {
    // Lag as prom-client measures it: how late a setImmediate runs.
    const begin = process.hrtime.bigint();
    await new Promise<void>((resolve) => setImmediate(resolve));
    result.observe(lag, Number(process.hrtime.bigint() - begin) / 1e9);

    const cpu = process.cpuUsage();
    result.observe(cpuUser, cpu.user / 1e6);
    result.observe(cpuSystem, cpu.system / 1e6);
    result.observe(cpuTotal, (cpu.user + cpu.system) / 1e6);
    result.observe(startTime, START_SECONDS);

    const memory = process.memoryUsage();
    result.observe(resident, memory.rss);
    result.observe(heapTotal, memory.heapTotal);
    result.observe(heapUsed, memory.heapUsed);
    result.observe(external, memory.external);
    if (linux !== undefined) {
      const status = readStatus();
      if (status.virtual !== undefined) result.observe(linux.virtual, status.virtual);
      if (status.data !== undefined) result.observe(linux.data, status.data);
      try {
        // Minus the descriptor readdirSync itself held (closed by now), as prom-client does.
        result.observe(linux.openFds, readdirSync('/proc/self/fd').length - 1);
      } catch {
        // /proc unreadable (a sandbox): leave the sample out.
      }
    }
    if (maxFdsGauge !== undefined && maxFds !== undefined) result.observe(maxFdsGauge, maxFds);

    // Delay statistics since the previous collection; a collection too soon
    // after the previous one (another reader) has no samples yet, so it
    // repeats the last values instead of reporting the histogram's empty state.
    if (delay.count > 0) {
      lastStats = { min: delay.min, max: delay.max, mean: delay.mean, stddev: delay.stddev, p50: delay.percentile(50), p90: delay.percentile(90), p99: delay.percentile(99) };
      delay.reset();
    }
    if (lastStats !== undefined) for (const [stat, instrument] of lagStats) result.observe(instrument, lastStats[stat] / 1e9);
    const elu = performance.eventLoopUtilization();
    result.observe(utilization, performance.eventLoopUtilization(elu, lastElu).utilization);
    lastElu = elu;

    if (resources !== undefined) {
      const info = process.getActiveResourcesInfo();
      for (const [type, count] of countBy(info)) result.observe(resources.byType, count, { type });
    }
    if (handles !== undefined) {
      const list = internals._getActiveHandles!();
      for (const [type, count] of countBy(constructorNames(list))) result.observe(handles.byType, count, { type });
    }
    if (requests !== undefined) {
      const list = internals._getActiveRequests!();
      for (const [type, count] of countBy(constructorNames(list))) result.observe(requests.byType, count, { type });
    }
    for (const space of getHeapSpaceStatistics()) {
      // `new_space` is exposed as `new`, as prom-client does.
      const name = space.space_name.slice(0, space.space_name.indexOf('_space'));
      let attributes = spaceAttributes.get(name);
      if (attributes === undefined) spaceAttributes.set(name, (attributes = Object.freeze({ space: name })));
      const values = { total: space.space_size, used: space.space_used_size, available: space.space_available_size };
      for (const [field, instrument] of heapSpaces) result.observe(instrument, values[field], attributes);
    }
    result.observe(version, 1, VERSION_ATTRIBUTES);
  };
  const observables: Observable[] = [
    cpuUser, cpuSystem, cpuTotal, startTime, resident, lag, utilization, heapTotal, heapUsed, external, version,
    ...lagStats.map(([, g]) => g),
    ...heapSpaces.map(([, g]) => g),
    ...(linux === undefined ? [] : [linux.virtual, linux.data, linux.openFds]),
    ...(maxFdsGauge === undefined ? [] : [maxFdsGauge]),
    ...[resources, handles, requests].flatMap((pair) => (pair === undefined ? [] : [pair.byType])),
  ];
  meter.addBatchObservableCallback(callback, observables);

  const gcDuration = meter.createHistogram(N.GC_DURATION.name, {
    description: N.GC_DURATION.description,
    unit: N.GC_DURATION.unit,
    advice: { explicitBucketBoundaries: [...N.GC_DURATION_BUCKETS] },
  });
  const gcObserver = new PerformanceObserver((list) => {
    // Every entry of the batch (prom-client records only the first).
    for (const entry of list.getEntries()) {
      const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind;
      gcDuration.record(entry.duration / 1000, (kind === undefined ? undefined : GC_ATTRIBUTES.get(kind)) ?? EMPTY);
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });

  let closed = false;
  return {
    close() {
      if (closed) return;
      closed = true;
      gcObserver.disconnect();
      delay.disable();
      meter.removeBatchObservableCallback(callback, observables);
    },
  };
}
