/**
 * A real Prometheus 2.42 (Debian) with native histograms enabled scrapes a
 * tiny HTTP server serving the encoder's bytes: what it stores is what the
 * fast path aggregated.
 */
import { createServer, type Server } from 'node:http';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { instrument } from '@inferometer/core';
import { eventually, freePort, startPrometheus, type PrometheusServer } from '@inferometer/testing';
import { createCatalogProducer, type CatalogProducer } from '../../../src/native/producer.js';
import { encodeProtobufExposition, PROTOBUF_CONTENT_TYPE } from '../../../src/prometheus/protobuf/index.js';

class Reader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

let prometheus: PrometheusServer | undefined;
let server: Server;
let catalog: CatalogProducer;
let provider: MeterProvider;
const accepts: string[] = [];

beforeAll(async () => {
  catalog = createCatalogProducer('cumulative', { histograms: 'both' });
  const reader = new Reader({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE, metricProducers: [catalog.producer] });
  provider = new MeterProvider({ readers: [reader] });
  server = createServer((request, response) => {
    accepts.push(String(request.headers.accept));
    reader.collect().then(
      ({ resourceMetrics }) => response.writeHead(200, { 'Content-Type': PROTOBUF_CONTENT_TYPE }).end(encodeProtobufExposition(resourceMetrics)),
      (err: unknown) => response.writeHead(500).end(String(err)),
    );
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  prometheus = await startPrometheus([{ job: 'native', target: `127.0.0.1:${port}` }], { flags: ['--enable-feature=native-histograms'] });
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
  await new Promise((resolve) => server.close(resolve));
  catalog.close();
  await provider.shutdown();
});

/** Calls whose latencies are exactly `seconds` (a mocked clock the function advances). */
function calls(model: string, seconds: number[]): void {
  let clock = 0;
  const spy = vi.spyOn(performance, 'now').mockImplementation(() => clock);
  const predict = instrument((s: number) => {
    clock += s * 1000;
    return s;
  }, { model, version: '1', histograms: 'exponential' });
  for (const s of seconds) predict(s);
  spy.mockRestore();
}

/** A deterministic spread over four orders of magnitude (log-uniform 1 ms .. 10 s). */
function latencies(n: number, seed: number): number[] {
  let x = seed;
  return Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return 0.001 * 10 ** (4 * (x / 2 ** 31));
  });
}

describe('Prometheus 2.42 scraping the protobuf exposition', () => {
  it('stores a native histogram: histogram_count is the calls made, p99 of the rate within the schema\'s relative error', async () => {
    const first = latencies(500, 7);
    calls('native', first);
    const total = (expr: string) => prometheus!.waitFor(expr, () => true, 30_000);
    await eventually('the first scrape', async () => ((await prometheus!.query('histogram_count(ml_prediction_latency_seconds{model_name="native"})')).length === 1 ? true : undefined)).catch(async (err: unknown) => {
      const targets = await (await fetch(`${prometheus!.url}/api/v1/targets`)).json();
      const all = await prometheus!.query('{__name__=~".+"}');
      throw new Error(`${String(err)}; targets: ${JSON.stringify(targets)}; series: ${JSON.stringify(all.map((r) => r.metric))}; accepts: ${accepts.join(' | ')}`);
    });
    expect(await total('histogram_count(ml_prediction_latency_seconds{model_name="native"})')).toBe(500);
    const second = latencies(2000, 11);
    calls('native', second);
    await prometheus!.waitFor('histogram_count(ml_prediction_latency_seconds{model_name="native"})', (v) => v === 2500);
    expect(accepts.at(-1)).toContain('application/vnd.google.protobuf');
    const sum = await total('histogram_sum(ml_prediction_latency_seconds{model_name="native"})');
    expect(sum).toBeCloseTo([...first, ...second].reduce((a, b) => a + b, 0), 6);

    // The rate over the window holds the second batch only (the first was in the window's first sample).
    const q = await total('histogram_quantile(0.99, sum(rate(ml_prediction_latency_seconds{model_name="native"}[1m])))');
    const sorted = [...second].sort((a, b) => a - b);
    const p99 = sorted[Math.ceil(0.99 * sorted.length) - 1]!;
    // 2,500 values over 4 decades in at most 160 buckets: schema 3 (base 2^(1/8)), a bucket is 9.05 % wide.
    const schemaError = 2 ** (1 / 8) - 1;
    expect(Math.abs(q - p99) / p99).toBeLessThanOrEqual(schemaError);
  }, 90_000);
});
