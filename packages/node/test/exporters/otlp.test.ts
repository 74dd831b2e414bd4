import { metrics } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { blameAsync } from '../helpers/blame.js';
import { METRIC_PREDICTION_LATENCY, METRIC_PREDICTIONS } from '@inferometer/core/catalog';
import { ConfigurationError } from '../../src/config/env.js';
import { start, type InferometerHandle } from '../../src/start.js';
import { startCapture } from './capture.js';

// start() with OTEL_METRICS_EXPORTER=otlp against a loopback server; the
// http/json protocol keeps the requests readable here (the protobuf protocol
// is decoded with the OTLP definitions in test/e2e/otlp.test.ts).
let handle: InferometerHandle | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
  metrics.disable();
  await Promise.allSettled(closers.splice(0).map((close) => close()));
});

interface JsonRequest {
  resourceMetrics: { scopeMetrics: { metrics: { name: string; sum?: { aggregationTemporality: number; isMonotonic?: boolean }; histogram?: { aggregationTemporality: number }; exponentialHistogram?: { aggregationTemporality: number } }[] }[] }[];
}

async function record(): Promise<void> {
  const meter = metrics.getMeter('test');
  meter.createCounter(METRIC_PREDICTIONS.name).add(3, { model_name: 'iris' });
  meter.createHistogram(METRIC_PREDICTION_LATENCY.name, { unit: 's' }).record(0.02, { model_name: 'iris' });
  await handle!.forceFlush();
}

function metricsOf(body: Buffer): JsonRequest['resourceMetrics'][number]['scopeMetrics'][number]['metrics'] {
  return (JSON.parse(body.toString('utf8')) as JsonRequest).resourceMetrics.flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics));
}

async function capture() {
  const server = await startCapture();
  closers.push(() => server.close());
  return server;
}

const DELTA = 1;
const CUMULATIVE = 2;

describe('OTEL_METRICS_EXPORTER=otlp', () => {
  it('pushes cumulative OTLP to the endpoint with the standard headers', async () => {
    const server = await capture();
    handle = await start({
      env: {
        OTEL_METRICS_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: server.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-team=ml',
      },
    });
    expect(handle.exporters).toEqual(['otlp']);
    await record();
    expect(server.requests).toHaveLength(1);
    const { path, headers, body } = server.requests[0]!;
    expect(path).toBe('/v1/metrics');
    expect(headers['content-type']).toBe('application/json');
    expect(headers['x-team']).toBe('ml');
    const sent = metricsOf(body);
    expect(sent.find((m) => m.name === METRIC_PREDICTIONS.name)?.sum).toMatchObject({ aggregationTemporality: CUMULATIVE, isMonotonic: true });
    expect(sent.find((m) => m.name === METRIC_PREDICTION_LATENCY.name)?.histogram?.aggregationTemporality).toBe(CUMULATIVE);
  });

  it.each([
    [undefined, CUMULATIVE],
    ['cumulative', CUMULATIVE],
    ['delta', DELTA],
  ])('OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=%s reaches the SDK-aggregated instruments too (not only the catalog producers)', async (preference, expected) => {
    const server = await capture();
    handle = await start({
      env: {
        OTEL_METRICS_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: server.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        ...(preference === undefined ? {} : { OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: preference }),
      },
    });
    metrics.getMeter('test').createCounter('app_requests').add(2);
    await handle.forceFlush();
    const sent = server.requests.flatMap((request) => metricsOf(request.body));
    expect(sent.find((m) => m.name === 'app_requests')?.sum?.aggregationTemporality).toBe(expected);
  });

  it('with the datadog preset sends dd-api-key and delta', async () => {
    const server = await capture();
    handle = await start({
      env: {
        OTEL_METRICS_EXPORTER: 'otlp',
        DD_API_KEY: 'dd-key',
        INFEROMETER_OTLP_PRESET: 'datadog',
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${server.url}/v1/metrics`,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      },
    });
    await record();
    expect(server.requests[0]!.headers['dd-api-key']).toBe('dd-key');
    const sent = metricsOf(server.requests[0]!.body);
    expect(sent.find((m) => m.name === METRIC_PREDICTIONS.name)?.sum?.aggregationTemporality).toBe(DELTA);
    expect(sent.find((m) => m.name === METRIC_PREDICTION_LATENCY.name)?.histogram?.aggregationTemporality).toBe(DELTA);
  });

  it('with the newrelic preset sends api-key, gzip and delta exponential histograms', async () => {
    const server = await capture();
    handle = await start({
      env: { OTEL_METRICS_EXPORTER: 'otlp', NEW_RELIC_LICENSE_KEY: 'nr-key', INFEROMETER_OTLP_PRESET: 'newrelic', OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${server.url}/v1/metrics`, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
    });
    await record();
    const { headers, body } = server.requests[0]!;
    expect(headers['api-key']).toBe('nr-key');
    expect(headers['content-encoding']).toBe('gzip');
    const latency = metricsOf(body).find((m) => m.name === METRIC_PREDICTION_LATENCY.name)!;
    expect(latency.histogram).toBeUndefined();
    expect(latency.exponentialHistogram?.aggregationTemporality).toBe(DELTA);
  });

  it('honours OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION, which the JS exporter ignores', async () => {
    const server = await capture();
    handle = await start({
      env: {
        OTEL_METRICS_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: server.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION: 'base2_exponential_bucket_histogram',
      },
    });
    await record();
    const latency = metricsOf(server.requests[0]!.body).find((m) => m.name === METRIC_PREDICTION_LATENCY.name)!;
    expect(latency.exponentialHistogram?.aggregationTemporality).toBe(CUMULATIVE);
  });

  it('retries a 503', async () => {
    const server = await capture();
    let first = true;
    server.respond = (_request, response) => {
      response.writeHead(first ? 503 : 200, { 'Content-Type': 'application/json' });
      first = false;
      response.end('{}');
    };
    handle = await start({ env: { OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: server.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' } });
    await record();
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.body.equals(server.requests[0]!.body)).toBe(true);
  });

  it('refuses grpc with the datadog preset and a preset without its key at start, naming the variable', async () => {
    await expect(start({ env: { OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'grpc', DD_API_KEY: 'k' } })).rejects.toThrow(
      'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL="grpc": cannot be used with the datadog preset',
    );
    await expect(start({ env: { OTEL_METRICS_EXPORTER: 'otlp', INFEROMETER_OTLP_PRESET: 'newrelic' } })).rejects.toThrow(ConfigurationError);
    await expect(start({ env: { OTEL_METRICS_EXPORTER: 'otlp', INFEROMETER_OTLP_PRESET: 'newrelic' } })).rejects.toThrow('needs NEW_RELIC_LICENSE_KEY');
    const error = await blameAsync(start({ exporters: ['otlp'], otlp: { protocol: 'grpc', preset: 'datadog', apiKey: 'k' } }));
    expect([error.option, error.variable]).toEqual(['otlp.protocol', undefined]);
  });
});
