/**
 * Recording rules: the rates and quantiles the dashboard draws and the alerts
 * test, computed once per evaluation instead of on every dashboard refresh.
 *
 * Names follow the Prometheus convention `level:metric:operations`
 * (https://prometheus.io/docs/practices/rules/#naming). The level `job_model`
 * means the series keep `job`, `model_name` and `model_version` (replicas of
 * one job are summed); extra labels a rule keeps (`status`, `error_type`,
 * `le`, `quantile`) are listed with it. `job` is kept so that Alertmanager
 * can inhibit a job's model alerts while its server is down.
 */
import {
  ATTR_ATTRIBUTE,
  ATTR_ERROR_TYPE,
  ATTR_FINISH_REASON,
  ATTR_METRIC,
  ATTR_MODEL_NAME,
  ATTR_MODEL_VERSION,
  ATTR_PHASE,
  ATTR_REASON,
  ATTR_STATUS,
  ATTR_TOKEN_TYPE,
  METRIC_ATTRIBUTE_REJECTIONS,
  METRIC_DROPPED_OBSERVATIONS,
  METRIC_FINISH_REASONS,
  METRIC_PHASE_DURATION,
  METRIC_PREDICTION_BATCH_SIZE,
  METRIC_PREDICTION_CONFIDENCE,
  METRIC_PREDICTION_ERRORS,
  METRIC_PREDICTION_LATENCY,
  METRIC_PREDICTION_TOKENS,
  METRIC_PREDICTIONS,
  METRIC_TIME_PER_OUTPUT_TOKEN,
  METRIC_TIME_TO_FIRST_ITEM,
  STATUS_SUCCESS,
  type FinishReason,
} from '@inferometer/core/catalog';

import { quote } from '../promql/selectors.js';
import { QUALITY_RECORDED, qualityRecordingRules } from './quality.js';

/** One recording rule as it appears in a Prometheus rule file. */
export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** The window every recorded rate uses: long enough to smooth a 15 s to 1 m scrape interval (four samples or more). */
export const RATE_WINDOW = '5m';

const MODEL = ['job', ATTR_MODEL_NAME, ATTR_MODEL_VERSION] as const;
const by = (...labels: string[]): string => `sum by (${labels.join(', ')})`;

/** Recorded series names; the dashboard and the alerts import these, never the strings. */
export const RECORDED = {
  /** Predictions per second, by `job`, model, version and `status`. */
  predictionRate: `job_model:${METRIC_PREDICTIONS.name}:rate5m`,
  /** Failed predictions per second by `error_type`. */
  errorRate: `job_model:${METRIC_PREDICTION_ERRORS.name}:rate5m`,
  /**
   * Failed / attempted predictions, 0 to 1 (0 while there is traffic and no
   * error). Calls that failed with a client error type (invalid input) are
   * left out of both: the model never ran on them.
   */
  errorRatio: `job_model:${METRIC_PREDICTION_ERRORS.name}_per_${METRIC_PREDICTIONS.name}:ratio_rate5m`,
  /** Latency bucket rates, by `le`. */
  latencyBuckets: `job_model:${METRIC_PREDICTION_LATENCY.prometheusName}_bucket:rate5m`,
  /** Latency quantiles in seconds, by `quantile` (0.5, 0.95, 0.99). */
  latencyQuantiles: `job_model:${METRIC_PREDICTION_LATENCY.prometheusName}:histogram_quantile_rate5m`,
  /** Confidence bucket rates, by `le` (the heatmap). */
  confidenceBuckets: `job_model:${METRIC_PREDICTION_CONFIDENCE.prometheusName}_bucket:rate5m`,
  /** Median confidence, `quantile="0.5"`. */
  confidenceQuantiles: `job_model:${METRIC_PREDICTION_CONFIDENCE.prometheusName}:histogram_quantile_rate5m`,
  /** Batch-size bucket rates, by `le`. */
  batchSizeBuckets: `job_model:${METRIC_PREDICTION_BATCH_SIZE.prometheusName}_bucket:rate5m`,
  /** Batch-size quantiles, by `quantile` (0.5, 0.95). */
  batchSizeQuantiles: `job_model:${METRIC_PREDICTION_BATCH_SIZE.prometheusName}:histogram_quantile_rate5m`,
  /** Time-to-first-item bucket rates, by `le` (streams only). */
  timeToFirstItemBuckets: `job_model:${METRIC_TIME_TO_FIRST_ITEM.prometheusName}_bucket:rate5m`,
  /** Time to first item (first token) in seconds, `quantile="0.95"`. */
  timeToFirstItemQuantiles: `job_model:${METRIC_TIME_TO_FIRST_ITEM.prometheusName}:histogram_quantile_rate5m`,
  /** Time-per-output-token bucket rates, by `le`. */
  timePerOutputTokenBuckets: `job_model:${METRIC_TIME_PER_OUTPUT_TOKEN.prometheusName}_bucket:rate5m`,
  /** Time per output token in seconds, `quantile="0.95"`. */
  timePerOutputTokenQuantiles: `job_model:${METRIC_TIME_PER_OUTPUT_TOKEN.prometheusName}:histogram_quantile_rate5m`,
  /** Tokens per second, by `token_type` (the rate of the tokens histogram's `_sum`). */
  tokenRate: `job_model:${METRIC_PREDICTION_TOKENS.prometheusName}_sum:rate5m`,
  /** Generative calls per second, by `finish_reason`. */
  finishReasonRate: `job_model:${METRIC_FINISH_REASONS.name}:rate5m`,
  /**
   * Calls ended by `finish_reason` `length` or `content_filter` / calls that
   * finished (cancelled ones left out), 0 to 1; 0 while none was cut short.
   */
  cutShortRatio: `job_model:${METRIC_FINISH_REASONS.name}_cut_short:ratio_rate5m`,
  /** Phase-time bucket rates, by `phase` and `le`. */
  phaseBuckets: `job_model:${METRIC_PHASE_DURATION.prometheusName}_bucket:rate5m`,
  /** Phase time in seconds by `phase`, `quantile="0.95"`. */
  phaseQuantiles: `job_model:${METRIC_PHASE_DURATION.prometheusName}:histogram_quantile_rate5m`,
  /** Attribute values the cardinality guard refused per second, by `metric`, `attribute`, `reason`. */
  attributeRejectionRate: `job:${METRIC_ATTRIBUTE_REJECTIONS.name}:rate5m`,
  /** Observations the instrumentation dropped per second, by `model_name`, `reason`. */
  droppedObservationRate: `job_model:${METRIC_DROPPED_OBSERVATIONS.name}:rate5m`,
  /** Model quality (outcomes, CBPE, data quality): see rules/quality.ts. */
  ...QUALITY_RECORDED,
} as const;

/** Latency quantiles recorded (and drawn): the median, p95 and the p99 the alert watches. */
export const LATENCY_QUANTILES = ['0.5', '0.95', '0.99'] as const;
/** Quantile recorded for the generative series (time to first token, per output token, phases): p95, as vLLM's and TGI's dashboards draw. */
export const GENERATIVE_QUANTILES = ['0.95'] as const;
/** `finish_reason` values {@link RECORDED.cutShortRatio} counts: the answer did not end on its own. */
export const CUT_SHORT_FINISH_REASONS = ['length', 'content_filter'] as const satisfies readonly FinishReason[];
const FINISH_CANCELLED: FinishReason = 'cancelled';
/** Batch-size quantiles recorded. */
export const BATCH_SIZE_QUANTILES = ['0.5', '0.95'] as const;

/**
 * Quantile rules over classic buckets, `or` over the native histogram of the
 * same family (`histogram_quantile` on a native histogram's rate:
 * https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile),
 * so a model served with native histograms only (`histograms: 'exponential'`,
 * `INFEROMETER_PROMETHEUS_NATIVE_HISTOGRAMS`) gets the same recorded series;
 * where both exist the classic one is kept.
 */
function quantiles(record: string, buckets: string, levels: readonly string[], family: string, extra: readonly string[] = []): RecordingRule[] {
  return levels.map((quantile) => ({
    record,
    expr: `histogram_quantile(${quantile}, ${buckets}) or histogram_quantile(${quantile}, ${by(...MODEL, ...extra)} (rate(${family}[${RATE_WINDOW}])))`,
    labels: { quantile },
  }));
}

/** What the recording rules depend on. */
export interface RecordingOptions {
  /** `error_type` regex (RE2, anchored) of the callers' mistakes, left out of {@link RECORDED.errorRatio}. */
  readonly clientErrorTypes: string;
}

/** The recording rules, in evaluation order (later rules read earlier ones within one group). */
export function recordingRules(options: RecordingOptions): RecordingRule[] {
  const rate = (series: string): string => `rate(${series}[${RATE_WINDOW}])`;
  const totalByModel = `${by(...MODEL)} (${RECORDED.predictionRate})`;
  const finishedGenerations = `${by(...MODEL)} (${RECORDED.finishReasonRate}{${ATTR_FINISH_REASON}!="${FINISH_CANCELLED}"})`;
  // The model's own failures, read from the errors by error_type rather than
  // as failed predictions minus refused ones: the two recorded rates are
  // evaluated one after the other, and a scrape committed between the two
  // evaluations makes their difference a small nonzero ratio on a model that
  // never failed: the rules of a group do not share one view of the data
  // (prometheus/prometheus#12275). Every failed call is counted under its
  // error_type, so nothing is left out.
  const modelErrors = `(${by(...MODEL)} (${RECORDED.errorRate}{${ATTR_ERROR_TYPE}!~${quote(options.clientErrorTypes)}}) or ${totalByModel} * 0)`;
  // The calls the model answered or failed: its successes and its own
  // failures. A cancelled call (the caller dropped its result unfinished,
  // e.g. a client that disconnected from a stream) is neither, and a call
  // refused for its input is the caller's: both are in neither side. A sum
  // with no subtraction, so whichever scrape each recorded rate saw, the
  // ratio stays between 0 and 1.
  const successes = `(${by(...MODEL)} (${RECORDED.predictionRate}{${ATTR_STATUS}="${STATUS_SUCCESS}"}) or ${totalByModel} * 0)`;
  return [
    { record: RECORDED.predictionRate, expr: `${by(...MODEL, ATTR_STATUS)} (${rate(METRIC_PREDICTIONS.prometheusName)})` },
    { record: RECORDED.errorRate, expr: `${by(...MODEL, ATTR_ERROR_TYPE)} (${rate(METRIC_PREDICTION_ERRORS.prometheusName)})` },
    {
      record: RECORDED.errorRatio,
      // `or ... * 0` gives 0 instead of no data while there is traffic but no
      // error series yet (a counter series appears at its first increment), so
      // the panel shows 0 % and the alert is visibly not firing.
      // The denominator is 0 when every call was refused or cancelled:
      // 0 / 0 is NaN, which never crosses a threshold.
      expr: `${modelErrors} / (${successes} + ${modelErrors})`,
    },
    { record: RECORDED.latencyBuckets, expr: `${by(...MODEL, 'le')} (${rate(`${METRIC_PREDICTION_LATENCY.prometheusName}_bucket`)})` },
    ...quantiles(RECORDED.latencyQuantiles, RECORDED.latencyBuckets, LATENCY_QUANTILES, METRIC_PREDICTION_LATENCY.prometheusName),
    { record: RECORDED.confidenceBuckets, expr: `${by(...MODEL, 'le')} (${rate(`${METRIC_PREDICTION_CONFIDENCE.prometheusName}_bucket`)})` },
    ...quantiles(RECORDED.confidenceQuantiles, RECORDED.confidenceBuckets, ['0.5'], METRIC_PREDICTION_CONFIDENCE.prometheusName),
    { record: RECORDED.batchSizeBuckets, expr: `${by(...MODEL, 'le')} (${rate(`${METRIC_PREDICTION_BATCH_SIZE.prometheusName}_bucket`)})` },
    ...quantiles(RECORDED.batchSizeQuantiles, RECORDED.batchSizeBuckets, BATCH_SIZE_QUANTILES, METRIC_PREDICTION_BATCH_SIZE.prometheusName),
    { record: RECORDED.timeToFirstItemBuckets, expr: `${by(...MODEL, 'le')} (${rate(`${METRIC_TIME_TO_FIRST_ITEM.prometheusName}_bucket`)})` },
    ...quantiles(RECORDED.timeToFirstItemQuantiles, RECORDED.timeToFirstItemBuckets, GENERATIVE_QUANTILES, METRIC_TIME_TO_FIRST_ITEM.prometheusName),
    { record: RECORDED.timePerOutputTokenBuckets, expr: `${by(...MODEL, 'le')} (${rate(`${METRIC_TIME_PER_OUTPUT_TOKEN.prometheusName}_bucket`)})` },
    ...quantiles(RECORDED.timePerOutputTokenQuantiles, RECORDED.timePerOutputTokenBuckets, GENERATIVE_QUANTILES, METRIC_TIME_PER_OUTPUT_TOKEN.prometheusName),
    { record: RECORDED.tokenRate, expr: `${by(...MODEL, ATTR_TOKEN_TYPE)} (${rate(`${METRIC_PREDICTION_TOKENS.prometheusName}_sum`)})` },
    { record: RECORDED.finishReasonRate, expr: `${by(...MODEL, ATTR_FINISH_REASON)} (${rate(METRIC_FINISH_REASONS.prometheusName)})` },
    {
      record: RECORDED.cutShortRatio,
      // Only models that report finish reasons have the series at all; `or
      // ... * 0` gives 0 while none was cut short (as the error ratio does).
      // Finished calls only: a client that went away says nothing of the answer.
      expr: `(${by(...MODEL)} (${RECORDED.finishReasonRate}{${ATTR_FINISH_REASON}=~"${CUT_SHORT_FINISH_REASONS.join('|')}"}) or ${finishedGenerations} * 0) / ${finishedGenerations}`,
    },
    { record: RECORDED.phaseBuckets, expr: `${by(...MODEL, ATTR_PHASE, 'le')} (${rate(`${METRIC_PHASE_DURATION.prometheusName}_bucket`)})` },
    ...quantiles(RECORDED.phaseQuantiles, RECORDED.phaseBuckets, GENERATIVE_QUANTILES, METRIC_PHASE_DURATION.prometheusName, [ATTR_PHASE]),
    {
      record: RECORDED.attributeRejectionRate,
      expr: `${by('job', ATTR_METRIC, ATTR_ATTRIBUTE, ATTR_REASON)} (${rate(METRIC_ATTRIBUTE_REJECTIONS.prometheusName)})`,
    },
    {
      record: RECORDED.droppedObservationRate,
      expr: `${by('job', ATTR_MODEL_NAME, ATTR_REASON)} (${rate(METRIC_DROPPED_OBSERVATIONS.prometheusName)})`,
    },
    ...qualityRecordingRules(),
  ];
}
