/**
 * Every metric Inferometer writes, for the dashboard, rules, relabelling and
 * doctor: core's catalog plus the ones each satellite package owns. The
 * satellites' names (and @inferometer/node's) come from their `./catalog`
 * subpaths, which tsup builds into this package's bundle (they are
 * devDependencies here): depending on
 * `@inferometer/onnxruntime` at run time would make npm install its peer
 * onnxruntime-node, and remote-write's SDK peers, on every machine that only
 * renders rules.
 */
import { CATALOG, type MetricDefinition } from '@inferometer/core/catalog';
import { DRIFT_CATALOG, QUALITY_CATALOG } from '@inferometer/drift/catalog';
import { REMOTE_WRITE_CATALOG } from '@inferometer/exporter-remote-write/catalog';
import { MLFLOW_CATALOG } from '@inferometer/mlflow/catalog';
import { ONNXRUNTIME_CATALOG } from '@inferometer/onnxruntime/catalog';
import { NODE_CATALOG } from '@inferometer/node/catalog';

export {
  ATTR_FEATURE,
  ATTR_METHOD,
  ATTR_PREDICTION,
  DRIFT_CATALOG,
  METRIC_DATA_DRIFT_SCORE,
  METRIC_DRIFT_DROPPED,
  METRIC_PREDICTION_DRIFT_SCORE,
} from '@inferometer/drift/catalog';
export {
  ENDPOINT_CATALOG,
  METRIC_CLUSTER_COLLECT_MISSES,
  METRIC_CLUSTER_WORKERS,
  METRIC_SCRAPE_COLLECT_DURATION,
  METRIC_SCRAPE_DROPPED_FAMILIES,
  METRIC_SCRAPE_ENCODE_DURATION,
  METRIC_SCRAPE_ERRORS,
  METRIC_SCRAPE_REFUSALS,
  METRIC_SCRAPE_REQUESTS,
  NODE_CATALOG,
  RUNTIME_CPU,
  RUNTIME_EVENTLOOP_LAG_P99,
  RUNTIME_EVENTLOOP_UTILIZATION,
  RUNTIME_GC_DURATION,
  RUNTIME_HEAP_USED,
} from '@inferometer/node/catalog';
export { ATTR_EXECUTION_PROVIDER, METRIC_MODEL_LOAD, ONNXRUNTIME_CATALOG } from '@inferometer/onnxruntime/catalog';
export { METRIC_MLFLOW_RESOLVE_FAILURES, METRIC_MODEL_REGISTRY_INFO, MLFLOW_CATALOG } from '@inferometer/mlflow/catalog';
export {
  METRIC_REMOTE_WRITE_DROPPED,
  METRIC_REMOTE_WRITE_PENDING,
  METRIC_REMOTE_WRITE_RETRIED,
  METRIC_REMOTE_WRITE_SENT,
  REMOTE_WRITE_CATALOG,
} from '@inferometer/exporter-remote-write/catalog';

/**
 * Every Inferometer metric: core's catalog, then drift and model quality,
 * onnxruntime, remote write, the MLflow binding, and `@inferometer/node`'s
 * own (the cluster primary's and the pull endpoint's self-metrics, and the
 * process and Node.js runtime families).
 */
export const ALL_METRICS: readonly MetricDefinition[] = [
  ...CATALOG,
  ...DRIFT_CATALOG,
  ...QUALITY_CATALOG,
  ...ONNXRUNTIME_CATALOG,
  ...REMOTE_WRITE_CATALOG,
  ...MLFLOW_CATALOG,
  ...NODE_CATALOG,
];
