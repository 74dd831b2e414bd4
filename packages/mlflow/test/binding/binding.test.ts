import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { instrument, Instrument, InferometerConfigError } from '@inferometer/core';
import { eventually, setupTestMetrics, type TestMetrics } from '@inferometer/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bindMlflowModel, MlflowModel, mlflowModel } from '../../src/binding/binding.js';
import { MAX_BINDINGS, mlflowRegistry } from '../../src/binding/registry.js';
import { METRIC_MLFLOW_RESOLVE_FAILURES, METRIC_MODEL_REGISTRY_INFO } from '../../src/catalog.js';
import { MlflowResolveError } from '../../src/errors.js';
import type { MlflowModelOptions } from '../../src/config/options.js';
import { startRegistryStandin, type Standin } from '../support/registry-standin.js';

let standin: Standin;
let m: TestMetrics;
const open: MlflowModel[] = [];
const RUN_1 = '1'.repeat(32);
const RUN_2 = '2'.repeat(32);

beforeEach(async () => {
  m = setupTestMetrics();
  standin = await startRegistryStandin();
  standin.createVersion('fraud', { run_id: RUN_1, source: 's3://models/fraud/1' });
  standin.createVersion('fraud', { run_id: RUN_2, source: 's3://models/fraud/2' });
  standin.setAlias('fraud', 'champion', '1');
});
afterEach(async () => {
  for (const model of open.splice(0)) model.close();
  expect(standin.schemaErrors).toEqual([]);
  await standin.stop();
  await m.shutdown();
});

/** Options for the stand-in: a long refresh, so only explicit refresh() calls ask (no wall-clock in the assertions). */
const opts = (extra: MlflowModelOptions = {}): MlflowModelOptions => ({ trackingUri: standin.url, env: {}, retries: 0, refreshSeconds: 3600, ...extra });
async function bind(uri: string, extra?: MlflowModelOptions): Promise<MlflowModel> {
  const model = await mlflowModel(uri, opts(extra));
  open.push(model);
  return model;
}

describe('mlflowModel', () => {
  it('binds the alias: calls are labelled with the version it points to, and ml_model_registry_info carries run, aliases, stage, source', async () => {
    const fraud = await bind('models:/fraud@champion');
    expect(fraud).toMatchObject({ uri: 'models:/fraud@champion', name: 'fraud', alias: 'champion' });
    expect(fraud.current).toMatchObject({ version: '1', runId: RUN_1 });
    const predict = instrument((x: number) => x * 2, { model: fraud.name, version: fraud.version });
    expect(predict(21)).toBe(42);
    expect(await m.value('ml_predictions', { model_name: 'fraud', model_version: '1' })).toBe(1);
    expect((await m.points(METRIC_MODEL_REGISTRY_INFO.name)).map((p) => [p.attributes, p.value])).toEqual([
      [{ model_name: 'fraud', model_version: '1', run_id: RUN_1, aliases: 'champion', stage: 'None', source: 's3://models/fraud/1' }, 1],
    ]);
  });

  it('follows the alias: after a refresh calls carry the new version; the old one stays in the info gauge until it idles out', async () => {
    const fraud = await bind('models:/fraud@champion');
    const predict = instrument(async (x: number) => x, { model: fraud.name, version: fraud.version });
    await predict(1);
    standin.setAlias('fraud', 'champion', '2');
    expect(await fraud.refresh()).toBe(true);
    expect(fraud.version()).toBe('2');
    await predict(1);
    await predict(1);
    expect(await m.value('ml_predictions', { model_name: 'fraud', model_version: '1' })).toBe(1);
    expect(await m.value('ml_predictions', { model_name: 'fraud', model_version: '2' })).toBe(2);
    // The alias left version 1: its point as first seen goes to 0 (OpenTelemetry JS would
    // repeat it at 1 if it were left out), and version 1 stays at 1 without the alias while
    // core keeps its series.
    const info = await m.points(METRIC_MODEL_REGISTRY_INFO.name);
    expect(info.map((p) => [p.attributes.model_version, p.attributes.aliases, p.attributes.run_id, p.value])).toEqual([
      ['1', 'champion', RUN_1, 0],
      ['1', '', RUN_1, 1],
      ['2', 'champion', RUN_2, 1],
    ]);
    // Nothing moved: no change, no new request beyond the one asked.
    expect(await fraud.refresh()).toBe(false);
    expect(standin.requests).toHaveLength(3);
  });

  it('a registry that goes down keeps the last binding, counts each failed refresh, warns once, and predict never throws', async () => {
    const warnings: string[] = [];
    const logger: DiagLogger = { error: () => {}, warn: (msg) => void warnings.push(msg), info: () => {}, debug: () => {}, verbose: () => {} };
    diag.setLogger(logger, DiagLogLevel.WARN);
    try {
      const fraud = await bind('models:/fraud@champion');
      const predict = instrument((x: number) => x + 1, { model: fraud.name, version: fraud.version });
      await standin.stop();
      for (let i = 0; i < 3; i++) {
        expect(await fraud.refresh()).toBe(false);
        expect(predict(i)).toBe(i + 1);
      }
      expect(fraud.version()).toBe('1');
      expect(fraud.lastFailure).toMatchObject({ reason: 'unreachable' });
      expect(await m.value(METRIC_MLFLOW_RESOLVE_FAILURES.name, { model_name: 'fraud', reason: 'unreachable' })).toBe(3);
      expect(await m.value('ml_predictions', { model_name: 'fraud', model_version: '1' })).toBe(3);
      expect(warnings.filter((w) => w.includes('models:/fraud@champion') && w.includes('unreachable'))).toHaveLength(1);
    } finally {
      diag.disable();
      standin = await startRegistryStandin(); // for afterEach
    }
  });

  it('an alias deleted in the registry is not_found: the binding stays on its version', async () => {
    const fraud = await bind('models:/fraud@champion');
    standin.deleteAlias('fraud', 'champion');
    expect(await fraud.refresh()).toBe(false);
    expect(fraud.version()).toBe('1');
    expect(mlflowRegistry().failures('fraud', 'not_found')).toBeGreaterThanOrEqual(1);
  });

  it('a pinned version binds that version; a refresh updates its aliases without moving the label', async () => {
    const pinned = await bind('models:/fraud/2');
    expect(pinned.alias).toBeUndefined();
    expect(pinned.current).toMatchObject({ version: '2', aliases: [] });
    standin.setAlias('fraud', 'challenger', '2');
    expect(await pinned.refresh()).toBe(false);
    expect(pinned.current?.aliases).toEqual(['challenger']);
    // (Points at 0 are bindings of earlier tests, closed: the registry is process-wide.)
    expect((await m.points(METRIC_MODEL_REGISTRY_INFO.name)).filter((p) => p.value === 1).map((p) => [p.attributes.model_version, p.attributes.aliases])).toEqual([['2', 'challenger']]);
  });

  it('onChange runs before the label moves; until it resolves calls keep the old version; a failing onChange keeps the binding and is retried', async () => {
    const loaded: string[] = [];
    let release: (() => void) | undefined;
    let entered!: () => void;
    const loading = new Promise<void>((resolve) => (entered = resolve));
    let fail = false;
    const fraud = await bind('models:/fraud@champion', {
      onChange: async (next, previous) => {
        if (fail) throw new Error('artifacts unavailable');
        if (previous?.version === '1') {
          const done = new Promise<void>((resolve) => (release = resolve));
          entered();
          await done;
        }
        loaded.push(`${previous?.version ?? '-'}->${next.version}:${next.source}`);
      },
    });
    expect(loaded).toEqual(['-->1:s3://models/fraud/1']);
    standin.setAlias('fraud', 'champion', '2');
    const refreshing = fraud.refresh();
    await loading;
    expect(fraud.version()).toBe('1');
    // A refresh asked meanwhile joins the one under way.
    const joined = fraud.refresh();
    release!();
    expect(await refreshing).toBe(true);
    expect(await joined).toBe(true);
    expect(fraud.version()).toBe('2');
    expect(loaded).toEqual(['-->1:s3://models/fraud/1', '1->2:s3://models/fraud/2']);

    fail = true;
    standin.setAlias('fraud', 'champion', '1');
    expect(await fraud.refresh()).toBe(false);
    expect(fraud.version()).toBe('2');
    expect(fraud.lastFailure).toMatchObject({ reason: 'on_change_error', message: expect.stringContaining('artifacts unavailable') });
    fail = false;
    expect(await fraud.refresh()).toBe(true);
    expect(fraud.version()).toBe('1');
  });

  it('the first resolution failing rejects with MlflowResolveError, unless fallbackVersion is given', async () => {
    const error = await mlflowModel('models:/fraud@missing', opts()).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(MlflowResolveError);
    expect(error).toMatchObject({ uri: 'models:/fraud@missing', reason: 'not_found', status: 404 });
    const fallback = await bind('models:/fraud@missing', { fallbackVersion: '1' });
    expect(fallback.version()).toBe('1');
    expect(fallback.current).toBeUndefined();
    expect(await fallback.ready).toBe(false);
    standin.setAlias('fraud', 'missing', '2');
    expect(await fallback.refresh()).toBe(true);
    expect(fallback.version()).toBe('2');
  });

  it('bad configuration fails at start, naming the option or variable', async () => {
    await expect(mlflowModel('models:/fraud/Production', opts())).rejects.toMatchObject({ name: 'InferometerConfigError', option: 'uri' });
    await expect(mlflowModel('models:/fraud@champion', { env: {} })).rejects.toMatchObject({ option: 'MLFLOW_TRACKING_URI' });
    expect(() => bindMlflowModel('models:/fraud@champion', opts({ refreshSeconds: 0 }))).toThrow(InferometerConfigError);
  });
});

describe('bindMlflowModel', () => {
  it('returns at once for a decorator: calls are `unknown` until the first resolution, then the bound version', async () => {
    const fraud = bindMlflowModel('models:/fraud@champion', opts());
    open.push(fraud);
    class Scorer {
      @Instrument({ model: fraud.name, version: fraud.version })
      score(row: number[]): number {
        return row.length;
      }
    }
    const scorer = new Scorer();
    expect(fraud.version()).toBe('unknown');
    expect(scorer.score([1, 2])).toBe(2);
    expect(await fraud.ready).toBe(true);
    expect(scorer.score([1])).toBe(1);
    expect(await m.value('ml_predictions', { model_name: 'fraud', model_version: 'unknown' })).toBe(1);
    expect(await m.value('ml_predictions', { model_name: 'fraud', model_version: '1' })).toBe(1);
  });

  it('ready never rejects: a failed first resolution settles false, without an unhandled rejection', async () => {
    const fraud = bindMlflowModel('models:/nope@champion', opts());
    open.push(fraud);
    expect(await fraud.ready).toBe(false);
    expect(fraud.version()).toBe('unknown');
  });

  it('refreshes on its own every refreshSeconds; close() stops it and sets its info points to 0', async () => {
    const fraud = await bind('models:/fraud@champion', { refreshSeconds: 1 });
    expect((await m.points(METRIC_MODEL_REGISTRY_INFO.name)).filter((p) => p.value === 1).map((p) => p.attributes.model_version)).toEqual(['1']);
    standin.setAlias('fraud', 'champion', '2');
    // No refresh() here: only the binding's own timer can move it.
    await eventually('the timer to refresh the binding', async () => (fraud.version() === '2' ? true : undefined), 20_000);
    expect(standin.requests.length).toBeGreaterThanOrEqual(2);
    fraud.close();
    const asked = standin.requests.length;
    expect(await fraud.refresh()).toBe(false);
    expect(standin.requests).toHaveLength(asked);
    const after = await m.points(METRIC_MODEL_REGISTRY_INFO.name);
    expect(after.filter((p) => p.value === 1)).toEqual([]);
    expect(after.filter((p) => p.attributes.model_version === '2' && p.attributes.aliases === 'champion').map((p) => p.value)).toEqual([0]);
    expect(fraud.version()).toBe('2');
  });

  it(`at most ${MAX_BINDINGS} bindings are open at once`, async () => {
    const before = mlflowRegistry().size;
    const many: MlflowModel[] = [];
    try {
      for (let i = before; i < MAX_BINDINGS; i++) many.push(bindMlflowModel('models:/fraud@champion', opts()));
      expect(() => bindMlflowModel('models:/fraud@champion', opts())).toThrow(expect.objectContaining({ option: 'bindings' }));
    } finally {
      for (const model of many) model.close();
    }
    await Promise.all(many.map((model) => model.ready));
  });
});
