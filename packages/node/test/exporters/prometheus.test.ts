import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { diag, DiagLogLevel, metrics, type DiagLogger } from '@opentelemetry/api';
import express from 'express';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { start, type InferometerHandle } from '../../src/start.js';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  metrics.disable();
  diag.disable();
});

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function startWithout(): Promise<InferometerHandle> {
  const handle = await start({ env: { OTEL_METRICS_EXPORTER: 'console', OTEL_METRIC_EXPORT_INTERVAL: '600000' } });
  closers.push(() => handle.shutdown());
  return handle;
}

describe('metricsHandler when the Prometheus exporter is not configured', () => {
  it('Express: answers 404 with how to enable it, and tells diag once', async () => {
    const warnings: string[] = [];
    const logger: DiagLogger = { error: () => {}, warn: (m: string) => warnings.push(m), info: () => {}, debug: () => {}, verbose: () => {} };
    diag.setLogger(logger, DiagLogLevel.WARN);
    const handle = await startWithout();
    const app = express();
    // Type-checks under strict TypeScript: metricsHandler is never undefined.
    app.get('/metrics', handle.metricsHandler);
    const base = await listen(createServer(app));
    for (let i = 0; i < 2; i++) {
      const response = await fetch(`${base}/metrics`);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(await response.text()).toContain('OTEL_METRICS_EXPORTER=console,prometheus');
    }
    expect(warnings.filter((m) => m.includes('Prometheus exporter is not enabled'))).toHaveLength(1);
  });

  it('Fastify: the same answer through request.raw / reply.raw', async () => {
    const handle = await startWithout();
    const app = Fastify();
    app.get('/metrics', (request, reply) => {
      reply.hijack();
      handle.metricsHandler(request.raw, reply.raw);
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    closers.push(() => app.close());
    const response = await fetch(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/metrics`);
    expect(response.status).toBe(404);
    expect(await response.text()).toContain("start({ exporters: [..., 'prometheus'], prometheus: { server: false } })");
  });

  it('with the Prometheus exporter, the same handler serves the exposition on Express', async () => {
    const handle = await start({ prometheus: { server: false }, env: {} });
    closers.push(() => handle.shutdown());
    const app = express();
    app.get('/metrics', handle.metricsHandler);
    const response = await fetch(`${await listen(createServer(app))}/metrics`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('target_info');
  });
});

describe('start(): the pull endpoint limits', () => {
  it.each([
    [{ collectTimeoutMillis: 0 }, 'prometheus.collectTimeoutMillis', 'a whole number from 1 to 600000'],
    [{ writeTimeoutMillis: 1.5 }, 'prometheus.writeTimeoutMillis', 'a whole number from 1 to 600000'],
    [{ maxConcurrentScrapes: -1 }, 'prometheus.maxConcurrentScrapes', 'a whole number from 1 to 10000'],
    [{ gzip: 'yes' }, 'prometheus.gzip', 'true or false'],
    [{ openMetricsCreated: 1 }, 'prometheus.openMetricsCreated', 'true or false'],
    [{ createdTimestamps: 'no' }, 'prometheus.createdTimestamps', 'true or false'],
  ])('refuses %o at start with a ConfigurationError naming the option', async (limits, name, accepted) => {
    const { ConfigurationError } = await import('../../src/config/env.js');
    const error: unknown = await start({ prometheus: { server: false, ...(limits as object) }, env: {} }).then(
      (handle) => handle.shutdown(),
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as { option?: string }).option).toBe(name);
    expect((error as { accepted?: string }).accepted).toBe(accepted);
  });

  it('writes created_timestamp in the protobuf exposition unless the option or INFEROMETER_PROMETHEUS_CREATED_TIMESTAMPS turns it off; refuses another value of the variable', async () => {
    const { decodeExposition } = await import('../helpers/utf8-exposition.js');
    const accept = 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited';
    const created = async (options: { createdTimestamps?: boolean }, env: Record<string, string>): Promise<boolean> => {
      const handle = await start({ prometheus: { server: false, ...options }, env, runtimeMetrics: false });
      closers.push(() => handle.shutdown());
      metrics.getMeter('t').createCounter('jobs').add(1);
      const base = await listen(createServer(handle.metricsHandler));
      const body = Buffer.from(await (await fetch(`${base}/metrics`, { headers: { accept } })).arrayBuffer());
      const family = decodeExposition(body).find((f) => f.name === 'jobs_total')!;
      await handle.shutdown();
      return family.metric[0]!.counter!.createdTimestamp !== undefined;
    };
    expect(await created({}, {})).toBe(true);
    expect(await created({ createdTimestamps: false }, {})).toBe(false);
    expect(await created({}, { INFEROMETER_PROMETHEUS_CREATED_TIMESTAMPS: 'false' })).toBe(false);
    expect(await created({ createdTimestamps: true }, { INFEROMETER_PROMETHEUS_CREATED_TIMESTAMPS: 'FALSE' })).toBe(true);
    const { ConfigurationError } = await import('../../src/config/env.js');
    const error: unknown = await start({ prometheus: { server: false }, env: { INFEROMETER_PROMETHEUS_CREATED_TIMESTAMPS: 'off' } }).then(
      (handle) => handle.shutdown(),
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(String(error)).toContain('INFEROMETER_PROMETHEUS_CREATED_TIMESTAMPS');
  });

  it('applies them to the served handler', async () => {
    const handle = await start({ prometheus: { server: false, maxConcurrentScrapes: 1, gzip: false }, env: {}, runtimeMetrics: false });
    closers.push(() => handle.shutdown());
    const base = await listen(createServer(handle.metricsHandler));
    const response = await fetch(`${base}/metrics`, { headers: { 'accept-encoding': 'gzip' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-encoding')).toBeNull();
  });
});
