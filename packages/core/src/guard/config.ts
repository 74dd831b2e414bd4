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
}

/** The limits in force. @internal */
export interface GuardConfig {
  readonly maxValuesPerAttribute: number;
  readonly maxValuesPerKey: Readonly<Record<string, number>>;
  readonly maxSeriesPerMetric: number;
  readonly maxValueLength: number;
  readonly unboundedKeyPatterns: readonly RegExp[];
}

/** Defaults of {@link GuardOptions}. */
export const GUARD_DEFAULTS: GuardConfig = {
  maxValuesPerAttribute: 100,
  maxValuesPerKey: {},
  maxSeriesPerMetric: 2000,
  maxValueLength: 64,
  unboundedKeyPatterns: DEFAULT_UNBOUNDED_KEY_PATTERNS,
};

let current: GuardConfig = GUARD_DEFAULTS;
const listeners = new Set<(config: GuardConfig) => void>();

/** The limits in force. @internal */
export function guardConfig(): GuardConfig {
  return current;
}

/** Runs `listener` whenever the limits change (start-time checks of keys declared earlier). @internal */
export function onGuardConfig(listener: (config: GuardConfig) => void): void {
  listeners.add(listener);
}

/**
 * Sets the cardinality guard's limits for the whole process. Call it before
 * instrumenting (or let `@inferometer/node`'s `start()` call it from the
 * environment). Throws a `TypeError` naming the option on a bad value; keys
 * already declared are checked again against added patterns, and a key the
 * new patterns refuse throws here.
 *
 * @example
 * ```ts
 * configureGuards({ maxSeriesPerMetric: 500, maxValuesPerKey: { region: 30 } });
 * ```
 */
export function configureGuards(options: GuardOptions, where = 'configureGuards(options)'): void {
  const next: GuardConfig = {
    maxValuesPerAttribute: positive(where, 'maxValuesPerAttribute', options.maxValuesPerAttribute, GUARD_DEFAULTS.maxValuesPerAttribute),
    maxValuesPerKey: perKey(where, options.maxValuesPerKey),
    maxSeriesPerMetric: positive(where, 'maxSeriesPerMetric', options.maxSeriesPerMetric, GUARD_DEFAULTS.maxSeriesPerMetric, 2),
    maxValueLength: positive(where, 'maxValueLength', options.maxValueLength, GUARD_DEFAULTS.maxValueLength),
    unboundedKeyPatterns: [...DEFAULT_UNBOUNDED_KEY_PATTERNS, ...patterns(where, options.unboundedKeyPatterns)],
  };
  const previous = current;
  current = next;
  try {
    for (const listener of listeners) listener(next);
  } catch (err) {
    current = previous;
    throw err;
  }
}

/** Back to the defaults (tests). @internal */
export function resetGuards(): void {
  current = GUARD_DEFAULTS;
}

function positive(where: string, name: string, value: number | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > 1_000_000) {
    throw new TypeError(`${where}: option "${name}" must be a whole number from ${min} to 1000000; got ${String(value)}`);
  }
  return value;
}

function perKey(where: string, value: Readonly<Record<string, number>> | undefined): Readonly<Record<string, number>> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object') {
    throw new TypeError(`${where}: option "maxValuesPerKey" must be an object of attribute names to whole numbers, e.g. { region: 30 }`);
  }
  const out: Record<string, number> = {};
  for (const [key, cap] of Object.entries(value)) out[key] = positive(where, `maxValuesPerKey.${key}`, cap, 0);
  return out;
}

function patterns(where: string, value: readonly RegExp[] | undefined): RegExp[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((p) => p instanceof RegExp)) {
    throw new TypeError(`${where}: option "unboundedKeyPatterns" must be an array of regular expressions, e.g. [/^order_number$/i]`);
  }
  return [...value];
}
