import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { METRIC_PREDICTIONS } from '@inferometer/core/catalog';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVictoriaMetrics, type VictoriaMetricsServer } from '../support/victoria-metrics.js';

// Two processes of one service on one host push remote write with nothing
// naming their instance: each gets its own service.instance.id (a UUID per
// process start), so neither overwrites the other and a sum adds both.
const FIXTURE = fileURLToPath(new URL('../fixtures/push-process.mjs', import.meta.url));
const run = promisify(execFile);

let victoria: VictoriaMetricsServer;
beforeAll(async () => {
  victoria = await startVictoriaMetrics();
}, 60_000);
afterAll(async () => {
  await victoria?.stop();
});

describe('several processes pushing remote write', () => {
  it('keep separate series, summed correctly by a query', async () => {
    const env = (calls: number): NodeJS.ProcessEnv => ({
      ...process.env,
      INFEROMETER_REMOTE_WRITE_URL: victoria.writeUrl,
      OTEL_SERVICE_NAME: 'instances-test',
      CALLS: String(calls),
    });
    await Promise.all([run(process.execPath, [FIXTURE], { env: env(17) }), run(process.execPath, [FIXTURE], { env: env(25) })]);
    const selector = `${METRIC_PREDICTIONS.prometheusName}{job="instances-test",model_name="instances"}`;
    expect(await victoria.waitFor(`count(${selector})`, (n) => n === 2, 20_000)).toBe(2);
    expect(await victoria.waitFor(`sum(${selector})`, (n) => n === 42, 20_000)).toBe(42);
    const instances = (await victoria.query(selector)).map((series) => series.metric.instance);
    expect(new Set(instances).size).toBe(2);
  }, 60_000);
});
