/**
 * The ops kit's latency quantile rule works on native and on classic
 * histograms: a real Prometheus 2.42 with native histograms scrapes one model
 * served native-only and one classic-only (the protobuf exposition), and
 * evaluates the rules `inferometer rules` renders.
 */
import { createServer, type Server } from 'node:http';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrument } from '@inferometer/core';
import { createCatalogProducer, encodeProtobufExposition, PROTOBUF_CONTENT_TYPE, type CatalogProducer } from '@inferometer/node';
import { RECORDED, renderPrometheusRules } from '@inferometer/ops';
import { freePort, startPrometheus, type PrometheusServer } from '@inferometer/testing';

class Reader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

let prometheus: PrometheusServer | undefined;
const servers: Server[] = [];
let catalog: CatalogProducer;
let provider: MeterProvider;

beforeAll(async () => {
  catalog = createCatalogProducer('cumulative', { histograms: 'both' });
  const reader = new Reader({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE, metricProducers: [catalog.producer] });
  provider = new MeterProvider({ readers: [reader] });
  // One target per model, as two services would be: Prometheus 2.42 decides
  // native or classic per metric family from its first series
  // (model/textparse/protobufparse.go), so one family mixing native-only and
  // classic-only series would lose one kind's buckets.
  const targets = [];
  for (const model of ['native-only', 'classic-only']) {
    const server = createServer((_request, response) => {
      void reader.collect().then(({ resourceMetrics }) => {
        for (const scope of resourceMetrics.scopeMetrics) {
          for (const metric of scope.metrics) (metric as { dataPoints: unknown[] }).dataPoints = metric.dataPoints.filter((p) => p.attributes['model_name'] === undefined || p.attributes['model_name'] === model);
        }
        response.writeHead(200, { 'Content-Type': PROTOBUF_CONTENT_TYPE }).end(encodeProtobufExposition(resourceMetrics));
      });
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    servers.push(server);
    targets.push({ job: model, target: `127.0.0.1:${port}` });
  }
  prometheus = await startPrometheus(targets, {
    flags: ['--enable-feature=native-histograms'],
    config: 'rule_files: [rules.yml]',
    files: { 'rules.yml': renderPrometheusRules({}) },
  });
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
  catalog.close();
  await provider.shutdown();
});

describe('latency quantile recording rule', () => {
  it('records a p99 for a native-only model and for a classic-only one', async () => {
    const native = instrument(async (ms: number) => new Promise((resolve) => setTimeout(resolve, ms)), { model: 'native-only', version: '1', histograms: 'exponential' });
    const classic = instrument(async (ms: number) => new Promise((resolve) => setTimeout(resolve, ms)), { model: 'classic-only', version: '1', histograms: 'explicit' });
    const p99 = (model: string) => `${RECORDED.latencyQuantiles}{model_name="${model}", quantile="0.99"}`;
    const deadline = Date.now() + 60_000;
    let values: number[] = [];
    // Calls keep coming until both recorded quantiles exist (rate needs two scrapes with an increase).
    while (Date.now() < deadline) {
      await Promise.all([native(5), classic(5), native(20), classic(20)]);
      const results = await Promise.all([prometheus!.query(p99('native-only')), prometheus!.query(p99('classic-only'))]);
      values = results.map((r) => Number(r[0]?.value[1]));
      if (values.every((v) => Number.isFinite(v))) break;
    }
    if (!values.every((v) => Number.isFinite(v))) {
      const rules = await (await fetch(`${prometheus!.url}/api/v1/rules`)).json();
      const raw = await prometheus!.query('histogram_count(ml_prediction_latency_seconds)');
      const classicRaw = await prometheus!.query('ml_prediction_latency_seconds_count');
      throw new Error(`values ${JSON.stringify(values)}; native ${JSON.stringify(raw)}; classic ${JSON.stringify(classicRaw)}; rules ${JSON.stringify(rules).slice(0, 3000)}`);
    }
    // Both about the slowest calls: 20 ms timers, plus the lag of a shared machine.
    for (const v of values) {
      expect(v).toBeGreaterThan(0.015);
      expect(v).toBeLessThan(1);
    }
  }, 90_000);
});
