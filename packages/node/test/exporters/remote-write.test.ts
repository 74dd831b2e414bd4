import { metrics } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { RemoteWriteOptionsError } from '@inferometer/exporter-remote-write';
import { blameAsync } from '../helpers/blame.js';
import { METRIC_PREDICTIONS } from '@inferometer/core/catalog';
import { start, type InferometerHandle } from '../../src/start.js';
import { startCapture } from './capture.js';
import { METRIC_REMOTE_WRITE_RETRIED, METRIC_REMOTE_WRITE_SENT } from '@inferometer/exporter-remote-write';

let handle: InferometerHandle | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
  metrics.disable();
  await Promise.allSettled(closers.splice(0).map((close) => close()));
});

describe('OTEL_METRICS_EXPORTER=prometheusremotewrite', () => {
  it('pushes remote write 1.0 with basic auth and extra headers from the environment, and its self-metrics show on the pull endpoint', async () => {
    const server = await startCapture();
    closers.push(() => server.close());
    let first = true;
    server.respond = (_request, response) => {
      response.writeHead(first ? 503 : 204);
      first = false;
      response.end();
    };
    handle = await start({
      prometheus: { host: '127.0.0.1', port: 0 },
      env: {
        OTEL_METRICS_EXPORTER: 'prometheus,prometheusremotewrite',
        INFEROMETER_REMOTE_WRITE_URL: `${server.url}/api/v1/write`,
        INFEROMETER_REMOTE_WRITE_USERNAME: 'tenant',
        INFEROMETER_REMOTE_WRITE_PASSWORD: 'pw',
        INFEROMETER_REMOTE_WRITE_HEADERS: 'X-Scope-OrgID=ml',
        INFEROMETER_REMOTE_WRITE_MIN_BACKOFF: '10',
      },
    });
    expect(handle.exporters).toEqual(['prometheus', 'prometheusremotewrite']);
    metrics.getMeter('test').createCounter(METRIC_PREDICTIONS.name).add(2, { model_name: 'iris' });
    await handle.forceFlush();
    expect(server.requests.length).toBeGreaterThanOrEqual(2);
    const { path, headers, body } = server.requests[0]!;
    expect(path).toBe('/api/v1/write');
    expect(headers).toMatchObject({
      'content-encoding': 'snappy',
      'content-type': 'application/x-protobuf',
      'x-prometheus-remote-write-version': '0.1.0',
      authorization: `Basic ${Buffer.from('tenant:pw').toString('base64')}`,
      'x-scope-orgid': 'ml',
    });
    expect(body.length).toBeGreaterThan(0);
    // The retry after the 503 is visible next to the catalog's series.
    const exposition = await (await fetch(handle.metricsUrl!)).text();
    expect(exposition).toMatch(new RegExp(`^${METRIC_REMOTE_WRITE_RETRIED.prometheusName}\\{protocol="1\\.0"\\} [1-9]`, 'm'));
    expect(exposition).toMatch(new RegExp(`^${METRIC_REMOTE_WRITE_SENT.prometheusName}\\{protocol="1\\.0"\\} [1-9]`, 'm'));
  });

  it('fails at start without a URL, naming the variable', async () => {
    expect((await blameAsync(start({ env: { OTEL_METRICS_EXPORTER: 'prometheusremotewrite' } }))).variable).toBe('INFEROMETER_REMOTE_WRITE_URL');
  });

  it('blames a header that would replace the exporter\'s own on where it came from', async () => {
    const RW = { OTEL_METRICS_EXPORTER: 'prometheusremotewrite', INFEROMETER_REMOTE_WRITE_URL: 'http://h/w' };
    const fromEnv = await blameAsync(start({ env: { ...RW, INFEROMETER_REMOTE_WRITE_HEADERS: 'Content-Type=text/plain' } }));
    expect([fromEnv.variable, fromEnv.option]).toEqual(['INFEROMETER_REMOTE_WRITE_HEADERS', undefined]);
    expect(fromEnv.message).toContain('Content-Type');
    const fromCode = await blameAsync(start({ env: RW, remoteWrite: { headers: { 'content-type': 'x' } } }));
    expect([fromCode.variable, fromCode.option]).toEqual([undefined, 'remoteWrite.headers.content-type']);
  });

  it('blames a bearer token with a line break on INFEROMETER_REMOTE_WRITE_BEARER_TOKEN, not on the headers', async () => {
    const error = await blameAsync(
      start({ env: { OTEL_METRICS_EXPORTER: 'prometheusremotewrite', INFEROMETER_REMOTE_WRITE_URL: 'http://h/w', INFEROMETER_REMOTE_WRITE_BEARER_TOKEN: 'abc\ndef' } }),
    );
    expect(error.variable).toBe('INFEROMETER_REMOTE_WRITE_BEARER_TOKEN');
    expect(error.message).not.toContain('abc');
  });

  it('blames the backoff pair the exporter refuses on the variable that set it', async () => {
    const error = await blameAsync(
      start({
        env: { OTEL_METRICS_EXPORTER: 'prometheusremotewrite', INFEROMETER_REMOTE_WRITE_URL: 'http://h/w', INFEROMETER_REMOTE_WRITE_MIN_BACKOFF: '100', INFEROMETER_REMOTE_WRITE_MAX_BACKOFF: '10' },
      }),
    );
    expect(error.variable).toBe('INFEROMETER_REMOTE_WRITE_MAX_BACKOFF');
    expect(error.cause).toBeInstanceOf(RemoteWriteOptionsError);
  });
});
