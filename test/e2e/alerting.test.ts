import { execFileSync, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATTR_MODEL_NAME, ATTR_MODEL_VERSION } from '@inferometer/core';
import { CATEGORY_INFRASTRUCTURE, CATEGORY_MODEL, GROUP_BY, LABEL_CATEGORY, RECEIVERS } from '@inferometer/ops';
import { startAlertmanager, type AlertmanagerServer } from '../support/alertmanager.js';
import { startDemo, type Demo } from '../support/demo.js';
import { eventually } from '../support/ports.js';
import { startPrometheus, type PrometheusServer } from '../support/prometheus.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

// Issue 7, "Alertmanager end to end": the rules and the routing of
// `inferometer rules` / `inferometer alertmanager` (run as the user runs the
// CLI), a real Prometheus evaluating every second, a real Alertmanager, and a
// webhook receiver in the test. The demo model is forced to fail, then
// stopped. `for` is 2s here instead of the production 5m.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = (...args: string[]): string => execFileSync(process.execPath, [join(root, 'packages', 'ops', 'dist', 'cli.js'), ...args], { encoding: 'utf8' });
const doctor = (...args: string[]): { status: number | null; stdout: string } =>
  spawnSync(process.execPath, [join(root, 'packages', 'ops', 'dist', 'cli.js'), 'doctor', ...args], { encoding: 'utf8' });
const JOB = 'iris';
const MODEL_PATH = '/model';
const INFRASTRUCTURE_PATH = '/infrastructure';

let receiver: WebhookReceiver;
let alertmanager: AlertmanagerServer;
let demo: Demo;
let prometheus: PrometheusServer;
let traffic: NodeJS.Timeout | undefined;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  alertmanager = await startAlertmanager(
    cli(
      'alertmanager',
      '--model-webhook', `${receiver.url}${MODEL_PATH}`,
      '--infrastructure-webhook', `${receiver.url}${INFRASTRUCTURE_PATH}`,
      '--group-wait', '1s',
      '--group-interval', '1s',
      '--repeat-interval', '1h',
    ),
  );
  demo = await startDemo();
  prometheus = await startPrometheus([{ job: JOB, target: `127.0.0.1:${demo.metricsPort}` }], {
    files: { 'rules.yml': cli('rules', '--job', JOB, '--for', '2s') },
    config: ['rule_files: [rules.yml]', 'alerting:', '  alertmanagers:', '    - static_configs:', `        - targets: ['${alertmanager.address}']`].join('\n'),
  });
}, 60_000);

afterAll(async () => {
  clearInterval(traffic);
  await Promise.allSettled([demo?.stop(), prometheus?.stop(), alertmanager?.stop(), receiver?.stop()]);
});

describe('alerts fire in a real Prometheus and Alertmanager routes them', () => {
  it('starts from a demo that inferometer doctor finds healthy, Prometheus included', async () => {
    await prometheus.waitFor(`up{job="${JOB}"}`, (v) => v === 1);
    expect((await demo.predict({ features: [5.1, 3.5, 1.4, 0.2] })).status).toBe(200);
    // Wait for a scrape that saw the prediction, so Prometheus stores the series.
    await prometheus.waitFor(`sum(ml_predictions_total{job="${JOB}"})`, (v) => v >= 1);
    const { status, stdout } = doctor(demo.metricsUrl, '--prometheus', prometheus.url);
    expect(stdout).toContain('verdict: healthy');
    expect(stdout).toMatch(/\[ok\] {3}prometheus Prometheus reports the target up and stores its \d+ Inferometer metrics/);
    expect(status).toBe(0);
  });

  it('routes the error-ratio alert, with the model labels, to the model owners when the model fails', async () => {
    await prometheus.waitFor(`up{job="${JOB}"}`, (v) => v === 1);
    const fault = await fetch(`${demo.apiUrl}/admin/fault`, { method: 'POST', body: JSON.stringify({ ratio: 1 }) });
    expect(fault.status).toBe(200);
    // Steady failing traffic until the alert arrives (a rate needs samples in two scrapes).
    traffic = setInterval(() => void demo.predict({ features: [5.1, 3.5, 1.4, 0.2] }).catch(() => undefined), 100);
    const notification = await receiver.waitFor(MODEL_PATH, 'ModelErrorRatioHigh firing', (n) => n.status === 'firing' && n.commonLabels.alertname === 'ModelErrorRatioHigh');
    clearInterval(traffic);

    expect(notification.receiver).toBe(RECEIVERS.model);
    // Grouping: one notification per alert name, job and model.
    expect(notification.groupLabels).toEqual({ alertname: 'ModelErrorRatioHigh', job: JOB, [ATTR_MODEL_NAME]: 'iris' });
    expect(Object.keys(notification.groupLabels).sort()).toEqual([...GROUP_BY.model].sort());
    expect(notification.alerts).toHaveLength(1);
    const alert = notification.alerts[0]!;
    expect(alert.labels).toEqual({
      alertname: 'ModelErrorRatioHigh',
      severity: 'critical',
      [LABEL_CATEGORY]: CATEGORY_MODEL,
      job: JOB,
      [ATTR_MODEL_NAME]: 'iris',
      [ATTR_MODEL_VERSION]: '1.0.0',
    });
    // Every prediction failed: the summary renders the ratio as 100%.
    expect(alert.annotations.summary).toBe('100% of predictions of iris 1.0.0 (job iris) fail');
    expect(alert.annotations.runbook_url).toMatch(/#modelerrorratiohigh$/);
    // Model alerts never reach the infrastructure receiver.
    expect(receiver.received(INFRASTRUCTURE_PATH).flatMap((n) => n.alerts).filter((a) => a.labels[LABEL_CATEGORY] === CATEGORY_MODEL)).toEqual([]);
  });

  it('routes the down alert to the platform on-call when the server stops, and inhibits its model alerts', async () => {
    await demo.stop();
    const notification = await receiver.waitFor(INFRASTRUCTURE_PATH, 'ModelServerDown firing', (n) => n.status === 'firing' && n.commonLabels.alertname === 'ModelServerDown');
    expect(notification.receiver).toBe(RECEIVERS.infrastructure);
    expect(notification.groupLabels).toEqual({ alertname: 'ModelServerDown', job: JOB, instance: `127.0.0.1:${demo.metricsPort}` });
    expect(notification.alerts[0]!.labels).toEqual({
      alertname: 'ModelServerDown',
      severity: 'critical',
      [LABEL_CATEGORY]: CATEGORY_INFRASTRUCTURE,
      job: JOB,
      instance: `127.0.0.1:${demo.metricsPort}`,
    });

    // The error ratio is still computed from the last samples in its 5m
    // window, so Prometheus keeps it firing; Alertmanager holds it back.
    const down = (await alertmanager.alerts()).find((a) => a.labels.alertname === 'ModelServerDown')!;
    const inhibited = await eventually('ModelErrorRatioHigh to be inhibited', async () =>
      (await alertmanager.alerts()).find((a) => a.labels.alertname === 'ModelErrorRatioHigh' && a.status.state === 'suppressed'),
    );
    expect(inhibited.status.inhibitedBy).toHaveLength(1);
    expect(down.status.state).toBe('active');
    // What the user sees from the terminal meanwhile.
    const report = doctor(demo.metricsUrl, '--prometheus', prometheus.url, '--timeout-ms', '2000');
    expect(report.status).toBe(1);
    expect(report.stdout).toContain('[FAIL] endpoint   cannot fetch');
    expect(report.stdout).toContain('[FAIL] prometheus Prometheus reports the target DOWN (up == 0)');
    expect(report.stdout).toContain('verdict: NOT HEALTHY: 2 checks failed (endpoint, prometheus)');
    const modelNotificationsBefore = receiver.received(MODEL_PATH).length;
    // Two more group intervals: no new model notification while inhibited.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(receiver.received(MODEL_PATH)).toHaveLength(modelNotificationsBefore);
  });
});
