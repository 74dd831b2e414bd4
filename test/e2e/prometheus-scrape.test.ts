import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRIC_PREDICTION_CONFIDENCE, METRIC_PREDICTION_ERRORS, METRIC_PREDICTION_LATENCY, METRIC_PREDICTIONS } from '@inferometer/core/catalog';
import { requireBinary } from '../support/binaries.js';
import { startDemo, type Demo } from '../support/demo.js';
import { startPrometheus, type PrometheusServer } from '../support/prometheus.js';

// The walking skeleton end to end: the demo server with @Instrument on a real
// ONNX model, scraped by a real Prometheus, checked through its HTTP API.
const VALID = 40;
const INVALID = 7;

let demo: Demo;
let prometheus: PrometheusServer;

beforeAll(async () => {
  demo = await startDemo();
  prometheus = await startPrometheus([{ job: 'iris', target: `127.0.0.1:${demo.metricsPort}` }]);
});
afterAll(async () => {
  await Promise.allSettled([demo?.stop(), prometheus?.stop()]);
});

describe('demo scraped by a real Prometheus', () => {
  it('answers predictions, and refuses invalid input with 400 and a reason', async () => {
    for (let i = 0; i < VALID; i++) {
      const { status, body } = await demo.predict(i % 4 === 0 ? { instances: [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]] } : { features: [5.9, 3.0, 4.2, 1.5] });
      expect(status).toBe(200);
      expect(body).toMatchObject({ model: 'iris', version: '1.0.0' });
    }
    for (let i = 0; i < INVALID; i++) {
      const { status, body } = await demo.predict({ features: [1, 2] });
      expect(status).toBe(400);
      expect((body as { error: string }).error).toContain('must be an array of 4 finite numbers');
    }
  });

  it('shows the target up and every prediction counted exactly', async () => {
    expect(await prometheus.waitFor('up{job="iris"}', (v) => v === 1)).toBe(1);
    const total = await prometheus.waitFor(`sum(${METRIC_PREDICTIONS.prometheusName})`, (v) => v === VALID + INVALID);
    expect(total).toBe(VALID + INVALID);
    expect(await prometheus.waitFor(`sum(${METRIC_PREDICTIONS.prometheusName}{status="error"})`, (v) => v === INVALID)).toBe(INVALID);
    const errors = await prometheus.query(METRIC_PREDICTION_ERRORS.prometheusName);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.metric).toMatchObject({ model_name: 'iris', model_version: '1.0.0', error_type: 'invalid_input', job: 'iris' });
    expect(Number(errors[0]!.value[1])).toBe(INVALID);
  });

  it('has finite latency and confidence quantiles, and the batch sizes sent', async () => {
    const p99 = Number((await prometheus.query(`histogram_quantile(0.99, sum by (le) (${METRIC_PREDICTION_LATENCY.prometheusName}_bucket))`))[0]!.value[1]);
    expect(Number.isFinite(p99)).toBe(true);
    expect(p99).toBeGreaterThan(0);
    expect(p99).toBeLessThanOrEqual(METRIC_PREDICTION_LATENCY.buckets.at(-1)!);
    const median = Number((await prometheus.query(`histogram_quantile(0.5, sum by (le) (${METRIC_PREDICTION_CONFIDENCE.prometheusName}_bucket))`))[0]!.value[1]);
    expect(median).toBeGreaterThan(0.3);
    expect(median).toBeLessThanOrEqual(1);
    // 10 batches of 2 rows: 10 + 30 rows of 1 = 50 confidence observations.
    expect(Number((await prometheus.query(`sum(${METRIC_PREDICTION_CONFIDENCE.prometheusName}_count)`))[0]!.value[1])).toBe(50);
    // Batch size is read before the call, so refused calls count their rows too: 50 + 7.
    expect(Number((await prometheus.query('sum(ml_prediction_batch_size_sum)'))[0]!.value[1])).toBe(50 + INVALID);
    expect(Number((await prometheus.query('sum(ml_prediction_batch_size_count)'))[0]!.value[1])).toBe(VALID + INVALID);
    expect(Number((await prometheus.query('ml_model_info{model_name="iris",model_version="1.0.0"}'))[0]!.value[1])).toBe(1);
    expect(Number((await prometheus.query('ml_active_model_version{model_name="iris"}'))[0]!.value[1])).toBe(1_000_000);
  });

  it('serves exposition that promtool check metrics accepts', async () => {
    const promtool = requireBinary('promtool', 'prometheus', 'PROMTOOL_BIN');
    const exposition = await (await fetch(demo.metricsUrl)).text();
    // promtool exits non-zero on errors; lint warnings (stdout) must be empty too.
    const output = execFileSync(promtool, ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
    expect(output.trim()).toBe('');
    for (const name of ['ml_predictions_total', 'ml_prediction_errors_total', 'ml_prediction_latency_seconds_bucket', 'ml_prediction_confidence_bucket', 'ml_prediction_batch_size_bucket', 'ml_predictions_in_flight', 'ml_model_info', 'ml_active_model_version']) {
      expect(exposition).toMatch(new RegExp(`^${name}\\{`, 'm'));
    }
  });
});
