import { configureGuards, InferometerConfigError, type GuardOptions } from '@inferometer/core';
import { ConfigurationError, readInteger, readString, type Environment } from './env.js';

/** The cardinality guard's variables, with what they set. */
export const GUARD_VARIABLES = {
  INFEROMETER_MAX_ATTRIBUTE_VALUES: 'maxValuesPerAttribute',
  INFEROMETER_ATTRIBUTE_VALUE_CAPS: 'maxValuesPerKey',
  INFEROMETER_MAX_SERIES_PER_METRIC: 'maxSeriesPerMetric',
  INFEROMETER_MAX_ATTRIBUTE_LENGTH: 'maxValueLength',
  INFEROMETER_UNBOUNDED_KEY_PATTERNS: 'unboundedKeyPatterns',
} as const;

/**
 * Applies the cardinality guard's limits from `start({ guards })` and the
 * `INFEROMETER_*` variables (an option wins over its variable). Nothing
 * given: the limits stay as they are (defaults, or `configureGuards` in
 * code). Bad values fail at start naming the variable; a key declared
 * earlier that added patterns refuse fails here too.
 */
export function applyGuards(env: Environment, options: GuardOptions | undefined): void {
  const fromEnv: GuardOptions = {
    maxValuesPerAttribute: readInteger(env, 'INFEROMETER_MAX_ATTRIBUTE_VALUES', 1, 1_000_000),
    maxSeriesPerMetric: readInteger(env, 'INFEROMETER_MAX_SERIES_PER_METRIC', 2, 1_000_000),
    maxValueLength: readInteger(env, 'INFEROMETER_MAX_ATTRIBUTE_LENGTH', 1, 1_000_000),
    maxValuesPerKey: readCaps(env),
    unboundedKeyPatterns: readPatterns(env),
  };
  const merged: GuardOptions = { ...definedOnly(fromEnv), ...definedOnly(options ?? {}) };
  if (Object.keys(merged).length === 0) return;
  try {
    configureGuards(merged, 'start({ guards })');
  } catch (err) {
    const fromVariable = options?.unboundedKeyPatterns === undefined && fromEnv.unboundedKeyPatterns !== undefined;
    const message = err instanceof Error ? err.message : String(err);
    throw new ConfigurationError(fromVariable && err instanceof InferometerConfigError && err.option === 'unboundedKeyPatterns' ? `INFEROMETER_UNBOUNDED_KEY_PATTERNS: ${message}` : message);
  }
}

/** `region=30,tier=5`. */
function readCaps(env: Environment): Record<string, number> | undefined {
  const raw = readString(env, 'INFEROMETER_ATTRIBUTE_VALUE_CAPS');
  if (raw === undefined) return undefined;
  const caps: Record<string, number> = {};
  for (const pair of raw.split(',')) {
    const match = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*(\d+)\s*$/.exec(pair);
    if (match === null || Number(match[2]) < 1) {
      throw new ConfigurationError(`INFEROMETER_ATTRIBUTE_VALUE_CAPS="${raw}": "${pair}" is not key=count; expected a comma list such as region=30,tier=5`);
    }
    caps[match[1]!] = Number(match[2]);
  }
  return caps;
}

/** Comma-separated regular expressions over whole keys, case-insensitive: `order_number,.*_token`. */
function readPatterns(env: Environment): RegExp[] | undefined {
  const raw = readString(env, 'INFEROMETER_UNBOUNDED_KEY_PATTERNS');
  if (raw === undefined) return undefined;
  return raw
    .split(',')
    .map((source) => source.trim())
    .filter((source) => source !== '')
    .map((source) => {
      try {
        return new RegExp(`^(?:${source})$`, 'i');
      } catch (err) {
        throw new ConfigurationError(`INFEROMETER_UNBOUNDED_KEY_PATTERNS: "${source}" is not a regular expression (${err instanceof Error ? err.message : String(err)})`);
      }
    });
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
