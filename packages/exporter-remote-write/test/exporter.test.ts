import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { AggregationTemporality, DataPointType, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { ATTR_REASON } from '@inferometer/core/catalog';
import { RemoteWriteExporter } from '../src/exporter.js';
import { REMOTE_WRITE_DROP_REASONS } from '../src/delivery/sender.js';
import type { RemoteWriteExporterOptions } from '../src/options.js';
import { testProvider } from './helpers/collect.js';
import { decodeBody, labelsOf } from '@inferometer/testing';
import { startCaptureServer, until, type CaptureServer } from './helpers/receiver.js';
import { METRIC_REMOTE_WRITE_DROPPED, METRIC_REMOTE_WRITE_PENDING, METRIC_REMOTE_WRITE_RETRIED, METRIC_REMOTE_WRITE_SENT } from '../src/catalog.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.allSettled(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function receiver(port?: number): Promise<CaptureServer> {
  const server = await startCaptureServer(port);
  cleanups.push(() => server.close());
  return server;
}

/** An exporter with its self-metrics on a provider the test reads, and data to export. */
async function setup(options: Partial<RemoteWriteExporterOptions> & { url: string }) {
  const self = testProvider();
  const exporter = new RemoteWriteExporter({ minBackoffMillis: 10, maxBackoffMillis: 50, meterProvider: self.provider, ...options });
  cleanups.push(() => exporter.shutdown());
  const app = testProvider();
  const counter = app.provider.getMeter('app').createCounter('ml_predictions');
  let value = 0;
  const data = async (samples = 1): Promise<ResourceMetrics> => {
    for (let i = 0; i < samples; i++) counter.add(1, { i: String(i) });
    value++;
    return app.collect();
  };
  const exportNow = (metrics: ResourceMetrics): ExportResult => {
    let result: ExportResult | undefined;
    exporter.export(metrics, (r) => (result = r));
    // The callback runs synchronously: export never waits for the network.
    expect(result).toBeDefined();
    return result!;
  };
  const selfMetric = async (name: string, attributes: Record<string, string> = {}): Promise<number | undefined> => {
    const collected = await self.collect();
    for (const scope of collected.scopeMetrics) {
      for (const metric of scope.metrics) {
        if (metric.descriptor.name !== name) continue;
        for (const point of metric.dataPoints) {
          if (Object.entries(attributes).every(([k, v]) => point.attributes[k] === v)) return point.value as number;
        }
      }
    }
    return undefined;
  };
  return { exporter, data, exportNow, selfMetric, value: () => value };
}

describe('RemoteWriteExporter', () => {
  it('POSTs snappy protobuf with the headers remote write 1.0 requires, and counts what was sent', async () => {
    const server = await receiver();
    const { exporter, data, exportNow, selfMetric } = await setup({ url: server.url, headers: { 'X-Scope-OrgID': 'team-ml' }, bearerToken: 't0k' });
    expect(exportNow(await data(3)).code).toBe(ExportResultCode.SUCCESS);
    await exporter.forceFlush();
    expect(server.requests).toHaveLength(1);
    const { headers, body } = server.requests[0]!;
    expect(headers).toMatchObject({
      'content-encoding': 'snappy',
      'content-type': 'application/x-protobuf',
      'x-prometheus-remote-write-version': '0.1.0',
      'user-agent': '@inferometer/exporter-remote-write/0.1.0',
      authorization: 'Bearer t0k',
      'x-scope-orgid': 'team-ml',
    });
    const request = decodeBody(body);
    const samples = request.timeseries.length;
    expect(request.timeseries.filter((s) => labelsOf(s).__name__ === 'ml_predictions_total')).toHaveLength(3);
    expect(await selfMetric(METRIC_REMOTE_WRITE_SENT.name)).toBe(samples);
    expect(await selfMetric(METRIC_REMOTE_WRITE_PENDING.name)).toBe(0);
  });

  it('sends basic auth', async () => {
    const server = await receiver();
    const { exporter, data, exportNow } = await setup({ url: server.url, basicAuth: { username: 'tenant', password: 'p:w' } });
    exportNow(await data());
    await exporter.forceFlush();
    expect(server.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('tenant:p:w').toString('base64')}`);
  });

  it('retries a 503 with the same body and counts the retry', async () => {
    const server = await receiver();
    let failures = 2;
    server.respond = (_request, response) => {
      response.writeHead(failures-- > 0 ? 503 : 200);
      response.end();
    };
    const { exporter, data, exportNow, selfMetric } = await setup({ url: server.url });
    exportNow(await data(2));
    await exporter.forceFlush();
    expect(server.requests).toHaveLength(3);
    expect(server.requests[1]!.body.equals(server.requests[0]!.body)).toBe(true);
    expect(server.requests[2]!.body.equals(server.requests[0]!.body)).toBe(true);
    const samples = decodeBody(server.requests[0]!.body).timeseries.length;
    expect(await selfMetric(METRIC_REMOTE_WRITE_RETRIED.name)).toBe(2 * samples);
    expect(await selfMetric(METRIC_REMOTE_WRITE_SENT.name)).toBe(samples);
  });

  it('does not retry a 400: the samples are dropped and counted as rejected', async () => {
    const server = await receiver();
    server.respond = (_request, response) => {
      response.writeHead(400, { 'Content-Type': 'text/plain' });
      response.end('out of order sample');
    };
    const { exporter, data, exportNow, selfMetric } = await setup({ url: server.url });
    exportNow(await data(2));
    await exporter.forceFlush();
    await new Promise((resolve) => setTimeout(resolve, 200)); // time for a retry that must not come
    expect(server.requests).toHaveLength(1);
    const samples = decodeBody(server.requests[0]!.body).timeseries.length;
    expect(await selfMetric(METRIC_REMOTE_WRITE_DROPPED.name, { [ATTR_REASON]: REMOTE_WRITE_DROP_REASONS.rejected })).toBe(samples);
    expect(await selfMetric(METRIC_REMOTE_WRITE_RETRIED.name)).toBeUndefined();
  });

  it('honours Retry-After on a 429', async () => {
    const server = await receiver();
    let first = true;
    server.respond = (_request, response) => {
      if (first) {
        first = false;
        response.writeHead(429, { 'Retry-After': '1' });
      } else {
        response.writeHead(200);
      }
      response.end();
    };
    const { exporter, data, exportNow } = await setup({ url: server.url });
    exportNow(await data());
    await exporter.forceFlush();
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('retries through a receiver that is down, and delivers in order once it is back', async () => {
    const probe = await startCaptureServer();
    const port = probe.port;
    await probe.close();
    const { exporter, data, exportNow, selfMetric } = await setup({ url: `http://127.0.0.1:${port}/api/v1/write` });
    exportNow(await data());
    exportNow(await data());
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(exporter.pendingSamples).toBeGreaterThan(0);
    expect(await selfMetric(METRIC_REMOTE_WRITE_PENDING.name)).toBe(exporter.pendingSamples);
    const server = await receiver(port);
    await exporter.forceFlush();
    expect(exporter.pendingSamples).toBe(0);
    expect(server.requests).toHaveLength(2);
    const [a, b] = server.requests.map((r) => decodeBody(r.body).timeseries.find((s) => labelsOf(s).__name__ === 'ml_predictions_total')!.samples[0]!);
    expect(a!.timestamp).toBeLessThanOrEqual(b!.timestamp);
    expect(a!.value).toBe(1);
    expect(b!.value).toBe(2);
    expect(await selfMetric(METRIC_REMOTE_WRITE_RETRIED.name)).toBeGreaterThan(0);
  });

  it('keeps the queue within its sample bound, dropping the oldest requests first', async () => {
    const server = await receiver();
    let up = false;
    server.respond = (_request, response) => {
      response.writeHead(up ? 200 : 503);
      response.end();
    };
    // 4 counter series + target_info = 5 samples per export; room for 3 exports.
    const { exporter, data, exportNow, selfMetric } = await setup({ url: server.url, maxQueueSamples: 15 });
    for (let i = 0; i < 6; i++) {
      exportNow(await data(4));
      expect(exporter.pendingSamples).toBeLessThanOrEqual(15);
    }
    // Three exports given up; the one in flight is counted when its try fails.
    let dropped: number | undefined;
    await until('the evicted samples to be counted', () => {
      void selfMetric(METRIC_REMOTE_WRITE_DROPPED.name, { [ATTR_REASON]: REMOTE_WRITE_DROP_REASONS.queueFull }).then((v) => (dropped = v));
      return dropped === 15;
    });
    up = true;
    await exporter.forceFlush();
    const delivered = server.requests.slice(-3).map((r) => decodeBody(r.body).timeseries.find((s) => labelsOf(s).__name__ === 'ml_predictions_total' && labelsOf(s).i === '0')!.samples[0]!.value);
    // The newest three exports survived (cumulative values 4, 5, 6).
    expect(delivered).toEqual([4, 5, 6]);
  });

  it('drops a single request larger than the byte bound, counted as queue_full', async () => {
    const server = await receiver();
    const { exporter, data, exportNow, selfMetric } = await setup({ url: server.url, maxQueueBytes: 1024 });
    exportNow(await data(200));
    await exporter.forceFlush();
    expect(server.requests).toHaveLength(0);
    expect(await selfMetric(METRIC_REMOTE_WRITE_DROPPED.name, { [ATTR_REASON]: REMOTE_WRITE_DROP_REASONS.queueFull })).toBe(201);
  });

  it('on shutdown flushes until the deadline, then drops what is left and refuses later exports', async () => {
    const server = await receiver();
    server.respond = (_request, response) => {
      response.writeHead(503);
      response.end();
    };
    const { exporter, data, exportNow, selfMetric } = await setup({ url: server.url, flushTimeoutMillis: 300 });
    exportNow(await data(2));
    const started = Date.now();
    await exporter.shutdown();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(2000);
    await until('the in-flight request to be counted', () => exporter.pendingSamples === 0);
    expect(await selfMetric(METRIC_REMOTE_WRITE_DROPPED.name, { [ATTR_REASON]: REMOTE_WRITE_DROP_REASONS.shutdown })).toBe(3);
    expect(exportNow(await data()).code).toBe(ExportResultCode.FAILED);
  });

  it('on shutdown with a healthy receiver delivers everything', async () => {
    const server = await receiver();
    const { exporter, data, exportNow } = await setup({ url: server.url });
    exportNow(await data(2));
    await exporter.shutdown();
    expect(server.requests).toHaveLength(1);
  });

  it('returns at once even when the receiver never answers', async () => {
    const server = await receiver();
    server.respond = () => {
      /* never answers */
    };
    const { exporter, data, exportNow } = await setup({ url: server.url, requestTimeoutMillis: 200, flushTimeoutMillis: 100 });
    const started = Date.now();
    expect(exportNow(await data()).code).toBe(ExportResultCode.SUCCESS);
    await exporter.forceFlush(); // bounded by flushTimeoutMillis, resolves
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('counts data points it cannot carry as unsupported', async () => {
    const server = await receiver();
    const { exporter, exportNow, selfMetric } = await setup({ url: server.url });
    const app = testProvider(undefined, () => AggregationTemporality.DELTA);
    app.provider.getMeter('t').createCounter('delta').add(1);
    const metrics = await app.collect();
    expect(metrics.scopeMetrics[0]!.metrics[0]!.dataPointType).toBe(DataPointType.SUM);
    exportNow(metrics);
    await exporter.forceFlush();
    expect(await selfMetric(METRIC_REMOTE_WRITE_DROPPED.name, { [ATTR_REASON]: REMOTE_WRITE_DROP_REASONS.unsupported })).toBe(1);
  });

  it('asks for cumulative temporality', () => {
    expect(new RemoteWriteExporter({ url: 'http://localhost:9090/api/v1/write' }).selectAggregationTemporality()).toBe(AggregationTemporality.CUMULATIVE);
  });
});
