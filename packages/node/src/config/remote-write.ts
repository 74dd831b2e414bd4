/**
 * Remote write configuration from `start({ remoteWrite })` and the
 * `INFEROMETER_REMOTE_WRITE_*` variables (an option wins over its variable).
 * Checked here so that a bad value fails at start naming the variable.
 */
import type { RemoteWriteExporterOptions } from '@inferometer/exporter-remote-write';
import { REMOTE_WRITE_PROTOCOLS } from '@inferometer/exporter-remote-write/catalog';
import { basicAuthProblem, checkHttpUrl, headerValueProblem, HEADER_VALUE_ACCEPTED, textProblem } from '@inferometer/exporter-remote-write/internal';
import { checkChoice, checkInteger, ConfigurationError, describeSource, invalid, option, readChoice, readInteger, readString, variable, type ConfigurationSource, type Environment } from './env.js';
import { checkHeaders, readHeaderList } from './otlp-headers.js';

/** The `remoteWrite` option of `start()`: the exporter's options, `url` optional (it may come from the environment). */
export type RemoteWriteStartOptions = Partial<Omit<RemoteWriteExporterOptions, 'meterProvider'>>;

/** Variable names, in one place for messages and docs. */
export const REMOTE_WRITE_VARIABLES = {
  url: 'INFEROMETER_REMOTE_WRITE_URL',
  protocol: 'INFEROMETER_REMOTE_WRITE_PROTOCOL',
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

/** What the remote write URL accepts. */
const URL_ACCEPTED = `an http:// or https:// URL without credentials (they go in ${REMOTE_WRITE_VARIABLES.username} / ${REMOTE_WRITE_VARIABLES.password}), e.g. http://victoria-metrics:8428/api/v1/write`;

/**
 * The exporter's options and, for each option path the exporter may blame
 * (`url`, `bearerToken`, `headers.X-Scope-OrgID`), where its value came from:
 * a variable or a `start()` option.
 */
export interface ResolvedRemoteWrite {
  readonly options: RemoteWriteExporterOptions;
  readonly sources: ReadonlyMap<string, ConfigurationSource>;
}

/**
 * Reads and checks everything here, so a bad value fails at start naming
 * the variable it came from; the exporter's own checks are a backstop whose
 * typed error is mapped through `sources`.
 */
export function resolveRemoteWrite(env: Environment, given: RemoteWriteStartOptions = {}): ResolvedRemoteWrite {
  const V = REMOTE_WRITE_VARIABLES;
  const sources = new Map<string, ConfigurationSource>();
  const urlSource = given.url !== undefined ? option('remoteWrite.url') : variable(V.url);
  const rawUrl = given.url ?? readString(env, V.url);
  if (rawUrl === undefined) {
    throw new ConfigurationError(
      `OTEL_METRICS_EXPORTER=prometheusremotewrite needs ${V.url} (the receiver's remote write endpoint, e.g. http://prometheus:9090/api/v1/write or http://victoria-metrics:8428/api/v1/write)`,
      { variable: V.url, accepted: URL_ACCEPTED },
    );
  }
  const checkedUrl = checkHttpUrl(rawUrl, URL_ACCEPTED);
  if ('problem' in checkedUrl) {
    const { problem } = checkedUrl;
    throw invalid(urlSource, problem.code === 'url_credentials' ? undefined : rawUrl, problem.code === 'url_credentials' ? `carries credentials: put them in ${V.username} / ${V.password}` : problem.problem, URL_ACCEPTED);
  }
  sources.set('url', urlSource);

  const resolved: RemoteWriteExporterOptions = { ...given, url: rawUrl.trim() };
  // `1.0` (default) or `2.0`; a wrong value fails here naming the variable and both versions.
  const protocolSource = given.protocol !== undefined ? option('remoteWrite.protocol') : variable(V.protocol);
  const protocol = given.protocol !== undefined ? checkChoice(protocolSource, given.protocol, REMOTE_WRITE_PROTOCOLS) : readChoice(env, V.protocol, REMOTE_WRITE_PROTOCOLS);
  if (protocol !== undefined) resolved.protocol = protocol;
  sources.set('protocol', protocolSource);
  for (const [name, min, max] of NUMBERS) {
    const source = given[name] !== undefined ? option(`remoteWrite.${name}`) : variable(V[name]);
    const value = given[name] !== undefined ? checkInteger(source, given[name], min, max) : readInteger(env, V[name], min, max);
    if (value !== undefined) resolved[name] = value;
    sources.set(name, source);
  }

  if (given.basicAuth === undefined) {
    const username = readString(env, V.username);
    const password = readString(env, V.password);
    if (username !== undefined || password !== undefined) {
      // A username alone would send `Basic dTo=`-like credentials with an empty password.
      if (username === undefined || password === undefined) {
        const [set, missing] = username === undefined ? [V.password, V.username] : [V.username, V.password];
        throw new ConfigurationError(`${set} is set without ${missing}; set both (basic auth) or neither`, {
          variable: set,
          accepted: `${V.username} and ${V.password} together`,
          related: [missing],
          code: 'ERR_INFEROMETER_CONFLICTING_OPTIONS',
        });
      }
      for (const [part, name, value] of [['username', V.username, username], ['password', V.password, password]] as const) {
        const problem = basicAuthProblem(part, value);
        if (problem !== undefined) throw invalid(variable(name), value, problem.problem, problem.accepted, { secret: part === 'password' });
        sources.set(`basicAuth.${part}`, variable(name));
      }
      resolved.basicAuth = { username, password };
    }
  } else {
    sources.set('basicAuth.username', option('remoteWrite.basicAuth.username'));
    sources.set('basicAuth.password', option('remoteWrite.basicAuth.password'));
  }

  const tokenSource = given.bearerToken !== undefined ? option('remoteWrite.bearerToken') : variable(V.bearerToken);
  const token = given.bearerToken ?? readString(env, V.bearerToken);
  if (token !== undefined) {
    const problem = token === '' ? { problem: 'is empty' } : headerValueProblem(token);
    if (problem !== undefined) throw invalid(tokenSource, token, problem.problem, `a non-empty token of ${HEADER_VALUE_ACCEPTED}`, { secret: true });
    resolved.bearerToken = token;
    sources.set('bearerToken', tokenSource);
  }
  if (resolved.basicAuth !== undefined && resolved.bearerToken !== undefined) {
    const basic = given.basicAuth !== undefined ? 'start() option remoteWrite.basicAuth' : `${V.username} / ${V.password}`;
    throw new ConfigurationError(`set basic auth (${basic}) or a bearer token (${describeSource(tokenSource)}), not both`, {
      ...tokenSource,
      accepted: 'basic auth or a bearer token, not both',
      related: [basic],
      code: 'ERR_INFEROMETER_CONFLICTING_OPTIONS',
    });
  }

  const fromEnv = readHeaderList(env, V.headers) ?? {};
  const fromCode = given.headers === undefined ? {} : checkHeaders('remoteWrite.headers', given.headers);
  for (const name of Object.keys(fromEnv)) sources.set(`headers.${name}`, variable(V.headers));
  for (const name of Object.keys(fromCode)) sources.set(`headers.${name}`, option(`remoteWrite.headers.${name}`));
  const headers = { ...fromEnv, ...fromCode };
  if (Object.keys(headers).length > 0) resolved.headers = headers;

  if (given.instance !== undefined) {
    const problem = textProblem(given.instance, 'a label value without control characters, e.g. the pod name');
    if (problem !== undefined) throw invalid(option('remoteWrite.instance'), given.instance, problem.problem, problem.accepted);
  }
  return { options: resolved, sources };
}

/** The exporter's options only (see {@link resolveRemoteWrite}). */
export function resolveRemoteWriteOptions(env: Environment, given: RemoteWriteStartOptions = {}): RemoteWriteExporterOptions {
  return resolveRemoteWrite(env, given).options;
}
