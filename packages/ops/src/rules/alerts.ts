/**
 * Alerting rules: latency p99, error ratio, drift, time to first token and
 * generations cut short (generative models only), the model server
 * down, the model metrics absent, the cardinality guard refusing
 * attributes, the pull endpoint failing or refusing scrapes, and remote
 * write falling behind. Every alert carries a `severity` and a `category` label
 * (`model` or `infrastructure`, which the Alertmanager config routes on) and
 * `summary`, `description` and `runbook_url` annotations (`runbook`, a path
 * in the installed package, when no runbook URL is given).
 */
import { ATTR_ATTRIBUTE, ATTR_METRIC, ATTR_MODEL_NAME, ATTR_MODEL_VERSION, ATTR_REASON, METRIC_PREDICTIONS } from '@inferometer/core/catalog';
import { DRIFT_METHODS, type AlertThresholds } from '../options.js';
import { jobMatcher } from '../promql/selectors.js';
import { CUT_SHORT_FINISH_REASONS, RECORDED } from './recording.js';
import { ATTR_FEATURE, ATTR_METHOD, ATTR_PREDICTION, METRIC_DATA_DRIFT_SCORE, METRIC_PREDICTION_DRIFT_SCORE } from '../catalog.js';
import { QUALITY_ALERT_NAMES, QUALITY_DEFINITIONS } from './quality.js';
import { REMOTE_WRITE_DROP_REASONS } from '@inferometer/exporter-remote-write/catalog';
import { HEALTH_WINDOW, MIN_FAILED_SCRAPES, remoteWriteBehind, SCRAPE_FAILURE_RATIO, scrapesFailing } from './endpoint.js';
import { METRIC_REMOTE_WRITE_DROPPED, METRIC_REMOTE_WRITE_PENDING, METRIC_SCRAPE_ERRORS, METRIC_SCRAPE_REFUSALS, METRIC_SCRAPE_REQUESTS } from '../catalog.js';

/** The alerts this package generates. */
export const ALERT_NAMES = [
  'ModelLatencyP99High',
  'ModelErrorRatioHigh',
  'ModelDataDriftHigh',
  'ModelPredictionDriftHigh',
  'ModelTimeToFirstTokenHigh',
  'ModelGenerationsCutShort',
  'ModelAttributesRejected',
  'ModelServerDown',
  'ModelMetricsAbsent',
  'ModelTargetsMissing',
  'ModelScrapesFailing',
  'ModelRemoteWriteBehind',
  ...QUALITY_ALERT_NAMES,
] as const;
/** One of {@link ALERT_NAMES}. */
export type AlertName = (typeof ALERT_NAMES)[number];

/** Label value routing an alert to the team that owns the model. */
export const CATEGORY_MODEL = 'model';
/** Label value routing an alert to the team that runs the servers and Prometheus. */
export const CATEGORY_INFRASTRUCTURE = 'infrastructure';
/** Label key carrying {@link CATEGORY_MODEL} or {@link CATEGORY_INFRASTRUCTURE}. */
export const LABEL_CATEGORY = 'category';

/**
 * Where the runbooks are once the package is installed: RUNBOOK.md ships in
 * it, one heading per alert (the anchor is the alert name in lower case).
 * Without `runbookUrl` an alert's `runbook` annotation gives this path, not a
 * link that may not exist; publish the file and pass `runbookUrl` to get
 * `runbook_url` links.
 */
export const RUNBOOK_PATH = 'node_modules/@inferometer/ops/RUNBOOK.md';

/** The anchor of an alert's heading in RUNBOOK.md (GitHub's: the heading in lower case). */
export const runbookAnchor = (alert: AlertName): string => alert.toLowerCase();

/** One alerting rule as it appears in a Prometheus rule file. */
export interface AlertingRule {
  readonly alert: AlertName;
  readonly expr: string;
  readonly for: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** What the alert builders need, already validated. */
export interface ResolvedAlertOptions {
  readonly thresholds: AlertThresholds;
  readonly job: string;
  /** `error_type` regex of the callers' mistakes, left out of the error ratio (the recording rule does it; named in the description). */
  readonly clientErrorTypes: string;
  readonly forDuration: (alert: AlertName) => string;
  /** Base URL of the runbooks, or undefined: the annotation then names {@link RUNBOOK_PATH}. */
  readonly runbookUrl: string | undefined;
}

const MODEL_LABELS = `{{ $labels.${ATTR_MODEL_NAME} }} {{ $labels.${ATTR_MODEL_VERSION} }} (job {{ $labels.job }})`;

interface Definition {
  readonly severity: 'critical' | 'warning';
  readonly category: typeof CATEGORY_MODEL | typeof CATEGORY_INFRASTRUCTURE;
  readonly expr: (o: ResolvedAlertOptions) => string;
  readonly summary: string;
  readonly description: (o: ResolvedAlertOptions) => string;
}

/** 0.01 -> "1", without binary-fraction noise (0.07 * 100 is 7.000000000000001). */
const percent = (ratio: number): string => String(Number((ratio * 100).toPrecision(6)));

const driftBy = (labels: string[]): string => `max by (${['job', ATTR_MODEL_NAME, ATTR_MODEL_VERSION, ...labels].join(', ')})`;

/**
 * One comparison per method, joined by `or`: the methods live on different
 * scales, so each has its own threshold (the series of different methods
 * never match each other, so `or` keeps them all). The value stays the
 * score, for the summary.
 */
const driftExpr = (metric: string, labels: string[], o: ResolvedAlertOptions): string =>
  DRIFT_METHODS.map((m) => `${driftBy(labels)} (${metric}{${ATTR_METHOD}="${m}"}) > ${o.thresholds.drift[m]}`).join(' or ');

const driftThresholdText = (o: ResolvedAlertOptions): string => DRIFT_METHODS.map((m) => `${m} ${o.thresholds.drift[m]}`).join(', ');

const DEFINITIONS: Record<AlertName, Definition> = {
  ModelLatencyP99High: {
    severity: 'warning',
    category: CATEGORY_MODEL,
    expr: (o) => `${RECORDED.latencyQuantiles}{quantile="0.99"} > ${o.thresholds.latencyP99Seconds}`,
    summary: `p99 prediction latency of ${MODEL_LABELS} is {{ $value | humanizeDuration }}`,
    description: (o) =>
      `The 99th percentile of prediction latency over 5 minutes has stayed above ${o.thresholds.latencyP99Seconds} s for ${o.forDuration('ModelLatencyP99High')}. Look at batch sizes and in-flight predictions on the dashboard: queueing shows there first.`,
  },
  ModelErrorRatioHigh: {
    severity: 'critical',
    category: CATEGORY_MODEL,
    expr: (o) => `${RECORDED.errorRatio} > ${o.thresholds.errorRatio}`,
    summary: `{{ $value | humanizePercentage }} of predictions of ${MODEL_LABELS} fail`,
    description: (o) =>
      `More than ${percent(o.thresholds.errorRatio)} % of predictions failed over 5 minutes, for ${o.forDuration('ModelErrorRatioHigh')} (invalid input, error_type=~"${o.clientErrorTypes}", is the callers' and not counted). ml_prediction_errors_total by error_type says which exception.`,
  },
  ModelDataDriftHigh: {
    severity: 'warning',
    category: CATEGORY_MODEL,
    expr: (o) => driftExpr(METRIC_DATA_DRIFT_SCORE.prometheusName, [ATTR_FEATURE, ATTR_METHOD], o),
    summary: `input feature {{ $labels.${ATTR_FEATURE} }} of ${MODEL_LABELS} drifted ({{ $labels.${ATTR_METHOD} }} {{ $value | printf "%.3f" }})`,
    description: (o) =>
      `The {{ $labels.${ATTR_METHOD} }} score of this feature against the reference profile has stayed above its method's threshold (${driftThresholdText(o)}) for ${o.forDuration('ModelDataDriftHigh')}: the inputs no longer look like the training data.`,
  },
  ModelPredictionDriftHigh: {
    severity: 'warning',
    category: CATEGORY_MODEL,
    expr: (o) => driftExpr(METRIC_PREDICTION_DRIFT_SCORE.prometheusName, [ATTR_PREDICTION, ATTR_METHOD], o),
    summary: `predicted {{ $labels.${ATTR_PREDICTION} }} of ${MODEL_LABELS} drifted ({{ $labels.${ATTR_METHOD} }} {{ $value | printf "%.3f" }})`,
    description: (o) =>
      `The distribution of predicted classes or confidence has stayed above its method's drift threshold (${driftThresholdText(o)}) for ${o.forDuration('ModelPredictionDriftHigh')}.`,
  },
  ModelTimeToFirstTokenHigh: {
    severity: 'warning',
    category: CATEGORY_MODEL,
    // Only streamed calls record the histogram: a model that never streams
    // has no series and the alert cannot fire for it.
    expr: (o) => `${RECORDED.timeToFirstItemQuantiles}{quantile="0.95"} > ${o.thresholds.ttftP95Seconds}`,
    summary: `p95 time to first token of ${MODEL_LABELS} is {{ $value | humanizeDuration }}`,
    description: (o) =>
      `The 95th percentile of the time from call to the first streamed item (the first token) over 5 minutes has stayed above ${o.thresholds.ttftP95Seconds} s for ${o.forDuration('ModelTimeToFirstTokenHigh')}. Compare the queue phase (ml_prediction_phase_seconds{phase="queue"}) and the input tokens per second on the dashboard: a full batch or long prompts show there first.`,
  },
  ModelGenerationsCutShort: {
    severity: 'warning',
    category: CATEGORY_MODEL,
    expr: (o) => `${RECORDED.cutShortRatio} > ${o.thresholds.cutShortRatio}`,
    summary: `{{ $value | humanizePercentage }} of the answers of ${MODEL_LABELS} are cut short`,
    description: (o) =>
      `More than ${percent(o.thresholds.cutShortRatio)} % of finished generative calls ended with finish_reason ${CUT_SHORT_FINISH_REASONS.join(' or ')} over 5 minutes, for ${o.forDuration('ModelGenerationsCutShort')}: answers hit the token limit or a content filter. ml_prediction_finish_reasons_total by finish_reason says which.`,
  },
  ModelAttributesRejected: {
    severity: 'warning',
    category: CATEGORY_MODEL,
    expr: () => `${RECORDED.attributeRejectionRate} > 0`,
    summary: `the cardinality guard refuses {{ $labels.${ATTR_ATTRIBUTE} }} on {{ $labels.${ATTR_METRIC} }} ({{ $labels.${ATTR_REASON} }}, job {{ $labels.job }})`,
    description: (o) =>
      `Attribute values were refused or replaced for ${o.forDuration('ModelAttributesRejected')}: a declared attribute has more values than its cap, so those predictions are recorded without it. Bound the attribute's values or raise its cap.`,
  },
  ModelServerDown: {
    severity: 'critical',
    category: CATEGORY_INFRASTRUCTURE,
    expr: (o) => `up{${jobMatcher(o.job)}} == 0`,
    summary: `model server {{ $labels.instance }} (job {{ $labels.job }}) is down`,
    description: (o) =>
      `Prometheus has failed to scrape this target for ${o.forDuration('ModelServerDown')}. Its dashboards keep showing the last successful scrapes, so nothing else looks wrong: check the process and run \`inferometer doctor <metrics-url> --prometheus <prometheus-url>\`.`,
  },
  ModelMetricsAbsent: {
    severity: 'warning',
    category: CATEGORY_INFRASTRUCTURE,
    // Scraped fine, yet no prediction counter: the instrumentation is not
    // wired, the metrics are dropped by relabelling, or nothing was predicted.
    expr: (o) => `up{${jobMatcher(o.job)}} == 1 unless on (job, instance) group by (job, instance) (${METRIC_PREDICTIONS.prometheusName})`,
    summary: `model server {{ $labels.instance }} (job {{ $labels.job }}) exposes no ${METRIC_PREDICTIONS.prometheusName}`,
    description: (o) =>
      `The target has answered every scrape for ${o.forDuration('ModelMetricsAbsent')} but without Inferometer's prediction counter: no prediction ran, the instrumentation is not registered, or metric_relabel_configs drop it.`,
  },
  ModelTargetsMissing: {
    severity: 'critical',
    category: CATEGORY_INFRASTRUCTURE,
    expr: (o) => `absent(up{${jobMatcher(o.job)}})`,
    summary: 'Prometheus scrapes no model server',
    description: (o) =>
      `No scrape target matches job=~"${o.job}" for ${o.forDuration('ModelTargetsMissing')}: service discovery lost the model servers, or the job was renamed. Every model alert is silent meanwhile.`,
  },
  ModelScrapesFailing: {
    severity: 'warning',
    category: CATEGORY_INFRASTRUCTURE,
    expr: (o) => scrapesFailing(jobMatcher(o.job)),
    summary: '{{ $value | humanizePercentage }} of the scrapes of {{ $labels.instance }} (job {{ $labels.job }}) are not answered 200',
    description: (o) =>
      `More than ${percent(SCRAPE_FAILURE_RATIO)} % of the requests to the pull endpoint over ${HEALTH_WINDOW} (and at least ${MIN_FAILED_SCRAPES}) were refused, timed out or failed, for ${o.forDuration('ModelScrapesFailing')}; Prometheus keeps the last good values meanwhile. ${METRIC_SCRAPE_REQUESTS.prometheusName} by code, ${METRIC_SCRAPE_REFUSALS.prometheusName} by reason and ${METRIC_SCRAPE_ERRORS.prometheusName} by cause say which (a callback that throws, a collection that times out, the concurrency limit, wrong credentials).`,
  },
  ModelRemoteWriteBehind: {
    severity: 'warning',
    category: CATEGORY_INFRASTRUCTURE,
    // The remote-written series carry the job the exporter gives them, not the scrape job.
    expr: () => remoteWriteBehind(),
    summary: 'remote write of {{ $labels.instance }} (job {{ $labels.job }}) is falling behind',
    description: (o) =>
      `For ${o.forDuration('ModelRemoteWriteBehind')}, the remote-write exporter dropped samples for a full queue (${METRIC_REMOTE_WRITE_DROPPED.prometheusName}{${ATTR_REASON}="${REMOTE_WRITE_DROP_REASONS.queueFull}"}), or its queue (${METRIC_REMOTE_WRITE_PENDING.prometheusName}) did not empty over ${HEALTH_WINDOW} and still grows: the receiver is slower than the exporter, or unreachable. What is dropped is lost.`,
  },
  // Realised and estimated accuracy, calibration, data quality: rules/quality.ts.
  ...(QUALITY_DEFINITIONS as Record<(typeof QUALITY_ALERT_NAMES)[number], Definition>),
};

/** The alerting rules for the given options. */
export function alertingRules(options: ResolvedAlertOptions): AlertingRule[] {
  return ALERT_NAMES.map((alert) => {
    const definition = DEFINITIONS[alert];
    return {
      alert,
      expr: definition.expr(options),
      for: options.forDuration(alert),
      labels: { severity: definition.severity, [LABEL_CATEGORY]: definition.category },
      annotations: {
        summary: definition.summary,
        description: definition.description(options),
        ...(options.runbookUrl === undefined
          ? { runbook: `${RUNBOOK_PATH}#${runbookAnchor(alert)}` }
          : { runbook_url: `${options.runbookUrl}#${runbookAnchor(alert)}` }),
      },
    };
  });
}
