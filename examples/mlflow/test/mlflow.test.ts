import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freePort, parseStrict, type StrictExposition } from '@inferometer/testing';
import { startRegistryStandin, type Standin } from '../../../packages/mlflow/test/support/registry-standin.js';

// The example as `npm start` runs it, against the registry stand-in (token
// auth), with a one-second refresh; the alias is moved in the registry and
// the service's own /metrics must follow.
const SERVER = fileURLToPath(new URL('../server.mjs', import.meta.url));
let standin: Standin;
let service: ChildProcess;
let log = '';
let base: string;
let metricsUrl: string;

beforeAll(async () => {
  standin = await startRegistryStandin({ token: 'example-token' });
  standin.createVersion('fraud', { run_id: 'a'.repeat(32), source: 's3://models/fraud/1' });
  standin.createVersion('fraud', { run_id: 'b'.repeat(32), source: 's3://models/fraud/2' });
  standin.setAlias('fraud', 'champion', '1');
  const [port, metricsPort] = [await freePort(), await freePort()];
  service = spawn(process.execPath, [SERVER], {
    env: { ...process.env, MLFLOW_TRACKING_URI: standin.url, MLFLOW_TRACKING_TOKEN: 'example-token', REFRESH_SECONDS: '1', PORT: String(port), OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort), OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  service.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  service.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  base = `http://127.0.0.1:${port}`;
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  await eventually('the service to listen', async () => {
    if (service.exitCode !== null) throw new Error(`service exited with ${service.exitCode}: ${log}`);
    return (await fetch(`${base}/`).catch(() => undefined))?.status === 404 ? true : undefined;
  });
}, 60_000);

afterAll(async () => {
  if (service !== undefined && service.exitCode === null) {
    const exited = new Promise((resolve) => service.once('exit', resolve));
    service.kill('SIGTERM');
    await exited;
  }
  expect(standin.schemaErrors).toEqual([]);
  await standin.stop();
});

const score = async (amount: number) => (await (await fetch(`${base}/score`, { method: 'POST', body: JSON.stringify({ amount }) })).json()) as { fraud: number; version: string };
const scrape = async (): Promise<StrictExposition> => parseStrict(await (await fetch(metricsUrl)).text());
const value = (e: StrictExposition, name: string, labels: Record<string, string>) => e.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).map((s) => s.value);

describe('examples/mlflow', () => {
  it('labels calls with the version champion points to, and follows it when it moves', async () => {
    expect(await score(2000)).toEqual({ fraud: 0.9, version: '1' });
    const first = await scrape();
    expect(value(first, 'ml_predictions_total', { model_name: 'fraud', model_version: '1', status: 'success' })).toEqual([1]);
    expect(value(first, 'ml_model_registry_info', { model_name: 'fraud', model_version: '1', run_id: 'a'.repeat(32), aliases: 'champion' })).toEqual([1]);

    standin.setAlias('fraud', 'champion', '2');
    // The service's own refresh (1 s) moves it; calls answer with the new version once onChange loaded it.
    await eventually('the service to serve version 2', async () => ((await score(100)).version === '2' ? true : undefined), 20_000);
    const moved = await scrape();
    expect(value(moved, 'ml_predictions_total', { model_name: 'fraud', model_version: '2', status: 'success' })).toEqual([1]);
    expect(value(moved, 'ml_model_registry_info', { model_name: 'fraud', model_version: '2', run_id: 'b'.repeat(32), aliases: 'champion' })).toEqual([1]);
    expect(value(moved, 'inferometer_mlflow_resolve_failures_total', { model_name: 'fraud' })).toEqual([]);
    expect(log).toContain('serving version 2 (run bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb, s3://models/fraud/2), was 1');
  });
});
