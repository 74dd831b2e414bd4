/**
 * The MLflow registry binding's metric names, units, descriptions and
 * attribute keys: the one module that owns them, as `@inferometer/core`'s
 * catalog owns the prediction metrics. Attribute keys every package shares
 * (`model_name`, `model_version`, `reason`) stay in core. No runtime import
 * beyond core's constants, so `@inferometer/ops` can build these names into
 * its own bundle through the `@inferometer/mlflow/catalog` subpath.
 *
 * @packageDocumentation
 */
import { ATTR_MODEL_NAME, ATTR_MODEL_VERSION, ATTR_REASON, type MetricDefinition } from '@inferometer/core/catalog';

/** Attribute key on {@link METRIC_MODEL_REGISTRY_INFO}: the MLflow run that produced the version (`run_id` of ModelVersion), empty when none. */
export const ATTR_RUN_ID = 'run_id' as const;
/** Attribute key on {@link METRIC_MODEL_REGISTRY_INFO}: the aliases that point at the version, sorted, comma-separated. */
export const ATTR_ALIASES = 'aliases' as const;
/** Attribute key on {@link METRIC_MODEL_REGISTRY_INFO}: the version's (deprecated) registry stage, `None` when unset. */
export const ATTR_STAGE = 'stage' as const;
/** Attribute key on {@link METRIC_MODEL_REGISTRY_INFO}: where the version's artifacts live (`source` of ModelVersion). */
export const ATTR_SOURCE = 'source' as const;

/**
 * `ml_model_registry_info{model_name, model_version, run_id, aliases, stage, source}`:
 * 1 for each registry version a binding of this process serves now, and for
 * versions it served until less than `versionIdleSeconds` ago (the time core
 * keeps their prediction series), so a PromQL join (`* on(model_name,
 * model_version) group_left(run_id) ml_model_registry_info`) finds the run
 * of every series still exported. 0 for versions replaced longer ago and
 * for closed bindings: OpenTelemetry JS keeps exporting an attribute set it
 * once saw, so a version is set to 0 rather than left out. Select the live
 * ones with `ml_model_registry_info == 1`.
 */
export const METRIC_MODEL_REGISTRY_INFO = {
  name: 'ml_model_registry_info',
  prometheusName: 'ml_model_registry_info',
  kind: 'gauge',
  unit: '',
  description: 'MLflow Model Registry version bound in this process (1), or bound before and since replaced (0), with its run id, aliases, stage and source.',
  attributes: [ATTR_MODEL_NAME, ATTR_MODEL_VERSION, ATTR_RUN_ID, ATTR_ALIASES, ATTR_STAGE, ATTR_SOURCE],
} as const satisfies MetricDefinition;

/**
 * Values of `reason` on {@link METRIC_MLFLOW_RESOLVE_FAILURES}: why one
 * resolution against the registry failed (after its retries). The binding
 * keeps the version it had.
 */
export const RESOLVE_FAILURE_REASONS = {
  /** No connection: refused, reset, DNS, TLS handshake. */
  unreachable: 'unreachable',
  /** No whole answer within `timeoutSeconds`. */
  timeout: 'timeout',
  /** HTTP 401 or 403: the token or the user name and password were refused. */
  unauthorized: 'unauthorized',
  /** HTTP 404 / `RESOURCE_DOES_NOT_EXIST`: no such model, version or alias (an alias deleted). */
  notFound: 'not_found',
  /** Any other non-200 answer (408, 429 and 5xx after their retries, redirects, other 4xx). */
  httpError: 'http_error',
  /** A body past the size cap. */
  tooLarge: 'too_large',
  /** A 200 whose body is not JSON, or has no usable `model_version.version`. */
  invalidResponse: 'invalid_response',
  /** The `onChange` hook threw or rejected: the binding stays on the version it had. */
  onChange: 'on_change_error',
} as const;

/** One of {@link RESOLVE_FAILURE_REASONS}. */
export type ResolveFailureReason = (typeof RESOLVE_FAILURE_REASONS)[keyof typeof RESOLVE_FAILURE_REASONS];

/**
 * `inferometer_mlflow_resolve_failures_total{model_name, reason}`: resolutions
 * against the MLflow registry that failed, by registered model and
 * {@link RESOLVE_FAILURE_REASONS reason}. A rising rate means the bound
 * version may be stale.
 */
export const METRIC_MLFLOW_RESOLVE_FAILURES = {
  name: 'inferometer_mlflow_resolve_failures',
  prometheusName: 'inferometer_mlflow_resolve_failures_total',
  kind: 'counter',
  unit: '{failure}',
  description: 'Resolutions of an MLflow models:/ URI against the registry that failed; the binding keeps its last version.',
  attributes: [ATTR_MODEL_NAME, ATTR_REASON],
} as const satisfies MetricDefinition;

/** The MLflow binding's metrics, in a stable order. */
export const MLFLOW_CATALOG = [METRIC_MODEL_REGISTRY_INFO, METRIC_MLFLOW_RESOLVE_FAILURES] as const satisfies readonly MetricDefinition[];
