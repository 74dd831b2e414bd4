/**
 * Unknown keys in `start()` options: plain JavaScript (or a cast) lets
 * `prometheus: { prot: 1 }` or `exportIntervalMilis` through, and the
 * setting would silently not apply. Each fails at start naming the key's
 * path and the closest accepted key.
 */
import type { GuardOptions } from '@inferometer/core';
import { didYouMean } from '@inferometer/core/internal';
import type { StartOptions } from '../start/options.js';
import { ConfigurationError, invalid, option } from './env.js';
import type { OtlpOptions } from './otlp.js';
import type { RemoteWriteStartOptions } from './remote-write.js';

/** A value with no keys to check (`leaf`), free keys (`record`: headers, env), or known keys. */
type Shape = 'leaf' | 'record' | { readonly [key: string]: Shape };

const OTLP_SHAPE = {
  preset: 'leaf',
  endpoint: 'leaf',
  headers: 'record',
  protocol: 'leaf',
  insecure: 'leaf',
  temporalityPreference: 'leaf',
  histogramAggregation: 'leaf',
  compression: 'leaf',
  timeoutMillis: 'leaf',
  maxPayloadBytes: 'leaf',
  apiKey: 'leaf',
  datadogSite: 'leaf',
  newRelicRegion: 'leaf',
  awsRegion: 'leaf',
} as const satisfies Record<keyof Required<OtlpOptions>, Shape>;

const REMOTE_WRITE_SHAPE = {
  url: 'leaf',
  protocol: 'leaf',
  basicAuth: { username: 'leaf', password: 'leaf' },
  bearerToken: 'leaf',
  headers: 'record',
  maxQueueSamples: 'leaf',
  maxQueueBytes: 'leaf',
  maxSamplesPerRequest: 'leaf',
  requestTimeoutMillis: 'leaf',
  minBackoffMillis: 'leaf',
  maxBackoffMillis: 'leaf',
  maxRetryAfterMillis: 'leaf',
  flushTimeoutMillis: 'leaf',
  instance: 'leaf',
  targetInfo: 'leaf',
} as const satisfies Record<keyof Required<RemoteWriteStartOptions>, Shape>;

const PROMETHEUS_SHAPE = {
  host: 'leaf',
  port: 'leaf',
  server: 'leaf',
  webConfigFile: 'leaf',
  healthPage: 'leaf',
  collectTimeoutMillis: 'leaf',
  writeTimeoutMillis: 'leaf',
  maxConcurrentScrapes: 'leaf',
  gzip: 'leaf',
  openMetricsCreated: 'leaf',
  createdTimestamps: 'leaf',
} as const satisfies Record<keyof Required<NonNullable<StartOptions['prometheus']>>, Shape>;

const GUARDS_SHAPE = {
  maxValuesPerAttribute: 'leaf',
  maxValuesPerKey: 'record',
  maxSeriesPerMetric: 'leaf',
  maxValueLength: 'leaf',
  unboundedKeyPatterns: 'leaf',
  maxModels: 'leaf',
  versionIdleSeconds: 'leaf',
} as const satisfies Record<keyof Required<GuardOptions>, Shape>;

/** Every key `start()` accepts; the compiler keeps it in step with {@link StartOptions}. */
export const START_OPTIONS_SHAPE = {
  exporters: 'leaf',
  prometheus: PROMETHEUS_SHAPE,
  otlp: OTLP_SHAPE,
  remoteWrite: REMOTE_WRITE_SHAPE,
  // The stream is the caller's object (process.stdout, a file stream): its keys are not ours to check.
  emf: { namespace: 'leaf', stream: 'leaf' },
  guards: GUARDS_SHAPE,
  serviceName: 'leaf',
  serviceInstanceId: 'leaf',
  cluster: { enabled: 'leaf', collectTimeoutMillis: 'leaf', pushIntervalMillis: 'leaf' },
  threads: { enabled: 'leaf' },
  exportIntervalMillis: 'leaf',
  exportTimeoutMillis: 'leaf',
  handleSignals: 'leaf',
  runtimeMetrics: 'leaf',
  env: 'record',
} as const satisfies Record<keyof Required<StartOptions>, Shape>;

/** Throws a {@link ConfigurationError} for the first unknown key, naming its path and the closest accepted key. */
export function checkStartOptions(options: unknown): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw invalid(option('(options)'), String(options), 'is not an object', 'an options object, e.g. { serviceName: "iris-server" }');
  }
  checkKeys(options as Record<string, unknown>, START_OPTIONS_SHAPE, '');
}

function checkKeys(value: Record<string, unknown>, shape: { readonly [key: string]: Shape }, prefix: string): void {
  const accepted = Object.keys(shape);
  for (const key of Object.keys(value)) {
    const path = `${prefix}${key}`;
    const inner = shape[key];
    if (inner === undefined || !Object.hasOwn(shape, key)) {
      const closest = didYouMean(key, accepted);
      throw new ConfigurationError(
        `start() option ${path} is not an option${closest === undefined ? '' : `; did you mean ${prefix}${closest}?`} Accepted${prefix === '' ? '' : ` under ${prefix.slice(0, -1)}`}: ${accepted.join(', ')}`,
        { option: path, accepted: accepted.map((name) => `${prefix}${name}`).join(', '), hint: closest === undefined ? undefined : `${prefix}${closest}`, code: 'ERR_INFEROMETER_UNKNOWN_OPTION' },
      );
    }
    const child = value[key];
    if (child === undefined || inner === 'leaf') continue;
    if (child === null || typeof child !== 'object' || Array.isArray(child)) {
      throw invalid(option(path), String(child), 'is not an object', inner === 'record' ? 'an object' : `an object with keys ${Object.keys(inner).join(', ')}`);
    }
    if (inner !== 'record') checkKeys(child as Record<string, unknown>, inner, `${path}.`);
  }
}

/** The accepted key nearest to `key` if near enough to be a typo: core's one "did you mean" (also used by `instrument()`). */
export const closestKey: (key: string, accepted: readonly string[]) => string | undefined = didYouMean;
