/**
 * The PromQL of every dashboard panel, in one place so that the panels and
 * the tests read the same strings. Rates and quantiles come from the
 * recording rules (`inferometer rules`); gauges and scrape metadata are read
 * raw. `$job`, `$model` and `$version` are the dashboard's template variables.
 */
import {
  ATTR_MODEL_NAME,
  ATTR_MODEL_VERSION,
  ATTR_STATUS,
  METRIC_ACTIVE_MODEL_VERSION,
  METRIC_MODEL_INFO,
  METRIC_PREDICTIONS_IN_FLIGHT,
  METRIC_SERIES,
  ATTR_METRIC,
  ATTR_ATTRIBUTE,
  ATTR_REASON,
  ATTR_ERROR_TYPE,
  METRIC_PREDICTION_LATENCY,
} from '@inferometer/core/catalog';
import { jobMatcher } from '../promql/selectors.js';
import { RATE_WINDOW, RECORDED } from '../rules/recording.js';
import { ATTR_FEATURE, ATTR_METHOD, ATTR_PREDICTION, METRIC_DATA_DRIFT_SCORE, METRIC_PREDICTION_DRIFT_SCORE } from '../catalog.js';

/** Template variable names (`$job`, `$model`, `$version`, `${datasource}`). */
export const VARIABLES = { datasource: 'datasource', job: 'job', model: 'model', version: 'version' } as const;

const JOB = `job=~"$${VARIABLES.job}"`;
const MODEL = `${JOB}, ${ATTR_MODEL_NAME}=~"$${VARIABLES.model}"`;
const SERIES = `${MODEL}, ${ATTR_MODEL_VERSION}=~"$${VARIABLES.version}"`;
const PER_VERSION = `${ATTR_MODEL_NAME}, ${ATTR_MODEL_VERSION}`;

/** The quantile label values the latency panel draws, with their legends. */
export const LATENCY_PANEL_QUANTILES = [
  ['0.5', 'p50'],
  ['0.95', 'p95'],
  ['0.99', 'p99'],
] as const;

/** Panel and annotation queries. */
export const QUERIES = {
  targetsDown: `count(up{${JOB}} == 0) or vector(0)`,
  targetsUp: `count(up{${JOB}} == 1) or vector(0)`,
  requestRate: `sum(${RECORDED.predictionRate}{${SERIES}})`,
  worstErrorRatio: `max(${RECORDED.errorRatio}{${SERIES}})`,
  worstLatencyP99: `max(${RECORDED.latencyQuantiles}{${SERIES}, quantile="0.99"})`,
  requestRateByStatus: `sum by (${PER_VERSION}, ${ATTR_STATUS}) (${RECORDED.predictionRate}{${SERIES}})`,
  errorRatio: `max by (${PER_VERSION}) (${RECORDED.errorRatio}{${SERIES}})`,
  errorsByType: `sum by (${ATTR_MODEL_NAME}, ${ATTR_ERROR_TYPE}) (${RECORDED.errorRate}{${SERIES}})`,
  latencyQuantile: (quantile: string): string => `max by (${PER_VERSION}) (${RECORDED.latencyQuantiles}{${SERIES}, quantile="${quantile}"})`,
  /**
   * The same quantile as the recording rule computes it, over the raw bucket
   * series: exemplars are stored on the scraped `_bucket` series and a
   * recorded series has none, so the target that shows exemplars
   * (`exemplar: true`) reads the buckets themselves.
   */
  latencyQuantileFromBuckets: (quantile: string): string =>
    `max by (${PER_VERSION}) (histogram_quantile(${quantile}, sum by (job, ${PER_VERSION}, le) (rate(${METRIC_PREDICTION_LATENCY.prometheusName}_bucket{${SERIES}}[${RATE_WINDOW}]))))`,
  inFlight: `sum by (${PER_VERSION}) (${METRIC_PREDICTIONS_IN_FLIGHT.prometheusName}{${SERIES}})`,
  batchSizeQuantile: (quantile: string): string => `max by (${PER_VERSION}) (${RECORDED.batchSizeQuantiles}{${SERIES}, quantile="${quantile}"})`,
  confidenceHeatmap: `sum by (le) (${RECORDED.confidenceBuckets}{${SERIES}})`,
  medianConfidence: `min by (${PER_VERSION}) (${RECORDED.confidenceQuantiles}{${SERIES}, quantile="0.5"})`,
  dataDrift: (method: string): string => `max by (${PER_VERSION}, ${ATTR_FEATURE}) (${METRIC_DATA_DRIFT_SCORE.prometheusName}{${SERIES}, ${ATTR_METHOD}="${method}"})`,
  predictionDrift: (method: string): string => `max by (${PER_VERSION}, ${ATTR_PREDICTION}) (${METRIC_PREDICTION_DRIFT_SCORE.prometheusName}{${SERIES}, ${ATTR_METHOD}="${method}"})`,
  activeVersion: `max by (${ATTR_MODEL_NAME}) (${METRIC_ACTIVE_MODEL_VERSION.prometheusName}{${MODEL}})`,
  versionsServed: `max by (job, ${PER_VERSION}) (${METRIC_MODEL_INFO.prometheusName}{${SERIES}})`,
  up: `up{${JOB}}`,
  scrapeDuration: `scrape_duration_seconds{${JOB}}`,
  attributeRejections: `sum by (${ATTR_METRIC}, ${ATTR_ATTRIBUTE}, ${ATTR_REASON}) (${RECORDED.attributeRejectionRate}{${JOB}})`,
  guardedSeries: `max by (job, ${ATTR_METRIC}) (${METRIC_SERIES.prometheusName}{${JOB}})`,
  droppedObservations: `sum by (${ATTR_MODEL_NAME}, ${ATTR_REASON}) (${RECORDED.droppedObservationRate}{${MODEL}})`,
  /**
   * A version change: Grafana turns every returned point into an annotation,
   * so `> 0` keeps only the steps where the active version moved.
   */
  versionChanges: `changes(${METRIC_ACTIVE_MODEL_VERSION.prometheusName}{${MODEL}}[$__interval]) > 0`,
} as const;

/**
 * The Machine row: node_exporter's metrics (https://github.com/prometheus/node_exporter)
 * of the machines the model servers run on. Names are node_exporter's, not
 * the catalog's; the alerting e2e suite checks each selector against a real
 * node_exporter.
 */
export const NODE_QUERIES = (nodeJob: string) => {
  const job = jobMatcher(nodeJob);
  return {
    cpuBusy: `1 - avg by (instance) (rate(node_cpu_seconds_total{${job}, mode="idle"}[5m]))`,
    memoryAvailable: `node_memory_MemAvailable_bytes{${job}} / node_memory_MemTotal_bytes{${job}}`,
    filesystemAvailable: `node_filesystem_avail_bytes{${job}, fstype!~"tmpfs|overlay|squashfs|ramfs"} / node_filesystem_size_bytes{${job}, fstype!~"tmpfs|overlay|squashfs|ramfs"}`,
    loadPerCpu: `node_load1{${job}} / on (instance) count by (instance) (node_cpu_seconds_total{${job}, mode="idle"})`,
  } as const;
};

/** Template-variable queries (Grafana's `label_values(selector, label)`). */
export const VARIABLE_QUERIES = {
  job: (jobRegex: string): string => `label_values(up{job=~"${jobRegex.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"}, job)`,
  model: `label_values(${METRIC_MODEL_INFO.prometheusName}{${JOB}}, ${ATTR_MODEL_NAME})`,
  version: `label_values(${METRIC_MODEL_INFO.prometheusName}{${MODEL}}, ${ATTR_MODEL_VERSION})`,
} as const;
