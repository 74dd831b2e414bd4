/**
 * Model-quality recording rules and alerts: realised accuracy, precision,
 * recall and F1 per class, calibration, regression error, the labelled
 * share, the confidence-based estimate (CBPE) and data quality, from the
 * metrics of `@inferometer/drift`'s outcome tracker and data-quality monitor.
 * Same naming (`level:metric:operations`) and window as recording.ts.
 */
import { ATTR_MODEL_NAME, ATTR_MODEL_VERSION } from '@inferometer/core/catalog';
import {
  ATTR_ACTUAL,
  ATTR_CONFIDENCE_BIN,
  ATTR_FEATURE,
  ATTR_ISSUE,
  ATTR_PREDICTED,
  ATTR_RESULT,
  METRIC_ABSOLUTE_ERROR,
  METRIC_CONFUSION,
  METRIC_DATA_QUALITY_ISSUES,
  METRIC_DATA_QUALITY_ROWS,
  METRIC_EXPECTED_CORRECT,
  METRIC_OUTCOME_CONFIDENCE,
  METRIC_OUTCOMES,
  METRIC_OUTCOMES_BY_CONFIDENCE,
  METRIC_PREDICTIONS_KEPT,
  METRIC_PREDICTIONS_SCORED,
  METRIC_SQUARED_ERROR,
} from '@inferometer/drift/catalog';
import type { AlertThresholds } from '../options.js';

/** The window of the quality rules: the same five minutes as every other recorded rate. */
const WINDOW = '5m';
const MODEL = ['job', ATTR_MODEL_NAME, ATTR_MODEL_VERSION] as const;
const by = (...labels: string[]): string => `sum by (${labels.join(', ')})`;
const rate = (series: string): string => `rate(${series}[${WINDOW}])`;
const CLASSIFIED = `${ATTR_RESULT}=~"correct|incorrect"`;

/** Recorded model-quality series. */
export const QUALITY_RECORDED = {
  /** Classification outcomes per second (correct and incorrect). */
  outcomeRate: `job_model:${METRIC_OUTCOMES.name}:rate5m`,
  /** Realised accuracy, 0 to 1: correct / classification outcomes. */
  accuracy: `job_model:ml_prediction_accuracy:ratio_rate5m`,
  /** Estimated accuracy (CBPE), 0 to 1: expected correct / scored predictions, labelled or not. */
  estimatedAccuracy: `job_model:ml_prediction_estimated_accuracy:ratio_rate5m`,
  /** Precision per predicted class, by `class`. */
  precision: `job_model_class:ml_prediction_precision:ratio_rate5m`,
  /** Recall per actual class, by `class`. */
  recall: `job_model_class:ml_prediction_recall:ratio_rate5m`,
  /** F1 per class, by `class`. */
  f1: `job_model_class:ml_prediction_f1:ratio_rate5m`,
  /** Expected calibration error over the confidence bins, 0 to 1. */
  calibrationError: `job_model:ml_prediction_calibration_error:ratio_rate5m`,
  /** Mean confidence minus accuracy over labelled predictions (positive: overconfident). */
  confidenceGap: `job_model:ml_prediction_confidence_gap:ratio_rate5m`,
  /** Reliability curve: accuracy per confidence bin, by `confidence_bin`. */
  reliability: `job_model_bin:ml_prediction_accuracy:ratio_rate5m`,
  /** Mean absolute error (regression). */
  mae: `job_model:ml_prediction_absolute_error:mean_rate5m`,
  /** Root mean squared error (regression). */
  rmse: `job_model:ml_prediction_squared_error:root_mean_rate5m`,
  /** Share of kept predictions that got an outcome in the window, 0 to 1 (approximate while labels lag). */
  labelledShare: `job_model:ml_prediction_outcomes_per_ml_predictions_kept:ratio_rate5m`,
  /** Data-quality issues per checked row, by `feature` and `issue`. */
  dataQualityRatio: `job_model:ml_data_quality_issues_per_row:ratio_rate5m`,
} as const;

/** The model-quality recording rules, after the core ones (they read only raw series and each other). */
export function qualityRecordingRules(): { record: string; expr: string }[] {
  const outcomes = `${by(...MODEL)} (${QUALITY_RECORDED.outcomeRate})`;
  const binCorrect = `${by(...MODEL, ATTR_CONFIDENCE_BIN)} (${rate(`${METRIC_OUTCOMES_BY_CONFIDENCE.prometheusName}{${ATTR_RESULT}="correct"}`)})`;
  const binAll = `${by(...MODEL, ATTR_CONFIDENCE_BIN)} (${rate(METRIC_OUTCOMES_BY_CONFIDENCE.prometheusName)})`;
  const binConfidence = `${by(...MODEL, ATTR_CONFIDENCE_BIN)} (${rate(METRIC_OUTCOME_CONFIDENCE.prometheusName)})`;
  const labelled = `${by(...MODEL)} (${rate(METRIC_OUTCOMES_BY_CONFIDENCE.prometheusName)})`;
  const confusion = (result: string | undefined, key: string) =>
    `label_replace(${by(...MODEL, key)} (${rate(`${METRIC_CONFUSION.prometheusName}${result === undefined ? '' : `{${ATTR_RESULT}="${result}"}`}`)}), "class", "$1", "${key}", "(.*)")`;
  const perClass = (key: string) => `${by(...MODEL, 'class')} (${confusion('correct', key)} or ${confusion(undefined, key)} * 0) / ${by(...MODEL, 'class')} (${confusion(undefined, key)})`;
  return [
    { record: QUALITY_RECORDED.outcomeRate, expr: `${by(...MODEL, ATTR_RESULT)} (${rate(METRIC_OUTCOMES.prometheusName)})` },
    {
      record: QUALITY_RECORDED.accuracy,
      // `or ... * 0`: 0 correct is an accuracy of 0, not no data.
      expr: `(${by(...MODEL)} (${QUALITY_RECORDED.outcomeRate}{${ATTR_RESULT}="correct"}) or ${by(...MODEL)} (${QUALITY_RECORDED.outcomeRate}{${CLASSIFIED}}) * 0) / ${by(...MODEL)} (${QUALITY_RECORDED.outcomeRate}{${CLASSIFIED}})`,
    },
    {
      record: QUALITY_RECORDED.estimatedAccuracy,
      // CBPE (NannyML): a calibrated classifier's prediction is right with the probability of its confidence.
      expr: `${by(...MODEL)} (${rate(METRIC_EXPECTED_CORRECT.prometheusName)}) / ${by(...MODEL)} (${rate(METRIC_PREDICTIONS_SCORED.prometheusName)})`,
    },
    // Precision of class k: the diagonal over its row (predicted = k);
    // recall: over its column (actual = k). The confusion counter carries
    // `result`, so the diagonal is `result="correct"` (PromQL cannot compare two labels).
    { record: QUALITY_RECORDED.precision, expr: perClass(ATTR_PREDICTED) },
    { record: QUALITY_RECORDED.recall, expr: perClass(ATTR_ACTUAL) },
    { record: QUALITY_RECORDED.f1, expr: `2 * ${QUALITY_RECORDED.precision} * ${QUALITY_RECORDED.recall} / (${QUALITY_RECORDED.precision} + ${QUALITY_RECORDED.recall})` },
    {
      record: QUALITY_RECORDED.calibrationError,
      // ECE = sum over bins of |correct_b - confidence_b| / outcomes (Guo et al. 2017, eq. 3, with n_b * |acc_b - conf_b| = |correct_b - confidence_b|).
      expr: `${by(...MODEL)} (abs((${binCorrect} or ${binAll} * 0) - ${binConfidence})) / ${labelled}`,
    },
    { record: QUALITY_RECORDED.confidenceGap, expr: `(${by(...MODEL)} (${binConfidence}) - (${by(...MODEL)} (${binCorrect}) or ${labelled} * 0)) / ${labelled}` },
    { record: QUALITY_RECORDED.reliability, expr: `(${binCorrect} or ${binAll} * 0) / ${binAll}` },
    { record: QUALITY_RECORDED.mae, expr: `${by(...MODEL)} (${rate(`${METRIC_ABSOLUTE_ERROR.prometheusName}_sum`)}) / ${by(...MODEL)} (${rate(`${METRIC_ABSOLUTE_ERROR.prometheusName}_count`)})` },
    { record: QUALITY_RECORDED.rmse, expr: `sqrt(${by(...MODEL)} (${rate(METRIC_SQUARED_ERROR.prometheusName)}) / ${by(...MODEL)} (${QUALITY_RECORDED.outcomeRate}{${ATTR_RESULT}="observed"}))` },
    { record: QUALITY_RECORDED.labelledShare, expr: `${outcomes} / ${by(...MODEL)} (${rate(METRIC_PREDICTIONS_KEPT.prometheusName)})` },
    {
      record: QUALITY_RECORDED.dataQualityRatio,
      expr: `${by(...MODEL, ATTR_FEATURE, ATTR_ISSUE)} (${rate(METRIC_DATA_QUALITY_ISSUES.prometheusName)}) / on (${MODEL.join(', ')}) group_left ${by(...MODEL)} (${rate(METRIC_DATA_QUALITY_ROWS.prometheusName)})`,
    },
  ];
}

/** The model-quality alerts. */
export const QUALITY_ALERT_NAMES = ['ModelAccuracyBelowReference', 'ModelEstimatedAccuracyLow', 'ModelCalibrationGap', 'ModelDataQualityIssues'] as const;

interface QualityDefinition {
  readonly severity: 'critical' | 'warning';
  readonly category: 'model';
  readonly expr: (o: { thresholds: AlertThresholds }) => string;
  readonly summary: string;
  readonly description: (o: { thresholds: AlertThresholds; forDuration: (alert: never) => string }) => string;
}

const MODEL_LABELS = `{{ $labels.${ATTR_MODEL_NAME} }} {{ $labels.${ATTR_MODEL_VERSION} }} (job {{ $labels.job }})`;
const pct = (ratio: number): string => String(Number((ratio * 100).toPrecision(6)));
/** Enough outcomes in the window for a ratio to mean something: the alert needs at least `minOutcomes`. */
const enoughOutcomes = (t: AlertThresholds): string => `${by(...MODEL)} (increase(${METRIC_OUTCOMES.prometheusName}{${CLASSIFIED}}[${WINDOW}])) >= ${t.minOutcomes}`;
const floor = (t: AlertThresholds): string => String(Number((t.accuracyReference - t.accuracyMargin).toPrecision(6)));

/** Definitions, keyed by alert, in the shape alerts.ts builds rules from. */
export const QUALITY_DEFINITIONS: Record<(typeof QUALITY_ALERT_NAMES)[number], QualityDefinition> = {
  ModelAccuracyBelowReference: {
    severity: 'critical',
    category: 'model',
    expr: (o) => `${QUALITY_RECORDED.accuracy} < ${floor(o.thresholds)} and on (${MODEL.join(', ')}) (${enoughOutcomes(o.thresholds)})`,
    summary: `realised accuracy of ${MODEL_LABELS} is {{ $value | humanizePercentage }}`,
    description: (o) =>
      `Over 5 minutes, with at least ${o.thresholds.minOutcomes} outcomes, the share of predictions whose reported outcome matched stayed below ${pct(o.thresholds.accuracyReference - o.thresholds.accuracyMargin)} % (the reference ${pct(o.thresholds.accuracyReference)} % minus ${pct(o.thresholds.accuracyMargin)} points) for ${o.forDuration('ModelAccuracyBelowReference' as never)}. If data drift is quiet, the world changed and the inputs did not (concept drift): look at ml_prediction_confusion_total for the classes that moved, and retrain on recent labels.`,
  },
  ModelEstimatedAccuracyLow: {
    severity: 'warning',
    category: 'model',
    expr: (o) => `${QUALITY_RECORDED.estimatedAccuracy} < ${floor(o.thresholds)}`,
    summary: `estimated accuracy (CBPE) of ${MODEL_LABELS} is {{ $value | humanizePercentage }}`,
    description: (o) =>
      `The accuracy expected from the model's own confidences (CBPE) over 5 minutes stayed below ${pct(o.thresholds.accuracyReference - o.thresholds.accuracyMargin)} % for ${o.forDuration('ModelEstimatedAccuracyLow' as never)}, before any label arrived: the model is unsure of the recent inputs. Check data drift and data quality for the features that moved.`,
  },
  ModelCalibrationGap: {
    severity: 'warning',
    category: 'model',
    expr: (o) => `abs(${QUALITY_RECORDED.confidenceGap}) > ${o.thresholds.calibrationGap} and on (${MODEL.join(', ')}) (${enoughOutcomes(o.thresholds)})`,
    summary: `confidence and realised accuracy of ${MODEL_LABELS} part by {{ $value | humanizePercentage }}`,
    description: (o) =>
      `Over labelled predictions the mean confidence and the realised accuracy differ by more than ${pct(o.thresholds.calibrationGap)} points for ${o.forDuration('ModelCalibrationGap' as never)}: the model's confidence (and the estimated accuracy built on it) can no longer be trusted. The reliability curve (accuracy per confidence bin) shows where.`,
  },
  ModelDataQualityIssues: {
    severity: 'warning',
    category: 'model',
    expr: (o) => `${QUALITY_RECORDED.dataQualityRatio} > ${o.thresholds.dataQualityRatio}`,
    summary: `{{ $value | humanizePercentage }} of rows of ${MODEL_LABELS} have {{ $labels.${ATTR_ISSUE} }} in {{ $labels.${ATTR_FEATURE} }}`,
    description: (o) =>
      `More than ${pct(o.thresholds.dataQualityRatio)} % of the rows checked over 5 minutes failed this data-quality check against the reference profile for ${o.forDuration('ModelDataQualityIssues' as never)}: an upstream change (a renamed field, a unit change, a broken join) is feeding the model values it never saw.`,
  },
};
