/**
 * When each catalog metric should be on a metrics endpoint. OpenTelemetry
 * exports an instrument only once it has recorded something, so absence
 * means different things: the core series appear with the first prediction
 * of any instrumented function; the others only when their feature is used.
 * A test checks that every catalog entry is classified here.
 */
import {
  METRIC_ACTIVE_MODEL_VERSION,
  METRIC_ATTRIBUTE_REJECTIONS,
  METRIC_DROPPED_OBSERVATIONS,
  METRIC_FINISH_REASONS,
  METRIC_MODEL_INFO,
  METRIC_PHASE_DURATION,
  METRIC_PREDICTION_BATCH_SIZE,
  METRIC_PREDICTION_CONFIDENCE,
  METRIC_PREDICTION_ERRORS,
  METRIC_PREDICTION_LATENCY,
  METRIC_PREDICTION_TOKENS,
  METRIC_PREDICTIONS,
  METRIC_PREDICTIONS_IN_FLIGHT,
  METRIC_SERIES,
  METRIC_STREAM_ITEMS,
  METRIC_TIME_PER_OUTPUT_TOKEN,
  METRIC_TIME_TO_FIRST_ITEM,
  type MetricDefinition,
} from '@inferometer/core/catalog';
import { METRIC_CLUSTER_COLLECT_MISSES, METRIC_CLUSTER_WORKERS, METRIC_DATA_DRIFT_SCORE, METRIC_DRIFT_DROPPED, METRIC_MLFLOW_RESOLVE_FAILURES, METRIC_MODEL_LOAD, METRIC_MODEL_REGISTRY_INFO, METRIC_PREDICTION_DRIFT_SCORE, METRIC_REMOTE_WRITE_DROPPED, METRIC_REMOTE_WRITE_PENDING, METRIC_REMOTE_WRITE_RETRIED, METRIC_REMOTE_WRITE_SENT, METRIC_SCRAPE_COLLECT_DURATION, METRIC_SCRAPE_DROPPED_FAMILIES, METRIC_SCRAPE_ENCODE_DURATION, METRIC_SCRAPE_ERRORS, METRIC_SCRAPE_REFUSALS, METRIC_SCRAPE_REQUESTS } from '../catalog.js';
import { RUNTIME_CATALOG } from '@inferometer/node/catalog';
import {
  METRIC_ABSOLUTE_ERROR,
  METRIC_DATA_QUALITY_ISSUES,
  METRIC_DATA_QUALITY_ROWS,
  METRIC_EMBEDDING_CENTROID_DISTANCE,
  METRIC_EMBEDDING_ROWS,
  METRIC_LABEL_DELAY,
  METRIC_OUTLIER_ROWS,
  QUALITY_CATALOG,
} from '@inferometer/drift/catalog';

/** A catalog metric and when it appears. */
export interface Presence {
  readonly metric: MetricDefinition;
  /** `true`: present once any prediction ran; `false`: only when `when` holds. */
  readonly required: boolean;
  readonly when: string;
}

const required = (metric: MetricDefinition): Presence => ({ metric, required: true, when: 'after the first prediction' });
const optional = (metric: MetricDefinition, when: string): Presence => ({ metric, required: false, when });

/** When each model-quality metric appears (the rest: with an outcome tracker, after the first kept prediction). */
const QUALITY_WHEN: Readonly<Record<string, string>> = {
  [METRIC_DATA_QUALITY_ISSUES.name]: 'with a data-quality monitor',
  [METRIC_DATA_QUALITY_ROWS.name]: 'with a data-quality monitor',
  [METRIC_EMBEDDING_CENTROID_DISTANCE.name]: 'with an embedding monitor',
  [METRIC_EMBEDDING_ROWS.name]: 'with an embedding monitor',
  [METRIC_OUTLIER_ROWS.name]: 'with an embedding monitor',
  [METRIC_ABSOLUTE_ERROR.name]: 'with a regression outcome tracker, after the first joined outcome',
  [METRIC_LABEL_DELAY.name]: 'with an outcome tracker, after the first joined outcome',
};

/** Every catalog metric, classified. */
export const PRESENCE: readonly Presence[] = [
  required(METRIC_PREDICTIONS),
  required(METRIC_PREDICTION_LATENCY),
  required(METRIC_PREDICTIONS_IN_FLIGHT),
  required(METRIC_MODEL_INFO),
  required(METRIC_ACTIVE_MODEL_VERSION),
  optional(METRIC_PREDICTION_ERRORS, 'after the first failed prediction'),
  optional(METRIC_PREDICTION_CONFIDENCE, 'with the `confidence` option'),
  optional(METRIC_PREDICTION_BATCH_SIZE, 'with the `batchSize` option'),
  optional(METRIC_TIME_TO_FIRST_ITEM, 'after the first streamed prediction'),
  optional(METRIC_STREAM_ITEMS, 'after the first streamed prediction'),
  optional(METRIC_PREDICTION_TOKENS, 'with the `llm` option, after the first call that reports usage'),
  optional(METRIC_TIME_PER_OUTPUT_TOKEN, 'with the `llm` option, after the first streamed call that succeeded'),
  optional(METRIC_FINISH_REASONS, 'with the `llm` option'),
  optional(METRIC_PHASE_DURATION, 'with the `phases` or `arrivedAt` option'),
  optional(METRIC_DROPPED_OBSERVATIONS, 'after the first dropped observation'),
  optional(METRIC_DATA_DRIFT_SCORE, 'with a drift monitor'),
  optional(METRIC_PREDICTION_DRIFT_SCORE, 'with a drift monitor'),
  optional(METRIC_DRIFT_DROPPED, 'after the drift monitor drops an input it cannot read'),
  optional(METRIC_MODEL_LOAD, 'with the onnxruntime integration'),
  optional(METRIC_ATTRIBUTE_REJECTIONS, 'after the cardinality guard refuses a value'),
  optional(METRIC_SERIES, 'with the cardinality guard'),
  optional(METRIC_REMOTE_WRITE_SENT, 'with the remote-write exporter'),
  optional(METRIC_REMOTE_WRITE_RETRIED, 'with the remote-write exporter'),
  optional(METRIC_REMOTE_WRITE_DROPPED, 'with the remote-write exporter'),
  optional(METRIC_REMOTE_WRITE_PENDING, 'with the remote-write exporter'),
  optional(METRIC_MODEL_REGISTRY_INFO, 'with an MLflow registry binding'),
  optional(METRIC_MLFLOW_RESOLVE_FAILURES, 'after an MLflow registry resolution fails'),
  optional(METRIC_CLUSTER_WORKERS, 'in a node:cluster primary or a main thread aggregating worker threads'),
  optional(METRIC_CLUSTER_COLLECT_MISSES, "after a cluster worker's points miss a collection"),
  // Counted once a scrape is answered: a scrape shows the earlier ones, so
  // these appear from the endpoint's second scrape; the refusal, error and
  // dropped-family counters start at 0 from the first.
  optional(METRIC_SCRAPE_REQUESTS, "on @inferometer/node's pull endpoint, from its second scrape"),
  optional(METRIC_SCRAPE_REFUSALS, "on @inferometer/node's pull endpoint"),
  optional(METRIC_SCRAPE_ERRORS, "on @inferometer/node's pull endpoint"),
  optional(METRIC_SCRAPE_DROPPED_FAMILIES, "on @inferometer/node's pull endpoint"),
  optional(METRIC_SCRAPE_COLLECT_DURATION, "on @inferometer/node's pull endpoint, from its second scrape"),
  optional(METRIC_SCRAPE_ENCODE_DURATION, "on @inferometer/node's pull endpoint, from its second scrape"),
  ...RUNTIME_CATALOG.map((metric) => optional(metric, 'with `start()` of @inferometer/node (runtime metrics on by default) or prom-client\'s collectDefaultMetrics()')),
  // Model quality (@inferometer/drift): every entry is optional.
  ...QUALITY_CATALOG.map((metric) => optional(metric, QUALITY_WHEN[metric.name] ?? 'with an outcome tracker')),
];
