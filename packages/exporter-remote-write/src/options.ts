import type { MeterProvider } from '@opentelemetry/api';
import { InferometerConfigError, type InferometerConfigErrorDetails } from '@inferometer/core';
import type { DeliveryConfig } from './delivery/sender.js';
import { DEFAULT_MAX_SAMPLES_PER_REQUEST } from './encode/write-request.js';
import { PACKAGE_NAME, VERSION } from './version.js';
import { REMOTE_WRITE_PROTOCOLS, type RemoteWriteProtocol } from './catalog.js';
import { basicAuthProblem, checkHttpUrl, headersProblem, headerValueProblem, HEADER_VALUE_ACCEPTED, textProblem, clip } from './config/validation.js';

/** Default bound of the queue in samples (about 50 requests of 2,000). */
export const DEFAULT_MAX_QUEUE_SAMPLES = 100_000;
/** Default bound of the queue in bytes of compressed request bodies (16 MiB). */
export const DEFAULT_MAX_QUEUE_BYTES = 16 * 1024 * 1024;
/** Default timeout of one HTTP request (Prometheus's `remote_timeout`). */
export const DEFAULT_REQUEST_TIMEOUT_MILLIS = 30_000;
/** Default first retry delay (Prometheus's `min_backoff`). */
export const DEFAULT_MIN_BACKOFF_MILLIS = 30;
/** Default longest retry delay (Prometheus's `max_backoff`). */
export const DEFAULT_MAX_BACKOFF_MILLIS = 5_000;
/** Default cap on a receiver's `Retry-After`. */
export const DEFAULT_MAX_RETRY_AFTER_MILLIS = 60_000;
/** Default time `forceFlush()` and `shutdown()` wait for the queue to drain. */
export const DEFAULT_FLUSH_TIMEOUT_MILLIS = 5_000;

/** Headers remote write 1.0 requires; extra headers may not replace them. */
export const REMOTE_WRITE_HEADERS = {
  'Content-Encoding': 'snappy',
  'Content-Type': 'application/x-protobuf',
  'X-Prometheus-Remote-Write-Version': '0.1.0',
  'User-Agent': `${PACKAGE_NAME}/${VERSION}`,
} as const;

/**
 * Headers of a remote write 2.0 request (remote_write_spec_2_0.md, "Required
 * headers"); the others are {@link REMOTE_WRITE_HEADERS}'.
 * https://prometheus.io/docs/specs/prw/remote_write_spec_2_0/#content-type
 */
export const REMOTE_WRITE_V2_HEADERS = {
  ...REMOTE_WRITE_HEADERS,
  'Content-Type': 'application/x-protobuf;proto=io.prometheus.write.v2.Request',
  'X-Prometheus-Remote-Write-Version': '2.0.0',
} as const;

/** The default protocol: 1.0, which every receiver takes. */
export const DEFAULT_REMOTE_WRITE_PROTOCOL: RemoteWriteProtocol = '1.0';

/** Options of {@link RemoteWriteExporter}. Only `url` is required. */
export interface RemoteWriteExporterOptions {
  /**
   * The receiver's remote write endpoint.
   *
   * @example
   * ```ts
   * url: 'http://prometheus:9090/api/v1/write'       // Prometheus --web.enable-remote-write-receiver
   * url: 'http://victoria-metrics:8428/api/v1/write' // VictoriaMetrics
   * url: 'https://mimir.example.com/api/v1/push'     // Mimir, Cortex
   * ```
   */
  url: string;
  /**
   * The remote write protocol: `'1.0'` (default; `prometheus.WriteRequest`,
   * taken by every receiver) or `'2.0'` (`io.prometheus.write.v2.Request`,
   * spec 2.0-rc.4: interned strings, metadata with help and unit on every
   * series, start timestamps, native histograms with every exemplar; taken by
   * Prometheus 3 with `--web.enable-remote-write-receiver`, Mimir 2.17+,
   * Alloy). With `'2.0'`, a receiver that answers 415, or 2xx without the
   * `X-Prometheus-Remote-Write-*-Written` headers (a 1.0 receiver that
   * decoded nothing), makes the exporter fall back to 1.0 for that request
   * (re-encoded, nothing lost) and every later one; `stats().fallbacks`
   * counts it and `diag` says it once.
   *
   * @example
   * ```ts
   * new RemoteWriteExporter({ url: 'http://prometheus:9090/api/v1/write', protocol: '2.0' });
   * ```
   */
  protocol?: RemoteWriteProtocol;
  /**
   * Basic authentication. Not together with `bearerToken`.
   *
   * @example
   * ```ts
   * basicAuth: { username: 'tenant-1', password: process.env.RW_PASSWORD! }
   * ```
   */
  basicAuth?: { username: string; password: string };
  /**
   * Sent as `Authorization: Bearer <token>`. Not together with `basicAuth`.
   *
   * @example
   * ```ts
   * bearerToken: process.env.RW_TOKEN
   * ```
   */
  bearerToken?: string;
  /**
   * Extra headers on every request (tenant ids and the like). They may not
   * replace the protocol's own (`Content-Encoding`, `Content-Type`,
   * `X-Prometheus-Remote-Write-Version`, `User-Agent`) or `Authorization`
   * when `basicAuth` or `bearerToken` is set.
   *
   * @example
   * ```ts
   * headers: { 'X-Scope-OrgID': 'team-ml' }
   * ```
   */
  headers?: Record<string, string>;
  /**
   * Bound of the queue in samples. When full, the oldest requests are
   * dropped (`reason="queue_full"`): series are cumulative, so newer samples
   * carry the totals. Default {@link DEFAULT_MAX_QUEUE_SAMPLES}.
   *
   * @example
   * ```ts
   * maxQueueSamples: 20_000
   * ```
   */
  maxQueueSamples?: number;
  /**
   * Bound of the queue in bytes (compressed bodies). Default {@link DEFAULT_MAX_QUEUE_BYTES}.
   *
   * @example
   * ```ts
   * maxQueueBytes: 4 * 1024 * 1024
   * ```
   */
  maxQueueBytes?: number;
  /**
   * Most samples per request. Default 2,000.
   *
   * @example
   * ```ts
   * maxSamplesPerRequest: 500
   * ```
   */
  maxSamplesPerRequest?: number;
  /**
   * Timeout of one request; a timed-out request is retried. Default {@link DEFAULT_REQUEST_TIMEOUT_MILLIS}.
   *
   * @example
   * ```ts
   * requestTimeoutMillis: 10_000
   * ```
   */
  requestTimeoutMillis?: number;
  /**
   * First retry delay; doubled on each failure up to `maxBackoffMillis`, with
   * jitter. Defaults {@link DEFAULT_MIN_BACKOFF_MILLIS} and {@link DEFAULT_MAX_BACKOFF_MILLIS}.
   *
   * @example
   * ```ts
   * minBackoffMillis: 100, maxBackoffMillis: 10_000
   * ```
   */
  minBackoffMillis?: number;
  /** See {@link RemoteWriteExporterOptions.minBackoffMillis}. @example `maxBackoffMillis: 10_000` */
  maxBackoffMillis?: number;
  /**
   * Longest wait honoured from a receiver's `Retry-After` (on 429 and 5xx).
   * Default {@link DEFAULT_MAX_RETRY_AFTER_MILLIS}.
   *
   * @example
   * ```ts
   * maxRetryAfterMillis: 30_000
   * ```
   */
  maxRetryAfterMillis?: number;
  /**
   * How long `forceFlush()` and `shutdown()` wait for the queue to drain;
   * what is still queued when shutdown's deadline passes is dropped
   * (`reason="shutdown"`). Default {@link DEFAULT_FLUSH_TIMEOUT_MILLIS}.
   *
   * @example
   * ```ts
   * flushTimeoutMillis: 10_000
   * ```
   */
  flushTimeoutMillis?: number;
  /**
   * `instance` label when the resource has no `service.instance.id`.
   * Default: the host name.
   *
   * @example
   * ```ts
   * instance: process.env.POD_NAME
   * ```
   */
  instance?: string;
  /**
   * Send `target_info` with the resource's other attributes, as the pull
   * endpoint does. Default `true`.
   *
   * @example
   * ```ts
   * targetInfo: false
   * ```
   */
  targetInfo?: boolean;
  /**
   * Where the self-metrics (sent, retried, dropped, pending) are recorded.
   * Default: the global MeterProvider, looked up when first needed.
   *
   * @example
   * ```ts
   * meterProvider: myMeterProvider
   * ```
   */
  meterProvider?: MeterProvider;
}

/** Everything resolved and checked. */
export interface ResolvedOptions extends DeliveryConfig {
  readonly protocol: RemoteWriteProtocol;
  readonly maxSamplesPerRequest: number;
  readonly flushTimeoutMillis: number;
  readonly instance: string | undefined;
  readonly targetInfo: boolean;
}

const MAX_MILLIS = 2 ** 31 - 1;

/**
 * Thrown by the {@link RemoteWriteExporter} constructor for a bad option.
 * Code reads `option` (the option's path, e.g. `bearerToken` or
 * `headers.X-Scope-OrgID`) and `accepted`, never the message.
 *
 * @example
 * ```ts
 * try {
 *   new RemoteWriteExporter({ url: process.env.RW_URL! });
 * } catch (err) {
 *   if (err instanceof RemoteWriteOptionsError) console.error(`fix ${err.option}: ${err.accepted}`);
 * }
 * ```
 */
export class RemoteWriteOptionsError extends InferometerConfigError<string> {
  override readonly name: string = 'RemoteWriteOptionsError';
  /** The option blamed, as a path: `url`, `basicAuth.username`, `headers.Content-Type`, `maxQueueSamples`. */
  declare readonly option: string;

  constructor(
    option: string,
    /** What the option accepts. */
    accepted: string,
    /** What is wrong with the value (never the value itself: it may be a secret). */
    readonly problem: string,
    details: InferometerConfigErrorDetails = {},
  ) {
    super(option, `RemoteWriteExporter: ${option} ${problem}; accepted: ${accepted}`, accepted, details);
  }
}

/** What the `url` option accepts. */
const URL_ACCEPTED = 'an http:// or https:// URL without credentials (they go in basicAuth), e.g. http://localhost:9090/api/v1/write';

/**
 * Checks the options and fills in defaults. Throws (at construction, never
 * later) a {@link RemoteWriteOptionsError} naming the option and what it accepts.
 */
export function resolveOptions(options: RemoteWriteExporterOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') throw new RemoteWriteOptionsError('options', 'an object with a `url`', 'is missing');
  const checked = checkHttpUrl(options.url, URL_ACCEPTED);
  if ('problem' in checked) throw new RemoteWriteOptionsError('url', URL_ACCEPTED, checked.problem.problem);
  const url = checked.url.href;
  const protocol = options.protocol ?? DEFAULT_REMOTE_WRITE_PROTOCOL;
  if (!(REMOTE_WRITE_PROTOCOLS as readonly unknown[]).includes(protocol)) {
    throw new RemoteWriteOptionsError('protocol', REMOTE_WRITE_PROTOCOLS.map((p) => `'${p}'`).join(' or '), `is not a remote write protocol the exporter speaks; got ${JSON.stringify(clip(String(protocol)))}`);
  }
  const headers: Record<string, string> = {};
  const reserved = new Set(Object.keys(REMOTE_WRITE_HEADERS).map((name) => name.toLowerCase()));
  if (options.basicAuth !== undefined && options.bearerToken !== undefined) {
    throw new RemoteWriteOptionsError('bearerToken', 'basicAuth or bearerToken, not both', 'is set together with basicAuth', { related: ['basicAuth'], code: 'ERR_INFEROMETER_CONFLICTING_OPTIONS' });
  }
  if (options.basicAuth !== undefined || options.bearerToken !== undefined) reserved.add('authorization');
  if (options.headers !== undefined) {
    const problem = headersProblem(options.headers);
    if (problem !== undefined) throw new RemoteWriteOptionsError(problem.header === undefined ? 'headers' : `headers.${problem.header}`, problem.accepted, problem.problem);
  }
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (reserved.has(name.toLowerCase())) {
      throw new RemoteWriteOptionsError(`headers.${name}`, 'headers other than Content-Encoding, Content-Type, X-Prometheus-Remote-Write-Version, User-Agent (and Authorization with basicAuth or bearerToken)', `(header ${name}) is set by the exporter and cannot be replaced in headers`);
    }
    headers[name] = value;
  }
  if (options.basicAuth !== undefined) {
    const { username, password } = options.basicAuth ?? {};
    const problem = basicAuthProblem('username', username);
    if (problem !== undefined) throw new RemoteWriteOptionsError('basicAuth.username', problem.accepted, problem.problem);
    const passwordProblem = basicAuthProblem('password', password);
    if (passwordProblem !== undefined) throw new RemoteWriteOptionsError('basicAuth.password', passwordProblem.accepted, passwordProblem.problem);
    headers.Authorization = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
  }
  if (options.bearerToken !== undefined) {
    const token: unknown = options.bearerToken;
    const problem = token === '' ? { problem: 'is empty', accepted: HEADER_VALUE_ACCEPTED } : headerValueProblem(token);
    if (problem !== undefined) throw new RemoteWriteOptionsError('bearerToken', `a non-empty string of ${problem.accepted}`, problem.problem);
    headers.Authorization = `Bearer ${options.bearerToken}`;
  }
  Object.assign(headers, REMOTE_WRITE_HEADERS);

  const minBackoffMillis = whole('minBackoffMillis', options.minBackoffMillis, DEFAULT_MIN_BACKOFF_MILLIS, 1, MAX_MILLIS);
  const maxBackoffMillis = whole('maxBackoffMillis', options.maxBackoffMillis, Math.max(DEFAULT_MAX_BACKOFF_MILLIS, minBackoffMillis), 1, MAX_MILLIS);
  if (maxBackoffMillis < minBackoffMillis) {
    throw new RemoteWriteOptionsError('maxBackoffMillis', `at least minBackoffMillis (${minBackoffMillis})`, `(${maxBackoffMillis}) must not be below minBackoffMillis (${minBackoffMillis})`, { related: ['minBackoffMillis'], code: 'ERR_INFEROMETER_CONFLICTING_OPTIONS' });
  }
  if (options.instance !== undefined) {
    const problem = textProblem(options.instance, 'a label value without control characters, e.g. the pod name');
    if (problem !== undefined) throw new RemoteWriteOptionsError('instance', problem.accepted, problem.problem);
  }
  return {
    url,
    protocol,
    headers,
    maxSamples: whole('maxQueueSamples', options.maxQueueSamples, DEFAULT_MAX_QUEUE_SAMPLES, 1, Number.MAX_SAFE_INTEGER),
    maxBytes: whole('maxQueueBytes', options.maxQueueBytes, DEFAULT_MAX_QUEUE_BYTES, 1024, Number.MAX_SAFE_INTEGER),
    maxSamplesPerRequest: whole('maxSamplesPerRequest', options.maxSamplesPerRequest, DEFAULT_MAX_SAMPLES_PER_REQUEST, 1, 1_000_000),
    requestTimeoutMillis: whole('requestTimeoutMillis', options.requestTimeoutMillis, DEFAULT_REQUEST_TIMEOUT_MILLIS, 1, MAX_MILLIS),
    minBackoffMillis,
    maxBackoffMillis,
    maxRetryAfterMillis: whole('maxRetryAfterMillis', options.maxRetryAfterMillis, DEFAULT_MAX_RETRY_AFTER_MILLIS, 0, MAX_MILLIS),
    flushTimeoutMillis: whole('flushTimeoutMillis', options.flushTimeoutMillis, DEFAULT_FLUSH_TIMEOUT_MILLIS, 0, MAX_MILLIS),
    instance: options.instance === undefined || options.instance === '' ? undefined : String(options.instance),
    targetInfo: options.targetInfo ?? true,
  };
}

function whole(option: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RemoteWriteOptionsError(option, `a whole number from ${min} to ${max}`, `must be a whole number from ${min} to ${max}; got ${JSON.stringify(value)}`);
  }
  return value;
}
