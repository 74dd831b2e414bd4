import { InferometerConfigError } from '@inferometer/core';

/** A `models:/` URI this package resolves: a registered model and an alias, or a pinned version. */
export type ModelUri =
  | { readonly uri: string; readonly name: string; readonly alias: string; readonly version?: undefined }
  | { readonly uri: string; readonly name: string; readonly version: string; readonly alias?: undefined };

/** The forms accepted, for error messages and `accepted`. */
export const MODEL_URI_FORMS = ['models:/<name>@<alias>', 'models:/<name>/<version>'] as const;

/** Longest URI taken (MLflow's backends keep names and aliases to a few hundred bytes). */
const MAX_URI_LENGTH = 1024;

/**
 * Parses a registry URI the way MLflow's own `_parse_model_uri` does
 * (mlflow/mlflow `mlflow/store/artifact/utils/models.py`): `models:/name/123`
 * is a version, `models:/name@alias` an alias (split at the last `@`). The
 * other forms MLflow takes are refused, naming the accepted ones:
 * `models:/name/Production` and `models:/name/latest` resolve through stages,
 * which MLflow deprecated in 2.9 in favour of aliases, and `models:/m-...` is
 * a logged model, not a registry version. Names are taken as written (MLflow
 * does not percent-decode them either).
 *
 * @internal
 */
export function parseModelUri(uri: unknown, option = 'uri'): ModelUri {
  const fail = (why: string): never => {
    throw new InferometerConfigError(option, `@inferometer/mlflow: ${option} ${describe(uri)} ${why}; accepted: ${MODEL_URI_FORMS.join(' or ')}, e.g. 'models:/fraud@champion' or 'models:/fraud/3'`, MODEL_URI_FORMS);
  };
  if (typeof uri !== 'string') return fail('is not a string');
  if (uri.length > MAX_URI_LENGTH) return fail(`is longer than ${MAX_URI_LENGTH} characters`);
  if (!uri.startsWith('models:/')) return fail("does not start with 'models:/'");
  if (uri.startsWith('models://')) return fail("names a Databricks profile or host ('models://'); set the tracking URI instead");
  // Spaces are kept: MLflow names may hold them.
  if (/[?#\u0000-\u001f\u007f]/.test(uri)) return fail('has a query, a fragment or a control character');
  const parts = uri.slice('models:/'.length).split('/');
  if (parts.length === 2) {
    const [name, suffix] = parts as [string, string];
    if (name.trim() === '') return fail('has no model name');
    // The label is the registry's answer (`model_version.version`), not this text.
    if (/^\d+$/.test(suffix)) return { uri, name, version: suffix };
    if (suffix.trim() === '') return fail('has no version after the model name');
    return fail(`resolves through a stage ('${suffix}'): stages are deprecated in MLflow (2.9) and not followed here; point an alias at the version instead`);
  }
  if (parts.length !== 1) return fail('has more than two path segments');
  const at = parts[0]!.lastIndexOf('@');
  if (at < 0) return fail('names a logged model, not a registered model version or alias');
  const name = parts[0]!.slice(0, at);
  const alias = parts[0]!.slice(at + 1);
  if (name.trim() === '') return fail('has no model name');
  if (alias.trim() === '') return fail("has no alias after '@'");
  return { uri, name, alias };
}

/** A short, safe rendering of a bad value for an error message. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);
  if (value === undefined || value === null) return String(value);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  return String(value);
}
