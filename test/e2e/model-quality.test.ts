import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATTR_MODEL_NAME, ATTR_MODEL_VERSION } from '@inferometer/core/catalog';
import { CATEGORY_MODEL, LABEL_CATEGORY, RECORDED } from '@inferometer/ops';
import { startAlertmanager, type AlertmanagerServer } from '../support/alertmanager.js';
import { startDemoProcess, type DemoProcess } from '../support/demo-process.js';
import { eventually } from '../support/ports.js';
import { startPrometheus, type PrometheusServer } from '../support/prometheus.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

// Model quality end to end, on the iris demo's real behaviour: the rules and
// routing of `inferometer rules` / `inferometer alertmanager`, a real
// Prometheus evaluating every second, a real Alertmanager, a webhook
// receiver. Three demos, each with traffic that reports the true species of
// half its predictions half a second later (POST /feedback):
// - iris-q-healthy: traffic from the training rows. No alert at all.
// - iris-q-concept: --concept-drift, versicolor is labelled virginica, the
//   inputs unchanged. Realised accuracy falls (about 2/3): the accuracy
//   alert reaches the model owners, and the calibration gap fires beside it
//   (the confidences still promise about 96 %); data drift and data quality
//   stay quiet.
// - iris-q-input: --drift, petal_length + 1.5 cm: the data-quality counts
//   (out_of_range) rise and their alert fires for petal_length.
// Shortened only through options: `--for 5s` and the demos' 10 s drift
// window (scores from 300 rows, as by default). Thresholds are the defaults.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = (...args: string[]): string => execFileSync(process.execPath, [join(root, 'packages', 'ops', 'dist', 'cli.js'), ...args], { encoding: 'utf8' });
const MODEL_PATH = '/model';
const FOR_SECONDS = 5;
const DEMO_ARGS = ['--rate', '40', '--drift-window', '10s', '--feedback-share', '0.5', '--feedback-delay', '0.5'];
const JOBS = { healthy: 'iris-q-healthy', concept: 'iris-q-concept', input: 'iris-q-input' } as const;

let receiver: WebhookReceiver;
let alertmanager: AlertmanagerServer;
let prometheus: PrometheusServer;
const demos: Partial<Record<keyof typeof JOBS, DemoProcess>> = {};

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  alertmanager = await startAlertmanager(
    cli('alertmanager', '--model-webhook', `${receiver.url}${MODEL_PATH}`, '--infrastructure-webhook', `${receiver.url}/infrastructure`, '--group-wait', '1s', '--group-interval', '1s', '--repeat-interval', '1h'),
  );
  const [healthy, concept, input] = await Promise.all([
    startDemoProcess(DEMO_ARGS),
    startDemoProcess([...DEMO_ARGS, '--concept-drift']),
    startDemoProcess([...DEMO_ARGS, '--drift']),
  ]);
  Object.assign(demos, { healthy, concept, input });
  prometheus = await startPrometheus(
    [
      { job: JOBS.healthy, target: `127.0.0.1:${healthy.metricsPort}` },
      { job: JOBS.concept, target: `127.0.0.1:${concept.metricsPort}` },
      { job: JOBS.input, target: `127.0.0.1:${input.metricsPort}` },
    ],
    {
      files: { 'rules.yml': cli('rules', '--job', 'iris-q-.*', '--for', `${FOR_SECONDS}s`) },
      config: ['rule_files: [rules.yml]', 'alerting:', '  alertmanagers:', '    - static_configs:', `        - targets: ['${alertmanager.address}']`].join('\n'),
    },
  );
}, 60_000);

afterAll(async () => {
  await Promise.allSettled([...Object.values(demos).map((d) => d.stop()), prometheus?.stop(), alertmanager?.stop(), receiver?.stop()]);
});

/**
 * Every model alert (category="model") Prometheus has held, pending or
 * firing, for `job` since it started, as `alertname state [feature issue]`.
 * Infrastructure alerts are left out: on a loaded machine one scrape may
 * time out (ModelServerDown pending), which says nothing of the model.
 */
async function alertsSeen(job: string): Promise<string[]> {
  const series = await prometheus.query(`max_over_time(ALERTS{job="${job}", ${LABEL_CATEGORY}="${CATEGORY_MODEL}"}[10m])`);
  return [...new Set(series.map((s) => [s.metric.alertname, s.metric.alertstate, s.metric.feature, s.metric.issue].filter(Boolean).join(' ')))].sort();
}

const value = async (query: string): Promise<number | undefined> => {
  const result = await prometheus.query(query);
  return result.length === 0 ? undefined : Number(result[0]!.value[1]);
};

describe('model quality: concept drift, input drift and a healthy model (real Prometheus and Alertmanager)', () => {
  it('concept drift: the accuracy alert reaches the model owners while data drift stays quiet', async () => {
    const notification = await receiver.waitFor(
      MODEL_PATH,
      'ModelAccuracyBelowReference firing',
      // The input-drift job may lose accuracy too (its shifted rows are
      // misclassified): this test is about the concept-drift job's alert.
      (n) => n.status === 'firing' && n.alerts.some((a) => a.labels.alertname === 'ModelAccuracyBelowReference' && a.labels.job === JOBS.concept),
      30_000,
    );
    const alert = notification.alerts.find((a) => a.labels.alertname === 'ModelAccuracyBelowReference' && a.labels.job === JOBS.concept)!;
    expect(alert.labels).toEqual({ alertname: 'ModelAccuracyBelowReference', severity: 'critical', [LABEL_CATEGORY]: CATEGORY_MODEL, job: JOBS.concept, [ATTR_MODEL_NAME]: 'iris', [ATTR_MODEL_VERSION]: '1.0.0' });
    // About a third of the labelled rows are versicolor, now labelled virginica.
    const percent = Number(/^realised accuracy of iris 1\.0\.0 \(job iris-q-concept\) is ([\d.]+)%$/.exec(alert.annotations.summary!)?.[1]);
    expect(percent).toBeGreaterThan(50);
    expect(percent).toBeLessThan(80);
    // The confidences did not move: the estimate (CBPE) stays high, so the
    // two part ways and the calibration gap fires beside the accuracy alert.
    expect(await value(`${RECORDED.estimatedAccuracy}{job="${JOBS.concept}"}`)).toBeGreaterThan(0.9);
    await eventually('ModelCalibrationGap firing for the concept drift', async () => ((await alertsSeen(JOBS.concept)).includes('ModelCalibrationGap firing') ? true : undefined), 20_000);
    // The inputs look as before: drift scores are reported and under their
    // thresholds, and no data-drift or data-quality alert was ever pending.
    await prometheus.waitFor(`count(ml_data_drift_score{job="${JOBS.concept}"} >= 0)`, (v) => v === 4 * 3);
    expect((await alertsSeen(JOBS.concept)).filter((a) => !a.startsWith('ModelAccuracyBelowReference') && !a.startsWith('ModelCalibrationGap'))).toEqual([]);
    expect(await value(`sum(increase(ml_data_quality_issues_total{job="${JOBS.concept}"}[5m]))`)).toBe(0);
  }, 45_000);

  it('input drift: data-quality counts rise for petal_length and their alert fires', async () => {
    await eventually('ModelDataQualityIssues firing for petal_length', async () => ((await alertsSeen(JOBS.input)).includes('ModelDataQualityIssues firing petal_length out_of_range') ? true : undefined), 30_000);
    // Only petal_length moved, and only out of range (the shift keeps values finite and numeric).
    const issues = await prometheus.query(`sum by (feature, issue) (ml_data_quality_issues_total{job="${JOBS.input}"}) > 0`);
    expect(issues.map((s) => `${s.metric.feature} ${s.metric.issue}`)).toEqual(['petal_length out_of_range']);
    const ratio = await value(`${RECORDED.dataQualityRatio}{job="${JOBS.input}", feature="petal_length", issue="out_of_range"}`);
    // Iris rows with petal_length above 6.9 - 1.5 = 5.4 cm: 34 of 150 (23 %).
    expect(ratio).toBeGreaterThan(0.1);
    expect(ratio).toBeLessThan(0.4);
  }, 45_000);

  it('healthy: outcomes joined and accuracy high, and no model alert was ever pending or firing', async () => {
    // By now the other two fired: more than the for-duration of outcomes has passed.
    const accuracy = await value(`${RECORDED.accuracy}{job="${JOBS.healthy}"}`);
    expect(accuracy).toBeGreaterThan(0.9);
    const estimate = await value(`${RECORDED.estimatedAccuracy}{job="${JOBS.healthy}"}`);
    expect(Math.abs(estimate! - accuracy!)).toBeLessThan(0.1);
    expect(await value(`sum(ml_prediction_outcomes_total{job="${JOBS.healthy}"})`)).toBeGreaterThan(100);
    expect(await value(`sum(increase(ml_data_quality_issues_total{job="${JOBS.healthy}"}[5m]))`)).toBe(0);
    // Unknown ids never happen in the demo's own loop.
    expect(await value(`sum(inferometer_outcome_events_total{job="${JOBS.healthy}", event="unknown_id"})`)).toBeUndefined();
    expect(await alertsSeen(JOBS.healthy)).toEqual([]);
    expect(receiver.received(MODEL_PATH).flatMap((n) => n.alerts).filter((a) => a.labels.job === JOBS.healthy)).toEqual([]);
  }, 20_000);
});
