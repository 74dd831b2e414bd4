import { ConfigurationError, readString, type Environment } from './env.js';

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * A `k=v,k2=v2` header list with URL-encoded values, as the specification
 * defines `OTEL_EXPORTER_OTLP_HEADERS` (protocol/exporter.md, "Specifying
 * headers via environment variables"); also used for
 * `INFEROMETER_REMOTE_WRITE_HEADERS`. A malformed entry fails at start,
 * naming the variable (the JS OTLP exporter itself skips it with a warning).
 */
export function readHeaderList(env: Environment, name: string): Record<string, string> | undefined {
  const raw = readString(env, name);
  if (raw === undefined) return undefined;
  const headers: Record<string, string> = {};
  for (const entry of raw.split(',')) {
    if (entry.trim() === '') continue;
    const at = entry.indexOf('=');
    const key = at < 0 ? '' : entry.slice(0, at).trim();
    if (at < 0 || !TOKEN.test(key)) {
      throw new ConfigurationError(`${name}: "${entry.trim()}" is not header=value; expected a comma list such as api-key=abc123,x-team=ml (values URL-encoded)`);
    }
    let value: string;
    try {
      value = decodeURIComponent(entry.slice(at + 1).trim());
    } catch {
      throw new ConfigurationError(`${name}: the value of "${key}" is not valid URL encoding`);
    }
    if (/[\r\n]/.test(value)) throw new ConfigurationError(`${name}: the value of "${key}" contains a line break`);
    headers[key] = value;
  }
  return headers;
}

/** Checks headers given in code the same way; `what` names the option. */
export function checkHeaders(what: string, headers: Readonly<Record<string, string>>): Record<string, string> {
  const checked: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (!TOKEN.test(key)) throw new ConfigurationError(`${what}: "${key}" is not a valid HTTP header name`);
    if (typeof value !== 'string' || /[\r\n]/.test(value)) throw new ConfigurationError(`${what}: the value of "${key}" must be a string without line breaks`);
    checked[key] = value;
  }
  return checked;
}
