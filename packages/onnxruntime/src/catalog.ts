/**
 * The onnxruntime integration's metric names, units, descriptions and
 * attribute keys: the one module that owns them, as `@inferometer/core`'s
 * catalog owns the prediction metrics. Attribute keys every package shares
 * (`model_name`, `model_version`) stay in core. No runtime import beyond
 * core's constants, so `@inferometer/ops` can build these names into its own
 * bundle through the `@inferometer/onnxruntime/catalog` subpath without
 * installing onnxruntime-node.
 *
 * @packageDocumentation
 */
import { ATTR_MODEL_NAME, ATTR_MODEL_VERSION, type MetricDefinition } from '@inferometer/core/catalog';

/** Attribute key on the model load metric: the onnxruntime execution provider (`cpu`, `cuda`). */
export const ATTR_EXECUTION_PROVIDER = 'execution_provider' as const;

/** `ml_model_load_seconds{model_name, model_version, execution_provider}`: time to create an inference session. */
export const METRIC_MODEL_LOAD = {
  name: 'ml_model_load_seconds',
  prometheusName: 'ml_model_load_seconds',
  kind: 'histogram',
  unit: 's',
  description: 'Time to load a model and create its inference session.',
  attributes: [ATTR_MODEL_NAME, ATTR_MODEL_VERSION, ATTR_EXECUTION_PROVIDER],
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
} as const satisfies MetricDefinition;

/** The onnxruntime integration's metrics, in a stable order. */
export const ONNXRUNTIME_CATALOG = [METRIC_MODEL_LOAD] as const satisfies readonly MetricDefinition[];
