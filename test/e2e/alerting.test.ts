import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATTR_MODEL_NAME, ATTR_MODEL_VERSION, METRIC_PREDICTION_ERRORS } from '@inferometer/core/catalog';
import { cohensW, DEFAULT_THRESHOLDS, jensenShannon, ksBinned, psi } from '@inferometer/drift';
import { METRIC_DATA_DRIFT_SCORE } from '@inferometer/drift/catalog';
import { CATEGORY_INFRASTRUCTURE, CATEGORY_MODEL, DASHBOARD_NODE_QUERIES, DEFAULT_DRIFT_THRESHOLDS, GROUP_BY, LABEL_CATEGORY, prometheusRules, RECEIVERS, RECORDED } from '@inferometer/ops';
import { startAlertmanager, type AlertmanagerServer } from '../support/alertmanager.js';
import { startDemoProcess, type DemoProcess } from '../support/demo-process.js';
import { startNodeExporter, type NodeExporter } from '../support/node-exporter.js';
import { eventually } from '../support/ports.js';
import { startPrometheus, type PrometheusServer } from '../support/prometheus.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

// The generated alerts stay quiet on a healthy model and fire on a sick one,
// on the demo's real behaviour: the rules and routing of `inferometer rules`
// / `inferometer alertmanager` (run as the user runs the CLI), a real
// Prometheus evaluating every second, a real Alertmanager, a webhook
// receiver in the test, and node_exporter beside the demo. Three demos run
// side by side, each with its own traffic (5 % invalid requests by design),
// each its own job:
// - iris-healthy: traffic replayed from the training rows. No alert at all.
// - iris-drift: --drift, petal_length + 1.5 cm. ModelDataDriftHigh for
//   petal_length only.
// - iris-fault: IRIS_FAULT_RATIO=0.2. ModelErrorRatioHigh to the model owners.
// Shortened only through options: the demo's drift window (10 s, scores from
// 300 rows as by default) and the rules' `--for 10s` instead of 5m. The
// thresholds are the defaults.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = (...args: string[]): string => execFileSync(process.execPath, [join(root, 'packages', 'ops', 'dist', 'cli.js'), ...args], { encoding: 'utf8' });
const doctor = (...args: string[]): { status: number | null; stdout: string } =>
  spawnSync(process.execPath, [join(root, 'packages', 'ops', 'dist', 'cli.js'), 'doctor', ...args], { encoding: 'utf8' });
const MODEL_PATH = '/model';
const INFRASTRUCTURE_PATH = '/infrastructure';
const FOR_SECONDS = 10;
const WINDOW_SECONDS = 10;
// About 40 requests/s of 1.7 rows on average, 95 % valid: some 600 rows per
// 10 s window, above the 300 rows scores start at.
const DEMO_ARGS = ['--rate', '40', '--drift-window', `${WINDOW_SECONDS}s`, '--drift-min-rows', '300'];
const JOBS = { healthy: 'iris-healthy', drift: 'iris-drift', fault: 'iris-fault' } as const;
const NODE_JOB = 'node';
const FAULT_RATIO = 0.2;

let receiver: WebhookReceiver;
let alertmanager: AlertmanagerServer;
let nodeExporter: NodeExporter;
let prometheus: PrometheusServer;
let rules: string;
const demos: Partial<Record<keyof typeof JOBS, DemoProcess>> = {};
let started = 0;

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
  nodeExporter = await startNodeExporter();
  const [healthy, drift, fault] = await Promise.all([
    startDemoProcess(DEMO_ARGS),
    startDemoProcess([...DEMO_ARGS, '--drift']),
    startDemoProcess(DEMO_ARGS, { IRIS_FAULT_RATIO: String(FAULT_RATIO) }),
  ]);
  Object.assign(demos, { healthy, drift, fault });
  started = Date.now();
  rules = cli('rules', '--job', 'iris-.*', '--for', `${FOR_SECONDS}s`);
  prometheus = await startPrometheus(
    [
      { job: JOBS.healthy, target: `127.0.0.1:${healthy.metricsPort}` },
      { job: JOBS.drift, target: `127.0.0.1:${drift.metricsPort}` },
      { job: JOBS.fault, target: `127.0.0.1:${fault.metricsPort}` },
      { job: NODE_JOB, target: nodeExporter.address },
    ],
    {
      files: { 'rules.yml': rules },
      config: ['rule_files: [rules.yml]', 'alerting:', '  alertmanagers:', '    - static_configs:', `        - targets: ['${alertmanager.address}']`].join('\n'),
    },
  );
}, 90_000);

afterAll(async () => {
  await Promise.allSettled([...Object.values(demos).map((d) => d.stop()), prometheus?.stop(), alertmanager?.stop(), receiver?.stop(), nodeExporter?.stop()]);
});

const threshold = (key: string): number => DEFAULT_THRESHOLDS[key.split(' ')[0] as keyof typeof DEFAULT_THRESHOLDS].critical;

/**
 * The demo's model on the 150 training rows with petal_length + 1.5 cm (the
 * --drift shift), scored against the reference profile's predicted classes
 * and confidence: `method prediction` -> score.
 */
async function shiftedPredictionScores(apiUrl: string): Promise<Record<string, number>> {
  const model = join(root, 'examples', 'onnx-iris', 'model');
  const [, ...lines] = readFileSync(join(model, 'iris-train.csv'), 'utf8').trim().split('\n');
  const instances = lines.map((l) => l.split(',').slice(0, 4).map(Number)).map((r) => [r[0]!, r[1]!, Number((r[2]! + 1.5).toFixed(2)), r[3]!]);
  const response = await fetch(`${apiUrl}/predict`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ instances }) });
  const predictions = ((await response.json()) as { predictions: { label: string; probabilities: number[] }[] }).predictions;
  const profile = JSON.parse(readFileSync(join(model, 'iris-reference.json'), 'utf8')) as {
    predictions: { class: { categories: string[]; proportions: number[] }; confidence: { edges: number[]; proportions: number[] } };
  };
  const classes = profile.predictions.class;
  const classCounts = classes.categories.map((c) => predictions.filter((p) => p.label === c).length);
  const confidence = profile.predictions.confidence;
  const confidenceCounts = new Array<number>(confidence.proportions.length).fill(0);
  for (const p of predictions) confidenceCounts[confidence.edges.filter((e) => Math.max(...p.probabilities) >= e).length]!++;
  const shares = (counts: number[]): number[] => counts.map((c) => c / predictions.length);
  return {
    'chi2 class': cohensW(classes.proportions, classCounts),
    'js class': jensenShannon(classes.proportions, shares(classCounts)),
    'psi confidence': psi(confidence.proportions, shares(confidenceCounts)),
    'ks confidence': ksBinned(confidence.proportions, shares(confidenceCounts)),
    'js confidence': jensenShannon(confidence.proportions, shares(confidenceCounts)),
  };
}

/** Every alert Prometheus has held (pending or firing, or only those `matcher` selects) since it started, as `alertname state feature method`. */
async function alertsSeen(job: string, matcher?: string): Promise<string[]> {
  const series = await prometheus.query(`max_over_time(ALERTS{job="${job}"${matcher ? `, ${matcher}` : ''}}[10m])`);
  return series.map((s) => [s.metric.alertname, s.metric.alertstate, s.metric.feature, s.metric.method, s.metric.prediction].filter(Boolean).join(' ')).sort();
}

describe('alerts stay quiet on a healthy model and fire on a sick one (real Prometheus and Alertmanager)', () => {
  it('alerts at the drift thresholds the drift package documents and tests on healthy windows', () => {
    // @inferometer/ops does not depend on @inferometer/drift: the two tables must agree.
    expect(DEFAULT_DRIFT_THRESHOLDS).toEqual(Object.fromEntries(Object.entries(DEFAULT_THRESHOLDS).map(([m, t]) => [m, t.critical])));
    expect(rules).toContain('(ml_data_drift_score{method="chi2"}) > 0.5');
  });

  it('starts from a demo that inferometer doctor finds healthy, rules and alerts included', async () => {
    await prometheus.waitFor(`up{job="${JOBS.healthy}"}`, (v) => v === 1);
    await prometheus.waitFor(`sum(ml_predictions_total{job="${JOBS.healthy}"})`, (v) => v >= 1);
    // Until every rule was evaluated once and Prometheus stores every family
    // the endpoint serves (the endpoint's own scrape metrics are born at its
    // first scrape: the doctor waits for Prometheus' next one to tell them
    // from dropped ones).
    const { status, stdout } = await eventually('every rule evaluated once and a second scrape stored', async () => {
      const report = doctor(demos.healthy!.metricsUrl, '--prometheus', prometheus.url);
      return report.stdout.includes('[ok]   rules') && report.stdout.includes('[ok]   prometheus') ? report : undefined;
    });
    expect(stdout).toMatch(/\[ok\] {3}prometheus Prometheus reports the target up and stores its \d+ Inferometer metrics/);
    // Every rule the generator writes, each evaluated without error.
    const generated = prometheusRules().groups;
    expect(stdout).toContain(`[ok]   rules      ${generated.reduce((n, g) => n + g.rules.length, 0)} rules in ${generated.length} groups evaluate without error`);
    expect(stdout).toContain('verdict: healthy');
    expect(status).toBe(0);
  });

  it('fault: the error-ratio alert reaches the model owners, with the model labels', async () => {
    const notification = await receiver.waitFor(
      MODEL_PATH,
      'ModelErrorRatioHigh firing',
      (n) => n.status === 'firing' && n.commonLabels.alertname === 'ModelErrorRatioHigh',
      60_000,
    );
    expect(notification.receiver).toBe(RECEIVERS.model);
    expect(notification.groupLabels).toEqual({ alertname: 'ModelErrorRatioHigh', job: JOBS.fault, [ATTR_MODEL_NAME]: 'iris' });
    expect(Object.keys(notification.groupLabels).sort()).toEqual([...GROUP_BY.model].sort());
    expect(notification.alerts).toHaveLength(1);
    const alert = notification.alerts[0]!;
    expect(alert.labels).toEqual({ alertname: 'ModelErrorRatioHigh', severity: 'critical', [LABEL_CATEGORY]: CATEGORY_MODEL, job: JOBS.fault, [ATTR_MODEL_NAME]: 'iris', [ATTR_MODEL_VERSION]: '1.0.0' });
    // About 20 % of the attempted predictions fail; the invalid requests are not counted.
    const percent = Number(/^([\d.]+)% of predictions of iris 1\.0\.0 \(job iris-fault\) fail$/.exec(alert.annotations.summary!)?.[1]);
    expect(percent).toBeGreaterThan(8);
    expect(percent).toBeLessThan(35);
    expect(alert.annotations.runbook).toBe('node_modules/@inferometer/ops/RUNBOOK.md#modelerrorratiohigh');
    expect(receiver.received(INFRASTRUCTURE_PATH).flatMap((n) => n.alerts).filter((a) => a.labels[LABEL_CATEGORY] === CATEGORY_MODEL)).toEqual([]);
  }, 70_000);

  it('drift: the data-drift alert fires for the shifted feature only, and prediction drift because the predictions moved', async () => {
    await receiver.waitFor(MODEL_PATH, 'ModelDataDriftHigh firing', (n) => n.status === 'firing' && n.commonLabels.alertname === 'ModelDataDriftHigh', 60_000);
    const fired = (await alertsSeen(JOBS.drift)).filter((a) => a.startsWith('ModelDataDriftHigh firing'));
    // PSI, KS and JS all see petal_length move; no other feature crosses a threshold.
    expect(fired).toEqual(['ModelDataDriftHigh firing petal_length js', 'ModelDataDriftHigh firing petal_length ks', 'ModelDataDriftHigh firing petal_length psi']);
    expect((await alertsSeen(JOBS.drift)).filter((a) => a.startsWith('ModelDataDriftHigh') && !a.includes('petal_length'))).toEqual([]);
    // Did the predictions really move? The model's own answers for the
    // training rows with the shift, scored against the profile's predictions
    // as the monitor scores them: an alert for a score well above its
    // threshold must fire, and none may fire for a score well below.
    const offline = await shiftedPredictionScores(demos.drift!.apiUrl);
    const mustFire = Object.entries(offline).filter(([key, v]) => v > 1.25 * threshold(key)).map(([key]) => key);
    expect(mustFire.length).toBeGreaterThan(0);
    for (const key of mustFire) {
      await eventually(`ModelPredictionDriftHigh firing for ${key} (offline ${offline[key]!.toFixed(3)})`, async () =>
        (await alertsSeen(JOBS.drift)).includes(`ModelPredictionDriftHigh firing ${key}`) ? true : undefined,
      );
    }
    const firedPredictions = (await alertsSeen(JOBS.drift)).filter((a) => a.startsWith('ModelPredictionDriftHigh firing')).map((a) => a.split(' ').slice(2).join(' '));
    for (const key of firedPredictions) expect(offline[key], `${key} fired; offline score`).toBeGreaterThan(0.8 * threshold(key));
    console.log(`alerting e2e: prediction drift offline ${JSON.stringify(offline)}; fired for ${firedPredictions.join(', ')}`);
  }, 90_000);

  it('healthy: with every drift window full and every for elapsed, no alert was ever pending or firing', async () => {
    // Scores have been reported for at least window + for + a margin.
    const quietFor = WINDOW_SECONDS + FOR_SECONDS + 10;
    await eventually(
      `drift scores reported for ${quietFor}s`,
      async () => {
        const counts = await prometheus.query(`count_over_time(${METRIC_DATA_DRIFT_SCORE.prometheusName}{job="${JOBS.healthy}",feature="petal_length",method="psi"}[${quietFor}s])`);
        return Number(counts[0]?.value[1] ?? 0) >= quietFor - 2 ? true : undefined;
      },
      90_000,
    );
    const scores = await prometheus.query(`${METRIC_DATA_DRIFT_SCORE.prometheusName}{job="${JOBS.healthy}"}`);
    expect(scores).toHaveLength(4 * 3);
    // No model alert was ever pending or firing. An infrastructure alert may
    // have been pending: on a loaded machine one scrape can time out
    // (ModelServerDown pending for an evaluation), which says nothing of the
    // model; none may have fired.
    expect(await alertsSeen(JOBS.healthy, `${LABEL_CATEGORY}="${CATEGORY_MODEL}"`)).toEqual([]);
    // What the endpoint answered, why it refused, and how long collections
    // and renderings took, printed always (how close a loaded machine came
    // to the scrape's 0.5 s budget) and in the message when one fired.
    const answers = JSON.stringify(
      Object.fromEntries(
        await Promise.all(
          [
            ['answers by code and format', `sum by (code, format) (inferometer_scrape_requests_total{job="${JOBS.healthy}"})`],
            ['refusals by reason', `sum by (reason) (inferometer_scrape_refusals_total{job="${JOBS.healthy}"}) > 0`],
            ['collect seconds, mean', `sum(inferometer_scrape_collect_duration_seconds_sum{job="${JOBS.healthy}"}) / sum(inferometer_scrape_collect_duration_seconds_count{job="${JOBS.healthy}"})`],
            ['encode seconds, mean', `sum(inferometer_scrape_encode_duration_seconds_sum{job="${JOBS.healthy}"}) / sum(inferometer_scrape_encode_duration_seconds_count{job="${JOBS.healthy}"})`],
          ].map(async ([what, query]) => [what, (await prometheus.query(query!)).map((s) => [s.metric, s.value[1]])]),
        ),
      ),
    );
    console.log(`alerting e2e: the healthy demo's endpoint: ${answers}`);
    const firing = await alertsSeen(JOBS.healthy, 'alertstate="firing"');
    expect(firing, firing.length === 0 ? '' : `the healthy demo's endpoint: ${answers}`).toEqual([]);
    // Nothing without a job label fired either. (ModelTargetsMissing is
    // pending for the one evaluation Prometheus makes before its first
    // scrape; its `for` is there for exactly that.)
    expect(await prometheus.query('max_over_time(ALERTS{job="",alertstate="firing"}[10m])')).toEqual([]);
    // Nothing reached Alertmanager for the healthy job.
    const notified = [...receiver.received(MODEL_PATH), ...receiver.received(INFRASTRUCTURE_PATH)].flatMap((n) => n.alerts).filter((a) => a.labels.job === JOBS.healthy);
    expect(notified).toEqual([]);
    // The healthy demo did send invalid requests: counted as invalid_input, not as model failures.
    const invalid = await prometheus.query(`${RECORDED.errorRate}{job="${JOBS.healthy}",error_type="invalid_input"}`);
    expect(Number(invalid[0]!.value[1])).toBeGreaterThan(0);
    // ...and the model itself never failed: no other error_type exists.
    expect(await prometheus.query(`${METRIC_PREDICTION_ERRORS.prometheusName}{job="${JOBS.healthy}",error_type!="invalid_input"}`)).toEqual([]);
    const ratio = await prometheus.query(`${RECORDED.errorRatio}{job="${JOBS.healthy}"}`);
    expect(ratio.map((r) => r.value[1])).toEqual(['0']);
    console.log(`alerting e2e: healthy regime silent after ${Math.round((Date.now() - started) / 1000)} s`);
  }, 100_000);

  it('the machine: every node_* selector of the generated dashboard and rules returns data from the real node_exporter', async () => {
    const dashboard = cli('dashboard');
    // Metric selectors only (a name followed by its matchers), not the words of the descriptions.
    const used = new Set([...`${dashboard}\n${rules}`.matchAll(/\b(node_[a-zA-Z0-9_]+)\{/g)].map((m) => m[1]!));
    expect(used.size).toBeGreaterThanOrEqual(6);
    for (const metric of used) {
      const series = await eventually(`${metric} from node_exporter`, async () => {
        const found = await prometheus.query(`${metric}{job="${NODE_JOB}"}`);
        return found.length > 0 ? found : undefined;
      });
      expect(series.length, metric).toBeGreaterThan(0);
    }
    // And each panel's query as generated (default --node-job node) gives a number.
    for (const [name, expr] of Object.entries(DASHBOARD_NODE_QUERIES(NODE_JOB))) {
      expect(dashboard, name).toContain(JSON.stringify(expr).slice(1, -1));
      const values = await eventually(`${name} from node_exporter`, async () => {
        const found = await prometheus.query(expr);
        return found.length > 0 ? found : undefined;
      });
      for (const v of values) expect(Number.isFinite(Number(v.value[1])), `${name} ${JSON.stringify(v)}`).toBe(true);
    }
  }, 60_000);

  it('doctor --prometheus lists the alerts firing now', async () => {
    // What fires now moves: on a loaded machine a drift window can fall short
    // of its 300 rows, and its alert resolve for an evaluation or two.
    const { stdout } = await eventually('the fault and drift alerts firing at once', async () => {
      const report = doctor(demos.fault!.metricsUrl, '--prometheus', prometheus.url);
      return /- ModelErrorRatioHigh \{/.test(report.stdout) && /- ModelDataDriftHigh \{/.test(report.stdout) ? report : undefined;
    }, 60_000);
    expect(stdout).toMatch(/\[warn\] alerts +\d+ alerts firing/);
    expect(stdout).toMatch(/- ModelErrorRatioHigh \{.*job="iris-fault".*\} value /);
    expect(stdout).toMatch(/- ModelDataDriftHigh \{.*feature="petal_length".*\} value /);
  });

  it('routes the down alert to the platform on-call when the server stops, and inhibits its model alerts', async () => {
    const fault = demos.fault!;
    await fault.stop();
    const instance = `127.0.0.1:${fault.metricsPort}`;
    const notification = await receiver.waitFor(INFRASTRUCTURE_PATH, 'ModelServerDown firing', (n) => n.status === 'firing' && n.commonLabels.alertname === 'ModelServerDown', 40_000);
    expect(notification.receiver).toBe(RECEIVERS.infrastructure);
    expect(notification.groupLabels).toEqual({ alertname: 'ModelServerDown', job: JOBS.fault, instance });
    expect(notification.alerts[0]!.labels).toEqual({ alertname: 'ModelServerDown', severity: 'critical', [LABEL_CATEGORY]: CATEGORY_INFRASTRUCTURE, job: JOBS.fault, instance });

    // The error ratio is still computed from the last samples in its 5m
    // window, so Prometheus keeps it firing; Alertmanager holds it back.
    const inhibited = await eventually('ModelErrorRatioHigh to be inhibited', async () =>
      (await alertmanager.alerts()).find((a) => a.labels.alertname === 'ModelErrorRatioHigh' && a.status.state === 'suppressed'),
    );
    expect(inhibited.status.inhibitedBy).toHaveLength(1);
    const report = doctor(fault.metricsUrl, '--prometheus', prometheus.url, '--timeout-ms', '2000');
    expect(report.status).toBe(1);
    expect(report.stdout).toContain('[FAIL] endpoint   cannot fetch');
    expect(report.stdout).toContain('[FAIL] prometheus Prometheus reports the target DOWN (up == 0)');
    expect(report.stdout).toContain('verdict: NOT HEALTHY: 2 checks failed (endpoint, prometheus)');
    const modelNotificationsBefore = receiver.received(MODEL_PATH).filter((n) => n.groupLabels.job === JOBS.fault).length;
    // Two more group intervals: no new model notification for the stopped job while inhibited.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(receiver.received(MODEL_PATH).filter((n) => n.groupLabels.job === JOBS.fault)).toHaveLength(modelNotificationsBefore);
  }, 60_000);
});
