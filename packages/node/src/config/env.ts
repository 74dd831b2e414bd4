/**
 * Reading `OTEL_*` environment variables: every bad value fails at start with
 * an error naming the variable and the accepted values (style: throw only for
 * explicit bad configuration, at construction).
 */

/** Thrown by `start()` for a configuration error; the message names the variable or option. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/** The process environment, or a stand-in given to `start({ env })`. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** A variable's trimmed value, or `undefined` when unset or blank (the spec treats empty as unset). */
export function readString(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** A comma-separated list of accepted words, lower-cased, without duplicates. */
export function readList<T extends string>(env: Environment, name: string, accepted: readonly T[]): T[] | undefined {
  const raw = readString(env, name);
  if (raw === undefined) return undefined;
  const items = raw.split(',').map((item) => item.trim().toLowerCase()).filter((item) => item !== '');
  for (const item of items) {
    if (!(accepted as readonly string[]).includes(item)) {
      throw new ConfigurationError(`${name}="${raw}": "${item}" is not supported; accepted values: ${accepted.join(', ')} (comma-separated)`);
    }
  }
  return [...new Set(items)] as T[];
}

/** A whole number within [min, max]. */
export function readInteger(env: Environment, name: string, min: number, max: number): number | undefined {
  const raw = readString(env, name);
  if (raw === undefined) return undefined;
  return checkInteger(name, raw, min, max);
}

/** Checks a whole number given as text or number; `what` names the variable or option. */
export function checkInteger(what: string, raw: string | number, min: number, max: number): number {
  const value = typeof raw === 'number' ? raw : /^-?\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigurationError(`${what}=${JSON.stringify(raw)}: expected a whole number from ${min} to ${max}`);
  }
  return value;
}
