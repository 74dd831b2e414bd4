import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { packAll, type PackageName, runNpm } from './support/pack.js';

// The OpenTelemetry JS 3.x line, as a user has it: an app that already runs
// the OpenTelemetry Node SDK (sdk-node 0.301, api 1.10, its own Prometheus
// exporter) installs Inferometer from the packed tarballs afterwards. npm
// must find one @opentelemetry/sdk-metrics for both (two copies would mean
// two MeterProviders' worth of types and instruments that never meet), and
// the app's own exporter must show the Inferometer catalog.

const run = promisify(execFile);
// onnxruntime is left out: its onnxruntime-node peer (native binaries) has
// nothing to do with the OpenTelemetry line.
const INSTALLED: PackageName[] = ['@inferometer/core', '@inferometer/exporter-remote-write', '@inferometer/node', '@inferometer/drift', '@inferometer/ops'];

const APP = `
import { createServer } from 'node:http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { instrument } from '@inferometer/core';
import { createPrometheusReader } from '@inferometer/node';

const own = new PrometheusExporter({ preventServerStart: true });
const inferometer = createPrometheusReader();
const sdk = new NodeSDK({ metricReaders: [own, inferometer.reader] });
sdk.start();

const serve = (handler) => new Promise((resolve) => {
  const server = createServer(handler).listen(0, '127.0.0.1', () => resolve(server));
});
const ownServer = await serve((request, response) => own.getMetricsRequestHandler(request, response));
const inferometerServer = await serve(inferometer.handler);

const predict = instrument((x) => x * 2, { model: 'iris', version: '1' });
const broken = instrument(() => { throw new Error('bad input'); }, { model: 'iris', version: '1' });
predict(1); predict(2); predict(3);
try { broken(); } catch {}

const scrape = async (server) => (await fetch('http://127.0.0.1:' + server.address().port + '/metrics')).text();
const result = { own: await scrape(ownServer), inferometer: await scrape(inferometerServer) };
ownServer.close();
inferometerServer.close();
await sdk.shutdown();
console.log(JSON.stringify(result));
`;

/** The value of the ml_predictions_total series with these labels (other labels, e.g. otel_scope_*, allowed). */
function predictions(exposition: string, status: string): number[] {
  return exposition
    .split('\n')
    .filter((line) => line.startsWith('ml_predictions_total{') && line.includes('model_name="iris"') && line.includes('model_version="1"') && line.includes(`status="${status}"`))
    .map((line) => Number(line.slice(line.lastIndexOf(' ') + 1)));
}

let dir: string | undefined;

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('OpenTelemetry JS 3.x', () => {
  it('an sdk-node 0.301 app installs Inferometer beside it with one sdk-metrics, and its own exporter shows the catalog', async () => {
    const packed = await packAll();
    dir = packed.dir;
    const app = join(dir, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'otel-app', private: true, type: 'module' }, null, 2));
    const npmInstall = (specs: string[]) => runNpm(app, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--save', ...specs], 120_000);
    // The app's OpenTelemetry first, from the registry (or npm's cache)...
    await npmInstall(['@opentelemetry/sdk-node@~0.301.0', '@opentelemetry/api@~1.10.0', '@opentelemetry/exporter-prometheus@~0.301.0']);
    // ...then Inferometer, from the tarballs a release would publish.
    await npmInstall(INSTALLED.map((name) => packed.tarballs[name].path));

    // `npm ls` exits non-zero on a missing or invalid (peer) dependency.
    await runNpm(app, ['ls', '--all'], 60_000);
    const locations = (await runNpm(app, ['ls', '--all', '--parseable'], 60_000)).split('\n');
    const copies = (name: string) => locations.filter((path) => path.endsWith(`/node_modules/${name}`));
    expect(copies('@opentelemetry/sdk-metrics')).toEqual([join(app, 'node_modules/@opentelemetry/sdk-metrics')]);
    expect(copies('@opentelemetry/api')).toHaveLength(1);

    writeFileSync(join(app, 'app.mjs'), APP);
    const { stdout } = await run(process.execPath, ['app.mjs'], {
      cwd: app,
      encoding: 'utf8',
      timeout: 30_000,
      // Only the metric readers given in code: no OTLP exporters reaching for a collector.
      env: { ...process.env, OTEL_TRACES_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none' },
    });
    const scraped = JSON.parse(stdout) as { own: string; inferometer: string };
    expect(predictions(scraped.own, 'success')).toEqual([3]);
    expect(predictions(scraped.own, 'error')).toEqual([1]);
    expect(predictions(scraped.inferometer, 'success')).toEqual([3]);
    expect(predictions(scraped.inferometer, 'error')).toEqual([1]);
  }, 300_000);
});
