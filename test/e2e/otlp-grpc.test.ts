import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { status } from '@grpc/grpc-js';
import { metrics } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { METRIC_PREDICTION_LATENCY, METRIC_PREDICTIONS } from '@inferometer/core/catalog';
import { ConfigurationError, start, type InferometerHandle } from '@inferometer/node';
import { eventually } from '@inferometer/testing';
import { makeCertificates } from '../../packages/node/test/helpers/certificates.js';
import { startFixtureApp } from '../../packages/node/test/helpers/fixture-app.js';
import { startDemo, type Demo } from '../support/demo.js';
import { attributesOf, temporalityName, type OtlpMetric } from '../support/otlp-proto.js';
import { startOtlpGrpcReceiver, type OtlpGrpcReceived, type OtlpGrpcReceiver } from '../support/otlp-grpc-receiver.js';

// OTEL_EXPORTER_OTLP_PROTOCOL=grpc against the gRPC stand-in
// (test/support/otlp-grpc-receiver.ts: @grpc/grpc-js serving the official
// MetricsService): the built @inferometer/node in this process, the demo
// server and the worker_threads fixture as child processes.
const NR_KEY = 'nr-grpc-license';

let handle: InferometerHandle | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await handle?.shutdown().catch(() => undefined);
  handle = undefined;
  metrics.disable();
  await Promise.allSettled(closers.splice(0).map((close) => close()));
});

async function receiver(options: Parameters<typeof startOtlpGrpcReceiver>[0] = {}): Promise<OtlpGrpcReceiver> {
  const started = await startOtlpGrpcReceiver(options);
  closers.push(() => started.close());
  return started;
}

function grpcEnv(url: string, extra: Record<string, string> = {}): Record<string, string> {
  return { OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: url, INFEROMETER_RUNTIME_METRICS: 'false', ...extra };
}

/** Three predictions and one latency of 0.02 s for `iris`, then one export. */
async function recordAndFlush(): Promise<void> {
  const meter = metrics.getMeter('grpc-test');
  meter.createCounter(METRIC_PREDICTIONS.name).add(3, { model_name: 'iris', status: 'success' });
  meter.createHistogram(METRIC_PREDICTION_LATENCY.name, { unit: 's' }).record(0.02, { model_name: 'iris' });
  // Aggregated by the SDK, not by the catalog's producers: its temporality comes from the exporter's preference.
  meter.createCounter('app_requests').add(2);
  await handle!.forceFlush();
}

function metricsNamed(calls: readonly OtlpGrpcReceived[], name: string): OtlpMetric[] {
  return calls.flatMap((call) => (call.request.resourceMetrics ?? []).flatMap((rm) => (rm.scopeMetrics ?? []).flatMap((sm) => (sm.metrics ?? []).filter((m) => m.name === name))));
}

function expectExactIrisPoints(calls: readonly OtlpGrpcReceived[], temporality: 'CUMULATIVE' | 'DELTA'): void {
  const [sdkCounter] = metricsNamed(calls, 'app_requests');
  expect(temporalityName(sdkCounter?.sum?.aggregationTemporality)).toBe(`AGGREGATION_TEMPORALITY_${temporality}`);
  expect(sdkCounter?.sum?.dataPoints?.map((p) => Number(p.asDouble ?? p.asInt))).toEqual([2]);
  const [counter] = metricsNamed(calls, METRIC_PREDICTIONS.name);
  expect(counter?.sum?.isMonotonic).toBe(true);
  expect(temporalityName(counter?.sum?.aggregationTemporality)).toBe(`AGGREGATION_TEMPORALITY_${temporality}`);
  expect(counter?.sum?.dataPoints?.map((p) => ({ attributes: attributesOf(p.attributes), value: Number(p.asDouble ?? p.asInt) }))).toEqual([
    { attributes: { model_name: 'iris', status: 'success' }, value: 3 },
  ]);
}

describe('OTLP over gRPC from start()', () => {
  it('sends the exact points to MetricsService/Export with the headers as metadata, uncompressed by default', async () => {
    const collector = await receiver();
    handle = await start({ env: grpcEnv(collector.url, { OTEL_EXPORTER_OTLP_HEADERS: 'x-team=ml,Authorization=Bearer%20t0k' }) });
    await recordAndFlush();

    expect(collector.received.map((call) => call.code)).toEqual([status.OK]);
    const [call] = collector.received;
    expect(call!.metadata['x-team']).toBe('ml');
    // Header names are case-insensitive; gRPC metadata keys are lower case.
    expect(call!.metadata.authorization).toBe('Bearer t0k');
    expect(call!.metadata['user-agent']).toContain('OTel-OTLP-Exporter-JavaScript');
    expect(call!.encoding).toBe('identity');
    expect(call!.compressedOnWire).toBe(false);
    expectExactIrisPoints(collector.received, 'CUMULATIVE');
    const [latency] = metricsNamed(collector.received, METRIC_PREDICTION_LATENCY.name);
    expect(temporalityName(latency?.histogram?.aggregationTemporality)).toBe('AGGREGATION_TEMPORALITY_CUMULATIVE');
    expect(latency?.histogram?.dataPoints?.map((p) => ({ attributes: attributesOf(p.attributes), count: Number(p.count), sum: p.sum }))).toEqual([
      { attributes: { model_name: 'iris' }, count: 1, sum: 0.02 },
    ]);
  });

  it('compresses with gzip when OTEL_EXPORTER_OTLP_COMPRESSION=gzip: grpc-encoding gzip and the compressed flag on the wire', async () => {
    const collector = await receiver();
    handle = await start({ env: grpcEnv(collector.url, { OTEL_EXPORTER_OTLP_METRICS_COMPRESSION: 'gzip' }) });
    await recordAndFlush();
    expect(collector.received.map((call) => [call.code, call.encoding, call.compressedOnWire])).toEqual([[status.OK, 'gzip', true]]);
    expectExactIrisPoints(collector.received, 'CUMULATIVE');
  });

  it('retries an export answered UNAVAILABLE, and loses nothing: the same request arrives again and is accepted', async () => {
    const collector = await receiver();
    handle = await start({ env: grpcEnv(collector.url, { OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'delta' }) });
    collector.failNext(1, status.UNAVAILABLE);
    await recordAndFlush();
    expect(collector.received.map((call) => call.code)).toEqual([status.UNAVAILABLE, status.OK]);
    // Delta: a lost export would be lost for good; the retried one carries the 3.
    expectExactIrisPoints(collector.accepted(), 'DELTA');
  });

  it('does not retry what the specification calls permanent (INVALID_ARGUMENT)', async () => {
    const collector = await receiver();
    handle = await start({ env: grpcEnv(collector.url) });
    collector.failNext(1, status.INVALID_ARGUMENT);
    await recordAndFlush();
    expect(collector.received.map((call) => call.code)).toEqual([status.INVALID_ARGUMENT]);
  });

  it('splits an export over the payload limit into several calls, each under it, with every point once', async () => {
    const collector = await receiver();
    handle = await start({ env: grpcEnv(collector.url, { INFEROMETER_OTLP_MAX_PAYLOAD_BYTES: '2048' }) });
    const counter = metrics.getMeter('grpc-test').createCounter(METRIC_PREDICTIONS.name);
    for (let i = 0; i < 60; i++) counter.add(i + 1, { model_name: `model-${i}`, status: 'success' });
    await handle.forceFlush();
    expect(collector.received.length).toBeGreaterThan(1);
    expect(collector.received.every((call) => call.code === status.OK && call.messageBytes <= 2048)).toBe(true);
    const points = metricsNamed(collector.received, METRIC_PREDICTIONS.name).flatMap((m) => m.sum?.dataPoints ?? []);
    expect(points.map((p) => [attributesOf(p.attributes).model_name, Number(p.asDouble ?? p.asInt)]).sort()).toEqual(
      Array.from({ length: 60 }, (_, i) => [`model-${i}`, i + 1]).sort(),
    );
  });

  it('the newrelic preset over gRPC sends api-key metadata, gzip, delta and exponential histograms', async () => {
    const newrelic = await receiver({ vendor: 'newrelic', apiKey: NR_KEY });
    // The standard endpoint variable wins over the preset's https://otlp.nr-data.net:4317 (there is no New Relic here).
    handle = await start({ env: grpcEnv(newrelic.url, { INFEROMETER_OTLP_PRESET: 'newrelic', NEW_RELIC_LICENSE_KEY: NR_KEY }) });
    await recordAndFlush();
    // The stand-in answers UNAUTHENTICATED without the key and INVALID_ARGUMENT for cumulative data.
    expect(newrelic.received.map((call) => [call.code, call.refusal])).toEqual([[status.OK, undefined]]);
    const [call] = newrelic.received;
    expect(call!.metadata['api-key']).toBe(NR_KEY);
    expect([call!.encoding, call!.compressedOnWire]).toEqual(['gzip', true]);
    expectExactIrisPoints(newrelic.received, 'DELTA');
    const [latency] = metricsNamed(newrelic.received, METRIC_PREDICTION_LATENCY.name);
    expect(latency?.histogram).toBeUndefined();
    expect(temporalityName(latency?.exponentialHistogram?.aggregationTemporality)).toBe('AGGREGATION_TEMPORALITY_DELTA');
    expect(Number(latency?.exponentialHistogram?.dataPoints?.[0]?.count)).toBe(1);
  });

  it('over TLS with mutual authentication: the CA and client certificate from OTEL_EXPORTER_OTLP_CERTIFICATE, _CLIENT_KEY, _CLIENT_CERTIFICATE', async () => {
    const certificates = makeCertificates();
    closers.push(() => Promise.resolve(certificates.remove()));
    const secure = await receiver({ tls: { cert: certificates.read(certificates.serverCert), key: certificates.read(certificates.serverKey), clientCa: certificates.read(certificates.caCert) } });
    expect(secure.url.startsWith('https://')).toBe(true);
    // Without the client certificate the server ends the handshake: no call reaches it.
    // Checked first: the mutual TLS handle's shutdown sends one more (final,
    // cumulative) export, which would land among this case's calls.
    handle = await start({ env: grpcEnv(secure.url, { OTEL_EXPORTER_OTLP_CERTIFICATE: certificates.caCert, OTEL_EXPORTER_OTLP_TIMEOUT: '1000' }) });
    await recordAndFlush();
    expect(secure.received).toEqual([]);
    await handle.shutdown();
    handle = undefined;
    metrics.disable();

    handle = await start({
      env: grpcEnv(secure.url, {
        OTEL_EXPORTER_OTLP_CERTIFICATE: certificates.caCert,
        OTEL_EXPORTER_OTLP_METRICS_CLIENT_KEY: certificates.clientKey,
        OTEL_EXPORTER_OTLP_METRICS_CLIENT_CERTIFICATE: certificates.clientCert,
      }),
    });
    await recordAndFlush();
    expect(secure.received.map((call) => [call.code, call.clientCertificate])).toEqual([[status.OK, 'client']]);
    expectExactIrisPoints(secure.received, 'CUMULATIVE');
  });

  it('refuses at start a header gRPC metadata cannot carry, naming the variable', async () => {
    const error = await start({ env: grpcEnv('http://127.0.0.1:9', { OTEL_EXPORTER_OTLP_HEADERS: 'x-trace-bin=abc' }) }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).variable).toBe('OTEL_EXPORTER_OTLP_HEADERS');
  });

  it('refuses the datadog preset over gRPC at start, naming the variable and the Agent alternative', async () => {
    const error = await start({ env: { OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', DD_API_KEY: 'k' } }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).variable).toBe('OTEL_EXPORTER_OTLP_PROTOCOL');
    expect((error as ConfigurationError).message).toContain("Datadog Agent's OTLP receiver");
  });
});

describe('exporter packages are loaded only when chosen (the CommonJS build)', () => {
  const run = promisify(execFile);
  const PACKAGES = {
    grpc: '/@grpc/grpc-js/',
    otlpProto: '/@opentelemetry/exporter-metrics-otlp-proto/',
    otlpTransformer: '/@opentelemetry/otlp-transformer/',
    // A workspace link resolves to packages/exporter-remote-write; installed, to node_modules/@inferometer/exporter-remote-write.
    remoteWrite: 'exporter-remote-write/dist/index.cjs',
  };
  // A fresh CommonJS process: require.cache lists every module loaded.
  const probe = (env: Record<string, string>): Promise<Record<keyof typeof PACKAGES, boolean>> =>
    run(
      process.execPath,
      [
        '-e',
        `const { start } = require('@inferometer/node');
         start({ env: ${JSON.stringify(env)} }).then(() => {
           const loaded = Object.keys(require.cache).map((file) => file.replaceAll('\\\\', '/'));
           const packages = ${JSON.stringify(PACKAGES)};
           console.log(JSON.stringify(Object.fromEntries(Object.entries(packages).map(([key, part]) => [key, loaded.some((file) => file.includes(part))]))));
           // No shutdown: its last export would wait for a receiver that is not there.
           process.exit(0);
         });`,
      ],
      { cwd: fileURLToPath(new URL('../..', import.meta.url)) },
    ).then(({ stdout }) => JSON.parse(stdout) as Record<keyof typeof PACKAGES, boolean>);

  it('prometheus loads none of them; OTLP/HTTP its own; gRPC @grpc/grpc-js; remote write its exporter', async () => {
    const base = { INFEROMETER_RUNTIME_METRICS: 'false', OTEL_METRIC_EXPORT_INTERVAL: '600000', OTEL_EXPORTER_PROMETHEUS_PORT: '0' };
    const none = { grpc: false, otlpProto: false, otlpTransformer: false, remoteWrite: false };
    expect(await probe({ ...base, OTEL_METRICS_EXPORTER: 'prometheus' })).toEqual(none);
    expect(await probe({ ...base, OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' })).toEqual({ ...none, otlpProto: true, otlpTransformer: true });
    expect(await probe({ ...base, OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' })).toEqual({
      ...none,
      grpc: true,
      otlpTransformer: true,
    });
    expect(await probe({ ...base, OTEL_METRICS_EXPORTER: 'prometheusremotewrite', INFEROMETER_REMOTE_WRITE_URL: 'http://127.0.0.1:9/api/v1/write' })).toEqual({ ...none, remoteWrite: true });
  }, 60_000);
});

describe('OTEL_METRICS_EXPORTER=otlp OTEL_EXPORTER_OTLP_PROTOCOL=grpc in processes', () => {
  let collector: OtlpGrpcReceiver;
  let demo: Demo | undefined;
  beforeAll(async () => {
    collector = await startOtlpGrpcReceiver();
    demo = await startDemo({ OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_METRIC_EXPORT_INTERVAL: '500' });
  });
  afterAll(async () => {
    await demo?.stop();
    await collector?.close();
  });

  it('the demo server pushes its predictions over gRPC: the cumulative count reaches every call', async () => {
    for (let i = 0; i < 20; i++) expect((await demo!.predict({ features: [5.9, 3.0, 4.2, 1.5] })).status).toBe(200);
    const successes = (): number | undefined =>
      metricsNamed(collector.accepted(), METRIC_PREDICTIONS.name)
        .flatMap((m) => m.sum?.dataPoints ?? [])
        .filter((p) => attributesOf(p.attributes).status === 'success')
        .map((p) => Number(p.asDouble ?? p.asInt))
        .at(-1);
    await eventually('20 predictions over gRPC', () => Promise.resolve(successes() === 20 ? true : undefined), 20_000);
    expect(collector.received.every((call) => call.code === status.OK)).toBe(true);
  });

  it('worker_threads: delta pushes from the main thread, split under a small payload limit, add up to every call', async () => {
    const fixture = fileURLToPath(new URL('../../packages/node/test/cluster/fixtures/threads-app.mjs', import.meta.url));
    const threads = await startOtlpGrpcReceiver();
    const app = await startFixtureApp(fixture, {
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_ENDPOINT: threads.url,
      OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'delta',
      INFEROMETER_OTLP_MAX_PAYLOAD_BYTES: '4096',
      OTEL_METRIC_EXPORT_INTERVAL: '500',
    });
    try {
      await app.command({ cmd: 'calls', worker: 0, n: 12 });
      await app.command({ cmd: 'calls', worker: 1, n: 5 });
      await app.command({ cmd: 'pool', n: 40 });
      const total = (): number =>
        metricsNamed(threads.accepted(), METRIC_PREDICTIONS.name)
          .flatMap((m) => m.sum?.dataPoints ?? [])
          .filter((p) => attributesOf(p.attributes).model_name === 'threads-model' && attributesOf(p.attributes).status === 'success')
          .reduce((sum, p) => sum + Number(p.asDouble ?? p.asInt ?? 0), 0);
      await eventually('every call of every thread', () => Promise.resolve(total() === 57 ? true : undefined), 20_000);
      expect(threads.received.every((call) => call.code === status.OK && call.messageBytes <= 4096)).toBe(true);
    } finally {
      await app.stop();
      await threads.close();
    }
  }, 60_000);
});
