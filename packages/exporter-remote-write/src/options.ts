import type { MeterProvider } from '@opentelemetry/api';
import type { DeliveryConfig } from './delivery/sender.js';
import { DEFAULT_MAX_SAMPLES_PER_REQUEST } from './encode/write-request.js';
import { PACKAGE_NAME, VERSION } from './version.js';

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
  readonly maxSamplesPerRequest: number;
  readonly flushTimeoutMillis: number;
  readonly instance: string | undefined;
  readonly targetInfo: boolean;
}

const MAX_MILLIS = 2 ** 31 - 1;

/**
 * Checks the options and fills in defaults. Throws (at construction, never
 * later) a TypeError or RangeError naming the option and what it accepts.
 */
export function resolveOptions(options: RemoteWriteExporterOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') throw new TypeError('RemoteWriteExporter: options with a `url` are required');
  const url = checkUrl(options.url);
  const headers: Record<string, string> = {};
  const reserved = new Set(Object.keys(REMOTE_WRITE_HEADERS).map((name) => name.toLowerCase()));
  if (options.basicAuth !== undefined && options.bearerToken !== undefined) {
    throw new TypeError('RemoteWriteExporter: set basicAuth or bearerToken, not both');
  }
  if (options.basicAuth !== undefined || options.bearerToken !== undefined) reserved.add('authorization');
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new TypeError(`RemoteWriteExporter: header name ${JSON.stringify(name)} is not a valid HTTP header name`);
    if (typeof value !== 'string' || /[\r\n]/.test(value)) throw new TypeError(`RemoteWriteExporter: header ${name} must be a string without line breaks`);
    if (reserved.has(name.toLowerCase())) {
      throw new TypeError(`RemoteWriteExporter: header ${name} is set by the exporter and cannot be replaced in headers`);
    }
    headers[name] = value;
  }
  if (options.basicAuth !== undefined) {
    const { username, password } = options.basicAuth;
    if (typeof username !== 'string' || username === '' || typeof password !== 'string') {
      throw new TypeError('RemoteWriteExporter: basicAuth needs a non-empty username and a password string');
    }
    headers.Authorization = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
  }
  if (options.bearerToken !== undefined) {
    if (typeof options.bearerToken !== 'string' || options.bearerToken === '' || /[\r\n]/.test(options.bearerToken)) {
      throw new TypeError('RemoteWriteExporter: bearerToken must be a non-empty string');
    }
    headers.Authorization = `Bearer ${options.bearerToken}`;
  }
  Object.assign(headers, REMOTE_WRITE_HEADERS);

  const minBackoffMillis = whole('minBackoffMillis', options.minBackoffMillis, DEFAULT_MIN_BACKOFF_MILLIS, 1, MAX_MILLIS);
  const maxBackoffMillis = whole('maxBackoffMillis', options.maxBackoffMillis, Math.max(DEFAULT_MAX_BACKOFF_MILLIS, minBackoffMillis), 1, MAX_MILLIS);
  if (maxBackoffMillis < minBackoffMillis) {
    throw new RangeError(`RemoteWriteExporter: maxBackoffMillis (${maxBackoffMillis}) must not be below minBackoffMillis (${minBackoffMillis})`);
  }
  return {
    url,
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

function checkUrl(raw: unknown): string {
  if (typeof raw !== 'string' || raw.trim() === '') throw new TypeError('RemoteWriteExporter: url is required, e.g. http://localhost:9090/api/v1/write');
  let parsed: URL;
  try {
    parsed = new URL(raw.trim());
  } catch {
    throw new TypeError(`RemoteWriteExporter: url ${JSON.stringify(raw)} is not a URL; expected e.g. http://localhost:9090/api/v1/write`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`RemoteWriteExporter: url ${JSON.stringify(raw)} must be http:// or https://`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    // fetch refuses credentials in the URL; say where they go instead.
    throw new TypeError('RemoteWriteExporter: put credentials in basicAuth, not in the url');
  }
  return parsed.href;
}

function whole(option: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`RemoteWriteExporter: ${option} must be a whole number from ${min} to ${max}; got ${JSON.stringify(value)}`);
  }
  return value;
}
