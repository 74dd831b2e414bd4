import { InferometerConfigError } from '../errors.js';
import { runtime } from '../runtime.js';
import { GUARD_DEFAULTS, type GuardConfig } from './defaults.js';
import { DEFAULT_UNBOUNDED_KEY_PATTERNS } from './patterns.js';

/**
 * Limits of the cardinality guard. Every value has a default; set them in
 * code with {@link configureGuards} or, through `@inferometer/node`'s
 * `start()`, with the `INFEROMETER_*` variables in the README.
 */
export interface GuardOptions {
  /**
   * Distinct values one attribute may take (per model, or per metric for
   * {@link createAttributeGuard}) before new values collapse into `_OTHER`.
   * Default 100.
   *
   * @example
   * ```ts
   * maxValuesPerAttribute: 50
   * ```
   */
  maxValuesPerAttribute?: number;
  /**
   * Per-key overrides of {@link GuardOptions.maxValuesPerAttribute}.
   *
   * @example
   * ```ts
   * maxValuesPerKey: { region: 30, model_version: 20 }
   * ```
   */
  maxValuesPerKey?: Readonly<Record<string, number>>;
  /**
   * Series (label sets) one metric may hold, the overflow series included;
   * new label sets past it are recorded in the overflow series (every user
   * attribute `_OTHER`). Default 2000, the OpenTelemetry SDK's own limit, so
   * ours is reached first and is counted.
   *
   * @example
   * ```ts
   * maxSeriesPerMetric: 500
   * ```
   */
  maxSeriesPerMetric?: number;
  /**
   * Longest attribute value kept, in characters; longer values become
   * `_TOO_LONG_`. Default 64.
   *
   * @example
   * ```ts
   * maxValueLength: 40
   * ```
   */
  maxValueLength?: number;
  /**
   * More key patterns to refuse at configuration, on top of the built-in
   * list (user/customer/account/session/request/trace/span ids, email, ip,
   * url, uuid, timestamps, free text).
   *
   * @example
   * ```ts
   * unboundedKeyPatterns: [/^order_number$/i]
   * ```
   */
  unboundedKeyPatterns?: readonly RegExp[];
  /**
   * Distinct model names the process records as themselves. Past it, a new
   * model's calls are recorded under model `_OTHER` and counted in
   * `inferometer_attribute_rejections_total{attribute="model_name",
   * reason="series_overflow"}`, so per-model state stays bounded however
   * many models are created. Default 1000.
   *
   * @example
   * ```ts
   * maxModels: 200
   * ```
   */
  maxModels?: number;
  /**
   * Seconds a model version must go unused, after another version of the
   * model took over as the active one, before it is released: exported one
   * last time, then its series, its `ml_model_info` point and its place
   * under the model's cap on distinct versions are given back. So a model
   * hot-swapped through more versions than the cap over the process's life
   * keeps its serving version labelled as itself. Default 900 (15 minutes);
   * `retireModelVersion()` releases a version at once.
   *
   * @example
   * ```ts
   * versionIdleSeconds: 3600
   * ```
   */
  versionIdleSeconds?: number;
}

export { GUARD_DEFAULTS } from './defaults.js';
export type { GuardConfig } from './defaults.js';

/**
 * Sets the cardinality guard's limits for the whole process. Call it before
 * instrumenting (or let `@inferometer/node`'s `start()` call it from the
 * environment). Throws an {@link InferometerConfigError} naming the option on
 * a bad value; keys already declared are checked again against added
 * patterns, and a key the new patterns refuse throws here (its `option` is
 * `unboundedKeyPatterns`).
 *
 * @example
 * ```ts
 * configureGuards({ maxSeriesPerMetric: 500, maxValuesPerKey: { region: 30 } });
 * ```
 */
export function configureGuards(options: GuardOptions, where = 'configureGuards(options)'): void {
  runtime().guard.configure(resolveGuardOptions(options, where));
}

/** The limits in force in the process's runtime. @internal */
export function guardConfig(): GuardConfig {
  return runtime().guard.config;
}

/** Validates `options` into limits, throwing an {@link InferometerConfigError} naming a bad option. @internal */
export function resolveGuardOptions(options: GuardOptions, where = 'configureGuards(options)'): GuardConfig {
  if (options === null || typeof options !== 'object') {
    throw new InferometerConfigError('options', `${where}: options must be an object such as { maxSeriesPerMetric: 500 }`, ['an object']);
  }
  return {
    maxValuesPerAttribute: positive(where, 'maxValuesPerAttribute', options.maxValuesPerAttribute, GUARD_DEFAULTS.maxValuesPerAttribute),
    maxValuesPerKey: perKey(where, options.maxValuesPerKey),
    maxSeriesPerMetric: positive(where, 'maxSeriesPerMetric', options.maxSeriesPerMetric, GUARD_DEFAULTS.maxSeriesPerMetric, 2),
    maxValueLength: positive(where, 'maxValueLength', options.maxValueLength, GUARD_DEFAULTS.maxValueLength),
    maxModels: positive(where, 'maxModels', options.maxModels, GUARD_DEFAULTS.maxModels),
    versionIdleSeconds: positive(where, 'versionIdleSeconds', options.versionIdleSeconds, GUARD_DEFAULTS.versionIdleSeconds),
    unboundedKeyPatterns: [...DEFAULT_UNBOUNDED_KEY_PATTERNS, ...patterns(where, options.unboundedKeyPatterns)],
  };
}

function positive(where: string, name: string, value: number | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > 1_000_000) {
    throw new InferometerConfigError(name, `${where}: option "${name}" must be a whole number from ${min} to 1000000; got ${String(value)}`, [`a whole number from ${min} to 1000000`]);
  }
  return value;
}

function perKey(where: string, value: Readonly<Record<string, number>> | undefined): Readonly<Record<string, number>> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object') {
    throw new InferometerConfigError('maxValuesPerKey', `${where}: option "maxValuesPerKey" must be an object of attribute names to whole numbers, e.g. { region: 30 }`, ['an object of attribute names to whole numbers']);
  }
  const out: Record<string, number> = {};
  for (const [key, cap] of Object.entries(value)) out[key] = positive(where, `maxValuesPerKey.${key}`, cap, 0);
  return out;
}

function patterns(where: string, value: readonly RegExp[] | undefined): RegExp[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((p) => p instanceof RegExp)) {
    throw new InferometerConfigError('unboundedKeyPatterns', `${where}: option "unboundedKeyPatterns" must be an array of regular expressions, e.g. [/^order_number$/i]`, ['an array of regular expressions']);
  }
  return [...value];
}
