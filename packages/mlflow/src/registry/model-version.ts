/**
 * One registry version, as a binding holds it: the fields of MLflow's
 * `ModelVersion` message (mlflow/mlflow `mlflow/protos/model_registry.proto`)
 * that identify what is served. MLflow's REST API writes the message as JSON
 * with the proto's snake_case field names (`run_id`, `current_stage`).
 */
export interface MlflowModelVersion {
  /** The registered model's name (`name`). */
  readonly name: string;
  /** The version number, as the registry writes it (`version`, e.g. `'3'`): the `model_version` label. */
  readonly version: string;
  /** The MLflow run that produced it (`run_id`); empty when it was registered from elsewhere. */
  readonly runId: string;
  /** Where its artifacts live (`source`, e.g. `models:/m-...` or `s3://bucket/path`); empty when unknown. */
  readonly source: string;
  /** The aliases that point at it (`aliases`), as the registry lists them. */
  readonly aliases: readonly string[];
  /** Its stage (`current_stage`: `None`, `Staging`, `Production`, `Archived`); stages are deprecated in MLflow. */
  readonly stage: string;
  /** Its registration status (`status`: `READY`, `PENDING_REGISTRATION`, `FAILED_REGISTRATION`); empty when absent. */
  readonly status: string;
}

/** Longest text kept from a field (a long `source` URI is cut, with `...`). */
export const MAX_FIELD_LENGTH = 256;
/** Most aliases kept from one version. */
export const MAX_ALIASES = 16;

/**
 * Reads `{ model_version: ModelVersion }` (the response of both
 * `GetModelVersion` and `GetModelVersionByAlias`) from a parsed body. The
 * body is untrusted: only `model_version.version` is required (a whole
 * number, as MLflow's registry numbers versions); the other fields default
 * to empty when missing or of the wrong type, and are cut to bounded sizes.
 * Returns undefined for a body without a usable version.
 *
 * @internal
 */
export function readModelVersion(body: unknown, requestedName: string): MlflowModelVersion | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const mv = (body as { model_version?: unknown }).model_version;
  if (mv === null || typeof mv !== 'object' || Array.isArray(mv)) return undefined;
  const fields = mv as Record<string, unknown>;
  let version = fields.version;
  // proto2 int-like fields may come as numbers from other implementations.
  if (typeof version === 'number' && Number.isSafeInteger(version) && version >= 0) version = String(version);
  if (typeof version !== 'string' || !/^\d{1,18}$/.test(version)) return undefined;
  const aliases = Array.isArray(fields.aliases)
    ? [...new Set(fields.aliases.filter((a): a is string => typeof a === 'string' && a.length > 0).map(cut))].slice(0, MAX_ALIASES)
    : [];
  return {
    name: text(fields.name) || cut(requestedName),
    version,
    runId: text(fields.run_id),
    source: text(fields.source),
    aliases,
    stage: text(fields.current_stage) || 'None',
    status: text(fields.status),
  };
}

function text(value: unknown): string {
  return typeof value === 'string' ? cut(value) : '';
}

function cut(value: string): string {
  return value.length > MAX_FIELD_LENGTH ? `${value.slice(0, MAX_FIELD_LENGTH - 3)}...` : value;
}

/** Whether two reads name the same version with the same details (a refresh that changed nothing). @internal */
export function sameVersion(a: MlflowModelVersion | undefined, b: MlflowModelVersion): boolean {
  return (
    a !== undefined &&
    a.version === b.version &&
    a.name === b.name &&
    a.runId === b.runId &&
    a.source === b.source &&
    a.stage === b.stage &&
    a.status === b.status &&
    a.aliases.length === b.aliases.length &&
    a.aliases.every((alias, i) => alias === b.aliases[i])
  );
}
