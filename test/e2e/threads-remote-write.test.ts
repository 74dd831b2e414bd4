import { fileURLToPath } from 'node:url';
import { METRIC_PREDICTION_LATENCY, METRIC_PREDICTIONS } from '@inferometer/core/catalog';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureApp } from '../../packages/node/test/helpers/fixture-app.js';
import { startVictoriaMetrics, type VictoriaMetricsServer } from '../support/victoria-metrics.js';

// The worker_threads fixture of @inferometer/node pushing remote write from
// its main thread: every thread's calls reach VictoriaMetrics once, under one
// instance, exactly, across a thread that exits mid-run and is replaced.
const FIXTURE = fileURLToPath(new URL('../../packages/node/test/cluster/fixtures/threads-app.mjs', import.meta.url));
const MODEL = 'threads-model';

let victoria: VictoriaMetricsServer;
beforeAll(async () => {
  victoria = await startVictoriaMetrics();
}, 60_000);
afterAll(async () => {
  await victoria?.stop();
});

describe('worker_threads through remote write into VictoriaMetrics', () => {
  it('holds the exact totals of 4 threads, with no reset across a thread replaced mid-run', async () => {
    const app = await startFixtureApp(FIXTURE, {
      OTEL_METRICS_EXPORTER: 'prometheusremotewrite',
      INFEROMETER_REMOTE_WRITE_URL: victoria.writeUrl,
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
      OTEL_METRIC_EXPORT_TIMEOUT: '1000',
    });
    try {
      const series = `${METRIC_PREDICTIONS.prometheusName}{model_name="${MODEL}",status="success"}`;
      const latencyCount = `${METRIC_PREDICTION_LATENCY.prometheusName}_count{model_name="${MODEL}"}`;
      let made = 0;
      const drive = async (): Promise<void> => {
        await app.command({ cmd: 'calls', worker: 0, n: 21 });
        await app.command({ cmd: 'calls', worker: 1, n: 8 });
        await app.command({ cmd: 'pool', n: 250 });
        made += 21 + 8 + 250;
      };
      await drive();
      expect(await victoria.waitFor(`sum(${series})`, (v) => v === made, 20_000)).toBe(made);
      await app.command({ cmd: 'exit', worker: 0, n: 6 });
      made += 6;
      await app.command({ cmd: 'spawn', worker: 0 });
      await drive();
      expect(await victoria.waitFor(`sum(${series})`, (v) => v === made, 20_000)).toBe(made);
      expect(await victoria.waitFor(`sum(${latencyCount})`, (v) => v === made, 20_000)).toBe(made);
      // One series per label set (one instance), never going down.
      expect(await victoria.waitFor(`count(${series})`, (v) => v === 1, 5_000)).toBe(1);
      const resets = await victoria.query(`resets(${series}[5m])`);
      expect(resets.map((r) => Number(r.value[1]))).toEqual([0]);
    } finally {
      await app.stop();
    }
  }, 90_000);
});
