import { fileURLToPath } from 'node:url';
import { METRIC_PREDICTION_LATENCY, METRIC_PREDICTIONS } from '@inferometer/core/catalog';
import { eventually } from '@inferometer/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureApp } from '../../packages/node/test/helpers/fixture-app.js';
import { attributesOf, type OtlpMetric, type OtlpRequest } from '../support/otlp-proto.js';
import { startOtlpReceiver, type OtlpReceived, type OtlpReceiver } from '../support/otlp-receiver.js';

// The worker_threads fixture of @inferometer/node pushing delta OTLP from its
// main thread (the cumulative merge of every thread, turned into deltas per
// reader): the deltas add up to every call made in any thread, across a
// thread that exits mid-run and is replaced.
const FIXTURE = fileURLToPath(new URL('../../packages/node/test/cluster/fixtures/threads-app.mjs', import.meta.url));
const MODEL = 'threads-model';

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await startOtlpReceiver({ vendor: 'collector' });
});
afterAll(async () => {
  await receiver?.close();
});

function metricsNamed(requests: readonly OtlpReceived[], name: string): OtlpMetric[] {
  return requests.flatMap((r: { request: OtlpRequest }) =>
    (r.request.resourceMetrics ?? []).flatMap((rm) => (rm.scopeMetrics ?? []).flatMap((sm) => (sm.metrics ?? []).filter((m) => m.name === name))),
  );
}

/** Sum of every accepted delta point of the model's successful predictions, and of its latency counts. */
function totals(): { predictions: number; latencies: number } {
  const accepted = receiver.accepted();
  const predictions = metricsNamed(accepted, METRIC_PREDICTIONS.name)
    .flatMap((m) => m.sum?.dataPoints ?? [])
    .filter((p) => attributesOf(p.attributes).model_name === MODEL && attributesOf(p.attributes).status === 'success')
    .reduce((sum, p) => sum + Number(p.asDouble ?? p.asInt ?? 0), 0);
  const latencies = metricsNamed(accepted, METRIC_PREDICTION_LATENCY.name)
    .flatMap((m) => m.histogram?.dataPoints ?? [])
    .filter((p) => attributesOf(p.attributes).model_name === MODEL)
    .reduce((sum, p) => sum + Number(p.count ?? 0), 0);
  return { predictions, latencies };
}

describe('worker_threads through delta OTLP', () => {
  it('sends deltas that add up to every call of 4 threads, across a thread replaced mid-run', async () => {
    const app = await startFixtureApp(FIXTURE, {
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'delta',
      OTEL_METRIC_EXPORT_INTERVAL: '500',
      OTEL_METRIC_EXPORT_TIMEOUT: '500',
    });
    try {
      let made = 0;
      const drive = async (): Promise<void> => {
        await app.command({ cmd: 'calls', worker: 0, n: 12 });
        await app.command({ cmd: 'calls', worker: 1, n: 5 });
        await app.command({ cmd: 'pool', n: 120 });
        made += 12 + 5 + 120;
      };
      await drive();
      await eventually('the first deltas', () => Promise.resolve(totals().predictions === made ? true : undefined), 20_000);
      await app.command({ cmd: 'exit', worker: 1, n: 4 });
      made += 4;
      await app.command({ cmd: 'spawn', worker: 1 });
      await drive();
      await eventually('every call in the deltas', () => Promise.resolve(totals().predictions === made && totals().latencies === made ? true : undefined), 20_000);
      // Nothing counted twice once the pushes go on.
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      expect(totals()).toEqual({ predictions: made, latencies: made });
    } finally {
      await app.stop();
    }
  }, 90_000);
});
