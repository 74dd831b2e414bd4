/** `inferometer doctor` says which kind of histogram an endpoint serves. */
import { createServer, type Server } from 'node:http';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrument } from '@inferometer/core';
import { createCatalogProducer, encodeProtobufExposition, PROTOBUF_CONTENT_TYPE, serializePrometheus, type CatalogProducer } from '@inferometer/node';
import { runDoctor } from '@inferometer/ops';
import { freePort } from '@inferometer/testing';

class Reader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

let catalog: CatalogProducer;
let provider: MeterProvider;
let reader: Reader;
const servers: Server[] = [];

/** A pull endpoint: protobuf to clients that ask for it (when `protobuf`), text to the others. */
async function endpoint(protobuf: boolean): Promise<string> {
  const server = createServer((request, response) => {
    void reader.collect().then(({ resourceMetrics }) => {
      if (protobuf && String(request.headers.accept).startsWith('application/vnd.google.protobuf')) {
        response.writeHead(200, { 'Content-Type': PROTOBUF_CONTENT_TYPE }).end(encodeProtobufExposition(resourceMetrics));
      } else response.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(serializePrometheus(resourceMetrics));
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  servers.push(server);
  return `http://127.0.0.1:${port}/metrics`;
}

beforeAll(() => {
  catalog = createCatalogProducer('cumulative', { histograms: 'both' });
  reader = new Reader({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE, metricProducers: [catalog.producer] });
  provider = new MeterProvider({ readers: [reader] });
  const predict = instrument((x: number) => x, { model: 'doctor', version: '1', histograms: { latency: 'both' } });
  for (let i = 0; i < 5; i++) predict(i);
});

afterAll(async () => {
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
  catalog.close();
  await provider.shutdown();
});

describe('doctor histograms check', () => {
  it('reports native histograms with their classic buckets on an endpoint that speaks protobuf', async () => {
    const report = await runDoctor({ metricsUrl: await endpoint(true) });
    const check = report.checks.find((c) => c.check === 'histograms')!;
    expect(check.summary).toBe('native histograms with their classic buckets');
    expect(check.details).toContain('native: ml_prediction_latency_seconds');
    expect(check.details).toContain('classic: ml_prediction_latency_seconds');
  });

  it('reports classic buckets only on a text-only endpoint', async () => {
    const report = await runDoctor({ metricsUrl: await endpoint(false) });
    const check = report.checks.find((c) => c.check === 'histograms')!;
    expect(check.summary).toMatch(/^classic buckets only/);
  });
});
