import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { ATTR_ATTRIBUTE, METRIC_ATTRIBUTE_REJECTIONS, ATTR_MODEL_NAME, ATTR_MODEL_VERSION, ATTR_METRIC, METRIC_ACTIVE_MODEL_VERSION, METRIC_MODEL_INFO, METRIC_PREDICTIONS, METRIC_PREDICTIONS_IN_FLIGHT, METRIC_SERIES } from '../src/catalog.js';
import { attachCollectorTo, type CatalogCollector } from '../src/collector.js';
import { instrumentIn } from '../src/instrument.js';
import type { CollectedMetric } from '../src/recorder/native/collector.js';
import { resolveGuardOptions } from '../src/guard/config.js';
import { OVERFLOW_VALUE } from '../src/guard/patterns.js';
import { createRuntime, isCompatible, type Runtime } from '../src/runtime.js';
import { setupTestMetrics, type TestMetrics } from '@inferometer/testing';

const here = dirname(fileURLToPath(import.meta.url));
const end = (): [number, number] => [Math.floor(Date.now() / 1000), 0];

function value(collected: CollectedMetric[], name: string, match: Record<string, string> = {}): number | undefined {
  const points = (collected.find((m) => m.definition.name === name)?.points ?? []).filter((p) => Object.entries(match).every(([k, v]) => p.attributes[k] === v));
  return points.length === 0 ? undefined : points.reduce((t, p) => t + (p.value as number), 0);
}

let testMetrics: TestMetrics | undefined;
afterEach(async () => {
  await testMetrics?.shutdown();
  testMetrics = undefined;
});

/** A call that ends when told to. */
function slow(rt: Runtime) {
  let release!: () => void;
  const fn = instrumentIn(rt, () => new Promise<void>((resolve) => (release = resolve)), { model: 'm', version: '1' });
  return { call: () => fn(), end: async () => (release(), await new Promise((r) => setImmediate(r))) };
}

describe('in-flight across a switch of path: every begin has exactly one end', () => {
  it('start(), a slow call, shutdown(), the call ends, start() again: 0, not 1', async () => {
    const rt = createRuntime();
    let collector: CatalogCollector = attachCollectorTo(rt);
    const s = slow(rt);
    const pending = s.call();
    expect(value(collector.collect(end()), METRIC_PREDICTIONS_IN_FLIGHT.name)).toBe(1);
    collector.detach();
    await s.end();
    await pending;
    collector = attachCollectorTo(rt);
    // The call's -1 went to the native series that counted its +1; its outcome to the API path in force when it ended.
    expect(value(collector.collect(end()), METRIC_PREDICTIONS_IN_FLIGHT.name) ?? 0).toBe(0);
    collector.detach();
  });

  it('a call spanning the registration of a MeterProvider after decoration: in-flight 0 there, not -1', async () => {
    const rt = createRuntime();
    const s = slow(rt);
    const pending = s.call();
    testMetrics = setupTestMetrics();
    await s.end();
    await pending;
    // The +1 and the -1 both went to the no-op provider's instrument, so the new provider holds no -1.
    expect((await testMetrics.value(METRIC_PREDICTIONS_IN_FLIGHT.name, { [ATTR_MODEL_NAME]: 'm' })) ?? 0).toBe(0);
    // Its outcome is recorded where recording goes now.
    expect(await testMetrics.value(METRIC_PREDICTIONS.name, { [ATTR_MODEL_NAME]: 'm' })).toBe(1);
  });

  it('a call begun on the API path and ended after start(): API in-flight back to 0, native never negative', async () => {
    const rt = createRuntime();
    testMetrics = setupTestMetrics();
    const s = slow(rt);
    const pending = s.call();
    expect(await testMetrics.value(METRIC_PREDICTIONS_IN_FLIGHT.name, { [ATTR_MODEL_NAME]: 'm' })).toBe(1);
    const collector = attachCollectorTo(rt);
    await s.end();
    await pending;
    expect(await testMetrics.value(METRIC_PREDICTIONS_IN_FLIGHT.name, { [ATTR_MODEL_NAME]: 'm' })).toBe(0);
    const collected = collector.collect(end());
    expect(value(collected, METRIC_PREDICTIONS_IN_FLIGHT.name) ?? 0).toBe(0);
    expect(value(collected, METRIC_PREDICTIONS.name)).toBe(1);
    collector.detach();
  });
});

describe('inferometer_series counts the label sets a metric holds', () => {
  it('one model version with a success and an error holds 2 label sets of ml_predictions_total', () => {
    const rt = createRuntime();
    const collector = attachCollectorTo(rt);
    const fn = instrumentIn(rt, (fail: boolean) => {
      if (fail) throw new Error('x');
      return 1;
    }, { model: 'm', version: '1' });
    fn(false);
    expect(() => fn(true)).toThrow('x');
    const collected = collector.collect(end());
    const held = collected.find((m) => m.definition.name === METRIC_PREDICTIONS.name)!.points.length;
    expect(held).toBe(2);
    expect(value(collected, METRIC_SERIES.name, { [ATTR_METRIC]: METRIC_PREDICTIONS.prometheusName })).toBe(held);
    collector.detach();
  });
});

describe('bounded state', () => {
  it('past maxModels, new models record into the overflow model and are counted; per-model state stays bounded', () => {
    const rt = createRuntime();
    rt.guard.configure(resolveGuardOptions({ maxModels: 50 }));
    const collector = attachCollectorTo(rt);
    for (let i = 0; i < 2000; i++) instrumentIn(rt, (x: number) => x, { model: `m${i}`, version: () => '1' })(1);
    expect(rt.guard.models).toBeLessThanOrEqual(51);
    expect(rt.recorder.models.size).toBeLessThanOrEqual(51);
    const collected = collector.collect(end());
    expect(value(collected, METRIC_PREDICTIONS.name)).toBe(2000);
    expect(value(collected, METRIC_PREDICTIONS.name, { [ATTR_MODEL_NAME]: OVERFLOW_VALUE })).toBe(1950);
    expect(value(collected, METRIC_ATTRIBUTE_REJECTIONS.name, { [ATTR_ATTRIBUTE]: ATTR_MODEL_NAME })).toBe(1950);
    collector.detach();
  });

  it('200,000 instrument() calls with distinct model names (built dist, --expose-gc): heap grows < 16 MiB, caps hold, the overflow is counted', () => {
    const core = join(here, '..');
    const script = `
import { attachCollector, instrument, GUARD_DEFAULTS } from ${JSON.stringify(pathToFileURL(join(core, 'dist/index.js')).href)};
import { runtime } from ${JSON.stringify(pathToFileURL(join(core, 'dist/internal.js')).href)};
const collector = attachCollector();
const settle = () => { for (let i = 0; i < 5; i++) globalThis.gc(); return process.memoryUsage().heapUsed; };
// Warm up the code paths (and the overflow series) before the baseline.
for (let i = 0; i < GUARD_DEFAULTS.maxModels + 10; i++) instrument((x) => x, { model: 'w' + i, version: '1' })(i);
const before = settle();
for (let i = 0; i < 200000; i++) instrument((x) => x, { model: 'm' + i, version: '1' })(i);
const after = settle();
const sum = (name, match) => (collector.collect([0, 0]).find((m) => m.definition.name === name)?.points ?? [])
  .filter((p) => Object.entries(match).every(([k, v]) => p.attributes[k] === v)).reduce((t, p) => t + p.value, 0);
const rt = runtime();
console.log(JSON.stringify({
  growth: after - before,
  models: rt.recorder.models.size,
  handles: rt.recorder.handles.length,
  maxModels: GUARD_DEFAULTS.maxModels,
  maxSeries: GUARD_DEFAULTS.maxSeriesPerMetric,
  calls: sum('ml_predictions', {}),
  overflowCalls: sum('ml_predictions', { model_name: '_OTHER' }),
  rejected: sum('inferometer_attribute_rejections', { attribute: 'model_name' }),
}));
`;
    const child = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 120_000 });
    expect(child.stderr).toBe('');
    const out = JSON.parse(child.stdout) as Record<string, number>;
    const total = out.maxModels! + 10 + 200_000;
    expect(out.growth).toBeLessThan(16 * 1024 * 1024);
    expect(out.models).toBeLessThanOrEqual(out.maxModels!);
    expect(out.handles).toBeLessThanOrEqual(out.maxSeries!);
    expect(out.calls).toBe(total);
    // Every model past the cap records into the overflow model and is counted as a rejection.
    expect(out.overflowCalls).toBe(total - out.models!);
    expect(out.rejected).toBe(total - out.models!);
  }, 120_000);

  it('a model hot-swapped through 150 versions keeps its serving version labelled as itself; garbage versions stay capped', () => {
    const rt = createRuntime();
    rt.guard.configure(resolveGuardOptions({ versionIdleSeconds: 1 }));
    const collector = attachCollectorTo(rt);
    const model = { version: '1' };
    const predict = instrumentIn(rt, (x: number) => x, { model: 'swap', version: () => model.version });
    let clock = Date.now();
    const realNow = Date.now;
    Date.now = () => clock;
    try {
      for (let v = 1; v <= 150; v++) {
        model.version = String(v);
        predict(1);
        predict(1);
        clock += 2000; // the previous version idles past versionIdleSeconds
        collector.collect(end());
      }
      const collected = collector.collect(end());
      expect(value(collected, METRIC_PREDICTIONS.name, { [ATTR_MODEL_VERSION]: '150' })).toBe(2);
      expect(value(collected, METRIC_ACTIVE_MODEL_VERSION.name, { [ATTR_MODEL_NAME]: 'swap' })).toBe(150);
      expect(value(collected, METRIC_PREDICTIONS.name, { [ATTR_MODEL_VERSION]: OVERFLOW_VALUE })).toBeUndefined();
      expect(rt.recorder.models.get('swap')!.versions.size).toBeLessThanOrEqual(3);
      // A version function returning garbage, faster than versions idle: the cap holds.
      for (let i = 0; i < 500; i++) {
        model.version = `garbage-${i}`;
        predict(1);
      }
      expect(rt.guard.existingGuard('swap', ATTR_MODEL_VERSION)!.size).toBeLessThanOrEqual(100);
      const after = collector.collect(end());
      expect(after.find((m) => m.definition.name === METRIC_MODEL_INFO.name)!.points.length).toBeLessThanOrEqual(101);
    } finally {
      Date.now = realNow;
      collector.detach();
    }
  });

  it('a replaced, idle version with a call in flight is kept until the call ends, then released', async () => {
    const rt = createRuntime();
    rt.guard.configure(resolveGuardOptions({ versionIdleSeconds: 1 }));
    const collector = attachCollectorTo(rt);
    const model = { version: '1' };
    let finish: (value: number) => void = () => undefined;
    const predict = instrumentIn(rt, (x: number) => (x < 0 ? new Promise<number>((resolve) => (finish = resolve)) : x), { model: 'held', version: () => model.version });
    const pending = predict(-1) as Promise<number>;
    void predict(1);
    model.version = '2';
    void predict(1);
    let clock = Date.now();
    const realNow = Date.now;
    Date.now = () => clock;
    try {
      clock += 5000; // version 1 idles past versionIdleSeconds, a call still in flight
      for (let i = 0; i < 3; i++) {
        const collected = collector.collect(end());
        expect(value(collected, METRIC_PREDICTIONS.name, { [ATTR_MODEL_VERSION]: '1' })).toBe(1);
        expect(value(collected, METRIC_PREDICTIONS_IN_FLIGHT.name, { [ATTR_MODEL_VERSION]: '1' })).toBe(1);
      }
      expect(rt.recorder.models.get('held')!.versions.has('1')).toBe(true);
      finish(7);
      expect(await pending).toBe(7);
      // Retired at the next collection, exported by it once more, then gone.
      expect(value(collector.collect(end()), METRIC_PREDICTIONS.name, { [ATTR_MODEL_VERSION]: '1' })).toBe(2);
      const later = collector.collect(end());
      expect(value(later, METRIC_PREDICTIONS.name, { [ATTR_MODEL_VERSION]: '1' })).toBeUndefined();
      expect(value(later, METRIC_PREDICTIONS.name, { [ATTR_MODEL_VERSION]: '2' })).toBe(1);
      expect(rt.recorder.models.get('held')!.versions.has('1')).toBe(false);
    } finally {
      Date.now = realNow;
      collector.detach();
    }
  });

  it('retireModelVersion: exported once more, then released', () => {
    const rt = createRuntime();
    const collector = attachCollectorTo(rt);
    instrumentIn(rt, (x: number) => x, { model: 'r', version: '1' })(1);
    instrumentIn(rt, (x: number) => x, { model: 'r', version: '2' })(1);
    expect(rt.recorder.retire('r', '1')).toBe(true);
    const last = collector.collect(end());
    expect(value(last, METRIC_PREDICTIONS.name, { [ATTR_MODEL_VERSION]: '1' })).toBe(1);
    // Its info point too, in that last export (docs/exporters.md).
    expect(value(last, METRIC_MODEL_INFO.name, { [ATTR_MODEL_VERSION]: '1' })).toBe(1);
    const later = collector.collect(end());
    expect(value(later, METRIC_PREDICTIONS.name, { [ATTR_MODEL_VERSION]: '1' })).toBeUndefined();
    expect(value(later, METRIC_MODEL_INFO.name, { [ATTR_MODEL_VERSION]: '1' })).toBeUndefined();
    expect(value(later, METRIC_PREDICTIONS.name, { [ATTR_MODEL_VERSION]: '2' })).toBe(1);
    collector.detach();
  });
});

describe('one process, one recorder', () => {
  it('isCompatible follows @opentelemetry/api: same major, same minor before 1.0', () => {
    expect(isCompatible('0.1.5', '0.1.0')).toBe(true);
    expect(isCompatible('0.2.0', '0.1.0')).toBe(false);
    expect(isCompatible('1.3.0', '1.2.0')).toBe(true);
    expect(isCompatible('1.1.0', '1.2.0')).toBe(false);
  });

  it('the built package loaded through import and require records into one place with exact counts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'inferometer-dual-'));
    const script = join(dir, 'dual.mjs');
    const core = join(here, '..');
    writeFileSync(
      script,
      `import { createRequire } from 'node:module';
const esm = await import(${JSON.stringify(join(core, 'dist/index.js'))});
const require = createRequire(${JSON.stringify(join(core, 'package.json'))});
const cjs = require(${JSON.stringify(join(core, 'dist/index.cjs'))});
const internalCjs = require(${JSON.stringify(join(core, 'dist/internal.cjs'))});
const collector = esm.attachCollector();
const a = esm.instrument((x) => x, { model: 'dual', version: '1' });
const b = cjs.instrument((x) => x, { model: 'dual', version: '1' });
for (let i = 0; i < 300; i++) a(i);
for (let i = 0; i < 200; i++) b(i);
const points = collector.collect([0, 0]).find((m) => m.definition.name === 'ml_predictions').points;
console.log(JSON.stringify({ total: points.reduce((t, p) => t + p.value, 0), points: points.length, same: internalCjs.runtime() === globalThis[Symbol.for('inferometer.core.runtime.v0')] }));
`,
    );
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const out = JSON.parse(execFileSync(process.execPath, [script], { encoding: 'utf8' }));
    expect(out).toEqual({ total: 500, points: 1, same: true });
  });
});
