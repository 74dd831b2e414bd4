/**
 * Remote write configuration from `start({ remoteWrite })` and the
 * `INFEROMETER_REMOTE_WRITE_*` variables (an option wins over its variable).
 * Checked here so that a bad value fails at start naming the variable.
 */
import type { RemoteWriteExporterOptions } from '@inferometer/exporter-remote-write';
import { checkInteger, ConfigurationError, readInteger, readString, type Environment } from './env.js';
import { checkHeaders, readHeaderList } from './otlp-headers.js';

/** The `remoteWrite` option of `start()`: the exporter's options, `url` optional (it may come from the environment). */
export type RemoteWriteStartOptions = Partial<Omit<RemoteWriteExporterOptions, 'meterProvider'>>;

/** Variable names, in one place for messages and docs. */
export const REMOTE_WRITE_VARIABLES = {
  url: 'INFEROMETER_REMOTE_WRITE_URL',
  username: 'INFEROMETER_REMOTE_WRITE_USERNAME',
  password: 'INFEROMETER_REMOTE_WRITE_PASSWORD',
  bearerToken: 'INFEROMETER_REMOTE_WRITE_BEARER_TOKEN',
  headers: 'INFEROMETER_REMOTE_WRITE_HEADERS',
  maxQueueSamples: 'INFEROMETER_REMOTE_WRITE_MAX_QUEUE_SAMPLES',
  maxQueueBytes: 'INFEROMETER_REMOTE_WRITE_MAX_QUEUE_BYTES',
  maxSamplesPerRequest: 'INFEROMETER_REMOTE_WRITE_MAX_SAMPLES_PER_REQUEST',
  requestTimeoutMillis: 'INFEROMETER_REMOTE_WRITE_TIMEOUT',
  minBackoffMillis: 'INFEROMETER_REMOTE_WRITE_MIN_BACKOFF',
  maxBackoffMillis: 'INFEROMETER_REMOTE_WRITE_MAX_BACKOFF',
  flushTimeoutMillis: 'INFEROMETER_REMOTE_WRITE_FLUSH_TIMEOUT',
} as const;

const MAX_MILLIS = 2 ** 31 - 1;
const NUMBERS = [
  ['maxQueueSamples', 1, Number.MAX_SAFE_INTEGER],
  ['maxQueueBytes', 1024, Number.MAX_SAFE_INTEGER],
  ['maxSamplesPerRequest', 1, 1_000_000],
  ['requestTimeoutMillis', 1, MAX_MILLIS],
  ['minBackoffMillis', 1, MAX_MILLIS],
  ['maxBackoffMillis', 1, MAX_MILLIS],
  ['flushTimeoutMillis', 0, MAX_MILLIS],
] as const;

export function resolveRemoteWriteOptions(env: Environment, options: RemoteWriteStartOptions = {}): RemoteWriteExporterOptions {
  const V = REMOTE_WRITE_VARIABLES;
  const rawUrl = options.url ?? readString(env, V.url);
  const urlSource = options.url !== undefined ? 'start({ remoteWrite: { url } })' : V.url;
  if (rawUrl === undefined) {
    throw new ConfigurationError(
      `OTEL_METRICS_EXPORTER=prometheusremotewrite needs ${V.url} (the receiver's remote write endpoint, e.g. http://prometheus:9090/api/v1/write or http://victoria-metrics:8428/api/v1/write)`,
    );
  }
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new ConfigurationError(`${urlSource}="${rawUrl}" is not a URL; expected e.g. http://localhost:9090/api/v1/write`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigurationError(`${urlSource}="${rawUrl}" must be an http:// or https:// URL`);
  if (url.username !== '' || url.password !== '') {
    throw new ConfigurationError(`${urlSource}: put credentials in ${V.username} / ${V.password}, not in the URL`);
  }

  const resolved: RemoteWriteExporterOptions = { ...options, url: rawUrl };
  for (const [option, min, max] of NUMBERS) {
    const value =
      options[option] !== undefined
        ? checkInteger(`start({ remoteWrite: { ${option} } })`, options[option], min, max)
        : readInteger(env, V[option], min, max);
    if (value !== undefined) resolved[option] = value;
  }

  const username = readString(env, V.username);
  const password = env[V.password];
  if (options.basicAuth === undefined && (username !== undefined || (password !== undefined && password !== ''))) {
    if (username === undefined) throw new ConfigurationError(`${V.password} is set without ${V.username}`);
    resolved.basicAuth = { username, password: password ?? '' };
  }
  const token = readString(env, V.bearerToken);
  if (options.bearerToken === undefined && token !== undefined) resolved.bearerToken = token;
  if (resolved.basicAuth !== undefined && resolved.bearerToken !== undefined) {
    throw new ConfigurationError(`set basic auth (${V.username} / ${V.password}) or a bearer token (${V.bearerToken}), not both`);
  }

  const headers = {
    ...readHeaderList(env, V.headers),
    ...(options.headers === undefined ? {} : checkHeaders('start({ remoteWrite: { headers } })', options.headers)),
  };
  if (Object.keys(headers).length > 0) resolved.headers = headers;
  return resolved;
}
