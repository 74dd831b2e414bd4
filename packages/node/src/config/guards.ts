import { configureGuards, type GuardOptions } from '@inferometer/core';
import { clip } from '@inferometer/exporter-remote-write/internal';
import { checkInteger, ConfigurationError, invalid, option, readInteger, readString, variable, type ConfigurationSource, type Environment } from './env.js';

/** The cardinality guard's variables, with what they set. */
export const GUARD_VARIABLES = {
  INFEROMETER_MAX_ATTRIBUTE_VALUES: 'maxValuesPerAttribute',
  INFEROMETER_ATTRIBUTE_VALUE_CAPS: 'maxValuesPerKey',
  INFEROMETER_MAX_SERIES_PER_METRIC: 'maxSeriesPerMetric',
  INFEROMETER_MAX_ATTRIBUTE_LENGTH: 'maxValueLength',
  INFEROMETER_UNBOUNDED_KEY_PATTERNS: 'unboundedKeyPatterns',
  INFEROMETER_MAX_MODELS: 'maxModels',
  INFEROMETER_VERSION_IDLE_SECONDS: 'versionIdleSeconds',
} as const;

/** Most patterns `INFEROMETER_UNBOUNDED_KEY_PATTERNS` (or `guards.unboundedKeyPatterns`) may add. */
export const MAX_UNBOUNDED_KEY_PATTERNS = 64;
/** Longest single pattern, in characters: key patterns are short; a longer one is a pasted mistake. */
export const MAX_UNBOUNDED_KEY_PATTERN_LENGTH = 256;
/** Longest `INFEROMETER_UNBOUNDED_KEY_PATTERNS` value, in characters. */
export const MAX_UNBOUNDED_KEY_PATTERNS_LENGTH = 4096;

/** The guard's numeric limits: option, variable, smallest accepted (largest is core's 1,000,000). */
const LIMITS = [
  ['maxValuesPerAttribute', 'INFEROMETER_MAX_ATTRIBUTE_VALUES', 1],
  ['maxSeriesPerMetric', 'INFEROMETER_MAX_SERIES_PER_METRIC', 2],
  ['maxValueLength', 'INFEROMETER_MAX_ATTRIBUTE_LENGTH', 1],
  ['maxModels', 'INFEROMETER_MAX_MODELS', 1],
  ['versionIdleSeconds', 'INFEROMETER_VERSION_IDLE_SECONDS', 1],
] as const;
const MAX_LIMIT = 1_000_000;

const CAPS_ACCEPTED = `a comma list of attribute=count with counts from 1 to ${MAX_LIMIT}, e.g. region=30,tier=5`;
const PATTERNS_ACCEPTED =
  `a comma list of at most ${MAX_UNBOUNDED_KEY_PATTERNS} regular expressions over whole keys (case-insensitive), each at most ` +
  `${MAX_UNBOUNDED_KEY_PATTERN_LENGTH} characters and ${MAX_UNBOUNDED_KEY_PATTERNS_LENGTH} in all, e.g. order_number,.*_token`;

/**
 * Applies the cardinality guard's limits from `start({ guards })` and the
 * `INFEROMETER_*` variables (an option wins over its variable). Nothing
 * given: the limits stay as they are (defaults, or `configureGuards` in
 * code). Every value is checked here, naming its variable or option; what
 * `configureGuards` can still refuse is a key declared earlier that the
 * added patterns call unbounded, blamed on where the patterns came from.
 */
export function applyGuards(env: Environment, options: GuardOptions | undefined): void {
  const merged: { -readonly [K in keyof GuardOptions]: GuardOptions[K] } = {};
  for (const [name, variableName, min] of LIMITS) {
    const value =
      options?.[name] !== undefined ? checkInteger(option(`guards.${name}`), options[name], min, MAX_LIMIT) : readInteger(env, variableName, min, MAX_LIMIT);
    if (value !== undefined) merged[name] = value;
  }
  const caps = options?.maxValuesPerKey !== undefined ? checkCaps(options.maxValuesPerKey) : readCaps(env);
  if (caps !== undefined) merged.maxValuesPerKey = caps;
  const patternSource: ConfigurationSource = options?.unboundedKeyPatterns !== undefined ? option('guards.unboundedKeyPatterns') : variable('INFEROMETER_UNBOUNDED_KEY_PATTERNS');
  const patterns = options?.unboundedKeyPatterns !== undefined ? checkPatterns(options.unboundedKeyPatterns) : readPatterns(env);
  if (patterns !== undefined) merged.unboundedKeyPatterns = patterns;
  if (Object.keys(merged).length === 0) return;
  try {
    configureGuards(merged, 'start({ guards })');
  } catch (err) {
    // Every value was checked above; what is left is the re-check of keys
    // declared before start() against the added patterns.
    if (patterns === undefined) throw err;
    throw new ConfigurationError(`${patternSource.variable ?? `start() option ${patternSource.option}`}: ${err instanceof Error ? err.message : String(err)}`, {
      ...patternSource,
      accepted: PATTERNS_ACCEPTED,
      cause: err,
    });
  }
}

/** `region=30,tier=5`. */
function readCaps(env: Environment): Record<string, number> | undefined {
  const name = 'INFEROMETER_ATTRIBUTE_VALUE_CAPS';
  const raw = readString(env, name);
  if (raw === undefined) return undefined;
  const caps: Record<string, number> = {};
  for (const pair of raw.split(',')) {
    if (pair.trim() === '') continue;
    const match = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*(\d{1,20})\s*$/.exec(pair);
    if (match === null) throw invalid(variable(name), raw, `${JSON.stringify(clip(pair.trim()))} is not attribute=count`, CAPS_ACCEPTED);
    caps[match[1]!] = checkInteger(variable(name), match[2]!, 1, MAX_LIMIT);
  }
  if (Object.keys(caps).length === 0) throw invalid(variable(name), raw, 'lists nothing', CAPS_ACCEPTED);
  return caps;
}

function checkCaps(given: unknown): Record<string, number> {
  if (given === null || typeof given !== 'object' || Array.isArray(given)) throw invalid(option('guards.maxValuesPerKey'), String(given), 'is not an object', 'an object of attribute names to counts, e.g. { region: 30 }');
  const caps: Record<string, number> = {};
  for (const [key, cap] of Object.entries(given)) caps[key] = checkInteger(option(`guards.maxValuesPerKey.${key}`), cap, 1, MAX_LIMIT);
  return caps;
}

/**
 * Comma-separated regular expressions over whole keys, case-insensitive:
 * `order_number,.*_token`. Each is compiled AND run once here: V8 checks a
 * pattern's syntax at `new RegExp` but reports "Regular expression too
 * large" only on first use, which would otherwise be the first
 * `instrument()` call.
 */
function readPatterns(env: Environment): RegExp[] | undefined {
  const name = 'INFEROMETER_UNBOUNDED_KEY_PATTERNS';
  const raw = readString(env, name);
  if (raw === undefined) return undefined;
  const source = variable(name);
  if (raw.length > MAX_UNBOUNDED_KEY_PATTERNS_LENGTH) throw invalid(source, raw, `is ${raw.length} characters long`, PATTERNS_ACCEPTED);
  const sources = raw
    .split(',')
    .map((pattern) => pattern.trim())
    .filter((pattern) => pattern !== '');
  if (sources.length === 0) throw invalid(source, raw, 'lists nothing', PATTERNS_ACCEPTED);
  if (sources.length > MAX_UNBOUNDED_KEY_PATTERNS) throw invalid(source, raw, `lists ${sources.length} patterns`, PATTERNS_ACCEPTED);
  return sources.map((pattern) => {
    if (pattern.length > MAX_UNBOUNDED_KEY_PATTERN_LENGTH) throw invalid(source, raw, `the pattern ${JSON.stringify(clip(pattern))} is ${pattern.length} characters long`, PATTERNS_ACCEPTED);
    if (/[\x00-\x1f\x7f]/.test(pattern)) throw invalid(source, raw, `the pattern ${JSON.stringify(clip(pattern))} contains a control character`, PATTERNS_ACCEPTED);
    try {
      return compiled(new RegExp(`^(?:${pattern})$`, 'i'));
    } catch (err) {
      throw invalid(source, raw, `${JSON.stringify(clip(pattern))} is not a regular expression (${err instanceof Error ? clip(err.message, 160) : String(err)})`, PATTERNS_ACCEPTED, { cause: err });
    }
  });
}

function checkPatterns(given: unknown): RegExp[] {
  const path = 'guards.unboundedKeyPatterns';
  if (!Array.isArray(given)) throw invalid(option(path), String(given), 'is not an array', 'an array of RegExp, e.g. [/^order_number$/i]');
  if (given.length > MAX_UNBOUNDED_KEY_PATTERNS) throw invalid(option(path), undefined, `has ${given.length} patterns`, `at most ${MAX_UNBOUNDED_KEY_PATTERNS} RegExp`);
  return given.map((pattern: unknown, index) => {
    const where = option(`${path}[${index}]`);
    if (!(pattern instanceof RegExp)) throw invalid(where, String(pattern), 'is not a RegExp', 'a RegExp, e.g. /^order_number$/i');
    if (pattern.source.length > MAX_UNBOUNDED_KEY_PATTERN_LENGTH) throw invalid(where, undefined, `is ${pattern.source.length} characters long`, `a RegExp of at most ${MAX_UNBOUNDED_KEY_PATTERN_LENGTH} characters`);
    try {
      return compiled(pattern);
    } catch (err) {
      throw invalid(where, undefined, `cannot be compiled (${err instanceof Error ? clip(err.message, 160) : String(err)})`, 'a RegExp V8 can compile', { cause: err });
    }
  });
}

/** Runs the pattern once, so that V8 compiles it now (and throws now if it cannot). */
function compiled(pattern: RegExp): RegExp {
  pattern.lastIndex = 0;
  pattern.test('');
  pattern.lastIndex = 0;
  return pattern;
}
