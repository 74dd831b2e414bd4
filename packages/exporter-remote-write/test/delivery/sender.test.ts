import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { ATTR_REASON } from '@inferometer/core/catalog';
import { Delivery, MAX_ERROR_BODY_BYTES, REMOTE_WRITE_DROP_REASONS, type DeliveryEvents, type RemoteWriteDropReason } from '../../src/delivery/sender.js';
import { RemoteWriteExporter } from '../../src/exporter.js';
import { METRIC_REMOTE_WRITE_DROPPED } from '../../src/catalog.js';
import { testProvider } from '../helpers/collect.js';
import { startCaptureServer, until, type CaptureServer } from '../helpers/receiver.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.allSettled(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function receiver(): Promise<CaptureServer> {
  const server = await startCaptureServer();
  cleanups.push(() => server.close());
  return server;
}

/** Events of a {@link Delivery}, counted. */
function counting(): DeliveryEvents & { sentSamples: number; retries: number; drops: Map<RemoteWriteDropReason, number> } {
  const events = {
    sentSamples: 0,
    retries: 0,
    drops: new Map<RemoteWriteDropReason, number>(),
    sent(samples: number) {
      events.sentSamples += samples;
    },
    retried() {
      events.retries++;
    },
    dropped(samples: number, reason: RemoteWriteDropReason) {
      events.drops.set(reason, (events.drops.get(reason) ?? 0) + samples);
    },
  };
  return events;
}

function delivery(url: string, events: DeliveryEvents, overrides: Partial<ConstructorParameters<typeof Delivery>[0]> = {}): Delivery {
  const created = new Delivery(
    {
      url,
      headers: { 'Content-Type': 'application/x-protobuf' },
      requestTimeoutMillis: 30_000,
      minBackoffMillis: 100,
      maxBackoffMillis: 1_000,
      maxRetryAfterMillis: 60_000,
      maxSamples: 1_000,
      maxBytes: 1 << 20,
      ...overrides,
    },
    events,
  );
  cleanups.push(() => created.close(Date.now()));
  return created;
}

const body = (): { body: Uint8Array; samples: number } => ({ body: new Uint8Array([1, 2, 3]), samples: 2 });

describe('Delivery against a hostile receiver', () => {
  it('reads at most a few KiB of an error body and cancels the rest (a 500 with 64 MiB behind it)', async () => {
    const total = 64 * 1024 * 1024;
    let written = 0;
    let answered = 0;
    // Writes only as fast as the client reads (backpressure), so what the
    // server got to write is what the exporter read plus socket buffers.
    const server: Server = createServer((request, response: ServerResponse) => {
      request.resume();
      request.on('end', () => {
        answered++;
        response.writeHead(answered === 1 ? 500 : 204, { 'Content-Type': 'text/plain', 'Content-Length': answered === 1 ? total : 0 });
        if (answered > 1) {
          response.end();
          return;
        }
        const chunk = Buffer.alloc(64 * 1024, 'x');
        const pump = (): void => {
          while (written < total && !response.destroyed) {
            written += chunk.length;
            if (!response.write(chunk)) {
              response.once('drain', pump);
              return;
            }
          }
          if (!response.destroyed) response.end();
        };
        pump();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/write`;
    const events = counting();
    const sender = delivery(url, events, { minBackoffMillis: 10, maxBackoffMillis: 20 });
    sender.enqueue([body()]);
    expect(await sender.flush(Date.now() + 10_000)).toBe(true);
    expect(events.sentSamples).toBe(2);
    expect(events.retries).toBe(1);
    // Socket buffers on both sides hold a few MiB at most on loopback.
    expect(written).toBeLessThan(8 * 1024 * 1024);
    expect(MAX_ERROR_BODY_BYTES).toBeLessThanOrEqual(8 * 1024);
  });

  it('never retries faster than the backoff floor on 429 with Retry-After: 0', async () => {
    const server = await receiver();
    server.respond = (_request, response) => {
      response.writeHead(429, { 'Retry-After': '0' });
      response.end();
    };
    const events = counting();
    const sender = delivery(server.url, events, { minBackoffMillis: 100, maxBackoffMillis: 1_000 });
    sender.enqueue([body()]);
    // Until the retries span a second (bounded), rather than sleeping a
    // second and hoping a loaded machine sent the second request in it.
    await until('retries spanning a second', () => server.requests.length >= 2 && server.requests.at(-1)!.at - server.requests[0]!.at >= 1_000, 10_000);
    const times = server.requests.map((request) => request.at);
    // Backoff with equal jitter: 50-100, 100-200, 200-400, 400-800 ms: at most 5 requests in a second.
    expect(times.filter((at) => at - times[0]! < 1_000).length).toBeLessThanOrEqual(5);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(45);
  });

  it('waits for a longer Retry-After, capped at maxRetryAfterMillis', async () => {
    const server = await receiver();
    server.respond = (_request, response) => {
      response.writeHead(server.requests.length === 1 ? 429 : 204, server.requests.length === 1 ? { 'Retry-After': '3600' } : {});
      response.end();
    };
    const events = counting();
    const sender = delivery(server.url, events, { minBackoffMillis: 10, maxBackoffMillis: 20, maxRetryAfterMillis: 300 });
    sender.enqueue([body()]);
    expect(await sender.flush(Date.now() + 5_000)).toBe(true);
    expect(server.requests).toHaveLength(2);
    const gap = server.requests[1]!.at - server.requests[0]!.at;
    expect(gap).toBeGreaterThanOrEqual(290);
    expect(gap).toBeLessThan(1_500);
  });

  it('close() aborts the request in flight at the deadline and counts its samples as dropped', async () => {
    const server = await receiver();
    server.respond = () => {
      /* never answers */
    };
    const events = counting();
    const sender = delivery(server.url, events);
    sender.enqueue([body(), body()]);
    await until('the first request to arrive', () => server.requests.length === 1);
    const started = Date.now();
    await sender.close(Date.now() + 200);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(190);
    expect(took).toBeLessThan(700);
    // Counted by the time close() resolves: the one in flight and the one queued.
    expect(events.drops.get(REMOTE_WRITE_DROP_REASONS.shutdown)).toBe(4);
    expect(sender.pendingSamples).toBe(0);
  });
});

describe('RemoteWriteExporter shutdown through the SDK', () => {
  it('takes one flushTimeoutMillis, not two, when the receiver never answers (the reader flushes, then shuts down)', async () => {
    const server = await receiver();
    server.respond = () => {
      /* never answers */
    };
    const self = testProvider();
    const exporter = new RemoteWriteExporter({ url: server.url, flushTimeoutMillis: 500, meterProvider: self.provider });
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000, exportTimeoutMillis: 1_000 });
    const provider = new MeterProvider({ readers: [reader] });
    provider.getMeter('app').createCounter('ml_predictions').add(1);
    await reader.forceFlush(); // the first export: its request is now in flight, unanswered
    await until('the request to arrive', () => server.requests.length >= 1);
    const started = Date.now();
    await provider.shutdown();
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(480);
    expect(took).toBeLessThan(900);
    const collected = await self.collect();
    const dropped = collected.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .find((metric) => metric.descriptor.name === METRIC_REMOTE_WRITE_DROPPED.name)
      ?.dataPoints.find((point) => point.attributes[ATTR_REASON] === REMOTE_WRITE_DROP_REASONS.shutdown);
    expect(dropped?.value).toBeGreaterThanOrEqual(1);
  });
});
