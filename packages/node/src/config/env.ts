/**
 * Reading `OTEL_*` and `INFEROMETER_*` environment variables: every bad value
 * fails at start with a {@link ConfigurationError} naming the variable (or
 * the `start()` option) and the accepted values.
 */
import { InferometerConfigError, type InferometerConfigErrorCode } from '@inferometer/core';
import { clip } from '@inferometer/exporter-remote-write/internal';

/** What a {@link ConfigurationError} blames: an environment variable or a `start()` option. */
export type ConfigurationSource = { readonly variable: string; readonly option?: undefined } | { readonly option: string; readonly variable?: undefined };

/** Details of a {@link ConfigurationError}. */
export interface ConfigurationErrorDetails {
  /** The environment variable blamed, e.g. `OTEL_RESOURCE_ATTRIBUTES`. */
  readonly variable?: string | undefined;
  /** The `start()` option blamed, as a path, e.g. `prometheus.port`. */
  readonly option?: string | undefined;
  /** What the variable or option accepts. */
  readonly accepted: string;
  /** Other variables or options involved (a pair that must be set together, a conflicting one). */
  readonly related?: readonly string[];
  /** For a key that is not an option: the accepted key it is closest to. */
  readonly hint?: string | undefined;
  readonly code?: InferometerConfigErrorCode | undefined;
  readonly cause?: unknown;
}

/**
 * Thrown (as a rejection of `start()`) for a configuration error. Code reads
 * `variable` or `option` and `accepted`, never the message. An
 * `InferometerConfigError` of @inferometer/core (the one family of
 * configuration errors of every Inferometer package), whose `accepted` is one
 * sentence here.
 *
 * @example
 * ```ts
 * import { ConfigurationError, start } from '@inferometer/node';
 *
 * try {
 *   await start();
 * } catch (err) {
 *   if (err instanceof ConfigurationError) {
 *     console.error(`fix ${err.variable ?? err.option}: accepted ${err.accepted}`);
 *     process.exit(78); // EX_CONFIG
 *   }
 *   throw err;
 * }
 * ```
 */
export class ConfigurationError extends InferometerConfigError<string> {
  override readonly name: string = 'ConfigurationError';

  constructor(message: string, details: ConfigurationErrorDetails) {
    super(details.option, message, details.accepted, details);
  }
}

/** The process environment, or a stand-in given to `start({ env })`. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** A variable as a source. */
export function variable(name: string): ConfigurationSource {
  return { variable: name };
}

/** A `start()` option (path such as `prometheus.port`) as a source. */
export function option(path: string): ConfigurationSource {
  return { option: path };
}

/** How a source reads in a message: the variable's name, or `start() option a.b`. */
export function describeSource(source: ConfigurationSource): string {
  return source.variable ?? `start() option ${source.option}`;
}

/**
 * The error for a bad value. `raw` is quoted (cut to a readable length)
 * unless `secret`: keys, tokens and passwords never reach a log.
 */
export function invalid(
  source: ConfigurationSource,
  raw: unknown,
  problem: string,
  accepted: string,
  extra: { readonly secret?: boolean; readonly related?: readonly string[]; readonly cause?: unknown } = {},
): ConfigurationError {
  const shown = extra.secret === true || raw === undefined ? '' : `=${clip(typeof raw === 'string' ? JSON.stringify(raw) : String(raw))}`;
  return new ConfigurationError(`${describeSource(source)}${shown}: ${problem}; accepted: ${accepted}`, {
    ...source,
    accepted,
    ...(extra.related === undefined ? {} : { related: extra.related }),
    cause: extra.cause,
  });
}

/**
 * A variable's trimmed value, or `undefined` when unset or blank: the
 * specification treats an empty value as unset
 * (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/#parsing-empty-value).
 */
export function readString(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** A comma-separated list of accepted words, lower-cased, without duplicates; a list of only commas is refused. */
export function readList<T extends string>(env: Environment, name: string, accepted: readonly T[]): T[] | undefined {
  const raw = readString(env, name);
  if (raw === undefined) return undefined;
  const items = raw.split(',').map((item) => item.trim().toLowerCase()).filter((item) => item !== '');
  const described = `${accepted.join(', ')} (comma-separated)`;
  if (items.length === 0) throw invalid(variable(name), raw, 'lists nothing', described);
  for (const item of items) {
    if (!(accepted as readonly string[]).includes(item)) throw invalid(variable(name), raw, `${JSON.stringify(clip(item))} is not supported`, described);
  }
  return [...new Set(items)] as T[];
}

/** One word of `accepted`, case-insensitive. */
export function readChoice<T extends string>(env: Environment, name: string, accepted: readonly T[]): T | undefined {
  const raw = readString(env, name);
  if (raw === undefined) return undefined;
  return checkChoice(variable(name), raw, accepted);
}

/** Checks a word given as text (variables: case-insensitive) or in code (exact). */
export function checkChoice<T extends string>(source: ConfigurationSource, raw: unknown, accepted: readonly T[]): T {
  const value = typeof raw === 'string' && source.variable !== undefined ? raw.toLowerCase() : raw;
  if (typeof value !== 'string' || !(accepted as readonly string[]).includes(value)) throw invalid(source, raw, 'is not supported', accepted.join(', '));
  return value as T;
}

/** A whole number within [min, max]. */
export function readInteger(env: Environment, name: string, min: number, max: number): number | undefined {
  const raw = readString(env, name);
  if (raw === undefined) return undefined;
  return checkInteger(variable(name), raw, min, max);
}

/** Checks a whole number given as text (decimal digits only) or as a number. */
export function checkInteger(source: ConfigurationSource, raw: unknown, min: number, max: number): number {
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d{1,20}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(value) || value < min || value > max) throw invalid(source, raw, 'is not a whole number in range', `a whole number from ${min} to ${max}`);
  return value;
}

/** Checks a boolean given in code. */
export function checkBoolean(source: ConfigurationSource, raw: unknown): boolean {
  if (typeof raw !== 'boolean') throw invalid(source, raw, 'is not a boolean', 'true or false');
  return raw;
}
