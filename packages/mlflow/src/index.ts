// The public API of @inferometer/mlflow, listed by hand; what this file does
// not name is internal.
export { bindMlflowModel, MlflowModel, mlflowModel, MAX_REPLACED_VERSIONS } from './binding/binding.js';
export type { MlflowResolveFailure } from './binding/binding.js';
export { MAX_BINDINGS } from './binding/registry.js';
export type { MlflowModelOptions } from './config/options.js';
export { MODEL_URI_FORMS } from './config/model-uri.js';
export { MlflowResolveError } from './errors.js';
export type { MlflowModelVersion } from './registry/model-version.js';
export { MAX_ALIASES, MAX_FIELD_LENGTH } from './registry/model-version.js';
export { MAX_RESPONSE_BYTES } from './registry/client.js';
export {
  ATTR_ALIASES,
  ATTR_RUN_ID,
  ATTR_SOURCE,
  ATTR_STAGE,
  METRIC_MLFLOW_RESOLVE_FAILURES,
  METRIC_MODEL_REGISTRY_INFO,
  MLFLOW_CATALOG,
  RESOLVE_FAILURE_REASONS,
} from './catalog.js';
export type { ResolveFailureReason } from './catalog.js';
