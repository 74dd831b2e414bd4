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
