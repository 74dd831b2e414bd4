import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { metrics } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import express from 'express';
import Fastify from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { instrument } from '@inferometer/core';
import { createPrometheusReader } from '../../src/prometheus/handler.js';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  metrics.disable();
});

/** A service that already has its own MeterProvider, with our reader added. */
function serviceProvider() {
  const { reader, handler } = createPrometheusReader();
  const provider = new MeterProvider({ readers: [reader] });
  metrics.setGlobalMeterProvider(provider);
  closers.push(() => provider.shutdown());
  instrument(() => 1, { model: 'mounted', version: '3' })();
  return { provider, handler };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const expected = 'ml_predictions_total{model_name="mounted",model_version="3",status="success"} 1';

describe('createPrometheusReader: mounting /metrics on a server the service already runs', () => {
  it('node:http', async () => {
    const { handler } = serviceProvider();
    const base = await listen(
      createServer((req, res) => {
        if (req.url === '/metrics') handler(req, res);
        else res.end('model traffic');
      }),
    );
    expect(await (await fetch(`${base}/metrics`)).text()).toContain(expected);
    expect(await (await fetch(`${base}/predict`)).text()).toBe('model traffic');
  });

  it('Express', async () => {
    const { handler } = serviceProvider();
    const app = express();
    app.get('/metrics', handler);
    const base = await listen(createServer(app));
    expect(await (await fetch(`${base}/metrics`)).text()).toContain(expected);
  });

  it('Fastify', async () => {
    const { handler } = serviceProvider();
    const app = Fastify();
    app.get('/metrics', (request, reply) => {
      reply.hijack();
      handler(request.raw, reply.raw);
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    closers.push(() => app.close());
    const { port } = app.server.address() as AddressInfo;
    expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).toContain(expected);
  });

  it('answers a failed collection with 500, not a 200 that Prometheus would take as healthy', async () => {
    const { provider, handler } = serviceProvider();
    provider
      .getMeter('broken')
      .createObservableGauge('broken_gauge')
      .addCallback(() => {
        throw new Error('sensor unplugged');
      });
    const base = await listen(createServer(handler));
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(500);
    expect(await response.text()).toContain('sensor unplugged');
  });

  it('answers 500 when the reader is not attached to any MeterProvider', async () => {
    const { handler } = createPrometheusReader();
    const base = await listen(createServer(handler));
    expect((await fetch(`${base}/metrics`)).status).toBe(500);
  });

  it('refuses methods other than GET and HEAD', async () => {
    const { handler } = serviceProvider();
    const base = await listen(createServer(handler));
    const response = await fetch(`${base}/metrics`, { method: 'POST' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    const head = await fetch(`${base}/metrics`, { method: 'HEAD' });
    expect(head.status).toBe(200);
  });
});

describe('createPrometheusReader: scrapers that hang up', () => {
  it('stops waiting for drain when the client goes away, and lets go of the exposition', async () => {
    const { handler } = serviceProvider();
    // A response whose socket is always full (write returns false, never
    // drains) and whose client then hangs up.
    const { EventEmitter } = await import('node:events');
    const response = Object.assign(new EventEmitter(), {
      headersSent: false,
      destroyed: false,
      writes: 0,
      ended: false,
      writeHead() {
        this.headersSent = true;
      },
      write() {
        this.writes++;
        return false;
      },
      end() {
        this.ended = true;
      },
    });
    handler({ method: 'GET' } as never, response as never);
    await vi.waitFor(() => expect(response.listenerCount('drain')).toBe(1));
    response.destroyed = true;
    response.emit('close');
    await vi.waitFor(() => expect(response.listenerCount('drain')).toBe(0));
    expect(response.writes).toBe(1);
    expect(response.ended).toBe(false);
  });
});
