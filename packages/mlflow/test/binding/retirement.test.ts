import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { configureGuards, instrument } from '@inferometer/core';
import { start, type InferometerHandle } from '@inferometer/node';
import { eventually, parseStrict, type StrictExposition } from '@inferometer/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mlflowModel, type MlflowModel } from '../../src/binding/binding.js';
import { startRegistryStandin, type Standin } from '../support/registry-standin.js';

// The whole path a service takes: start() from @inferometer/node (the fast
// recorder and its Prometheus exposition), a binding to the registry
// stand-in, an alias moved in the registry. One process per test file, so
// versionIdleSeconds (1 s, the smallest core takes) is this file's.
let telemetry: InferometerHandle;
let server: Server;
let url: string;
let standin: Standin;
let fraud: MlflowModel;

beforeAll(async () => {
  configureGuards({ versionIdleSeconds: 1 });
  telemetry = await start({ prometheus: { server: false } });
  server = createServer(telemetry.metricsHandler!);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  standin = await startRegistryStandin({ token: 'serving-token' });
  standin.createVersion('fraud', { run_id: 'a'.repeat(32), source: 's3://models/fraud/1' });
  standin.createVersion('fraud', { run_id: 'b'.repeat(32), source: 's3://models/fraud/2' });
  standin.setAlias('fraud', 'champion', '1');
});
afterAll(async () => {
  fraud?.close();
  expect(standin.schemaErrors).toEqual([]);
  await standin.stop();
  server.close();
  await telemetry.shutdown();
});

const scrape = async (): Promise<StrictExposition> => parseStrict(await (await fetch(url)).text());
const samples = (e: StrictExposition, name: string, labels: Record<string, string> = {}) =>
  e.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

describe('an alias moved in the registry, seen through a scrape', () => {
  it('labels calls with the new version after the refresh, and the old version retires through core', async () => {
    fraud = await mlflowModel('models:/fraud@champion', { env: { MLFLOW_TRACKING_URI: standin.url, MLFLOW_TRACKING_TOKEN: 'serving-token' }, refreshSeconds: 3600 });
    const predict = instrument(async (row: number[]) => row.length, { model: fraud.name, version: fraud.version });
    expect(await predict([1, 2, 3])).toBe(3);

    const before = await scrape();
    expect(samples(before, 'ml_predictions_total', { model_name: 'fraud', model_version: '1', status: 'success' }).map((s) => s.value)).toEqual([1]);
    expect(samples(before, 'ml_model_registry_info').map((s) => s.labels)).toEqual([
      { model_name: 'fraud', model_version: '1', run_id: 'a'.repeat(32), aliases: 'champion', stage: 'None', source: 's3://models/fraud/1' },
    ]);

    standin.setAlias('fraud', 'champion', '2');
    expect(await fraud.refresh()).toBe(true);
    await predict([1]);
    await predict([1]);
    const after = await scrape();
    expect(samples(after, 'ml_predictions_total', { model_name: 'fraud', model_version: '2', status: 'success' }).map((s) => s.value)).toEqual([2]);
    expect(samples(after, 'ml_active_model_version', { model_name: 'fraud' }).map((s) => s.value)).toEqual([2]);
    expect(samples(after, 'ml_model_registry_info', { model_version: '2' }).map((s) => s.labels.aliases)).toEqual(['champion']);

    // Version 1 no longer serves: once it idles past versionIdleSeconds,
    // core exports it a last time and releases it; its registry info drops to 0
    // (OpenTelemetry JS keeps exporting an observable's attribute set once seen).
    const gone = await eventually(
      'version 1 to retire',
      async () => {
        const e = await scrape();
        const left = ['ml_predictions_total', 'ml_model_info'].flatMap((name) => samples(e, name, { model_name: 'fraud', model_version: '1' }));
        const info = samples(e, 'ml_model_registry_info', { model_name: 'fraud', model_version: '1' });
        return left.length === 0 && info.every((s) => s.value === 0) ? e : undefined;
      },
      20_000,
    );
    expect(samples(gone, 'ml_predictions_total', { model_name: 'fraud', model_version: '2', status: 'success' }).map((s) => s.value)).toEqual([2]);
    expect(samples(gone, 'ml_model_info', { model_name: 'fraud' }).map((s) => s.labels.model_version)).toEqual(['2']);
    expect(samples(gone, 'ml_model_registry_info').filter((s) => s.value === 1).map((s) => [s.labels.model_version, s.labels.aliases])).toEqual([['2', 'champion']]);
    expect(standin.requests.every((r) => r.headers.authorization === 'Bearer serving-token')).toBe(true);
  });
});
