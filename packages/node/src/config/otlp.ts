/**
 * OTLP push configuration from `start({ otlp })`, the standard
 * `OTEL_EXPORTER_OTLP_*` variables (specification:
 * protocol/exporter.md and configuration/sdk-environment-variables.md) and a
 * vendor preset, in that order of precedence. Every value is checked here, at
 * start: the JS exporter itself warns and falls back on bad values, which
 * would leave a service silently sending nowhere.
 */
import { checkHttpUrl, HTTP_URL_ACCEPTED } from '@inferometer/exporter-remote-write/internal';
import { checkChoice, checkInteger, invalid, option, readInteger, readString, variable, type ConfigurationSource, type Environment } from './env.js';
import { checkHeaders, readHeaderList } from './otlp-headers.js';
import {
  choosePreset,
  OTLP_COMPRESSIONS,
  OTLP_HISTOGRAM_AGGREGATIONS,
  OTLP_TEMPORALITY_PREFERENCES,
  presetSettings,
  type AttributeLimits,
  type NewRelicRegion,
  type OtlpCompression,
  type OtlpHistogramAggregation,
  type OtlpPresetName,
  type OtlpTemporalityPreference,
  type SigV4Settings,
} from './otlp-presets.js';

/** Protocols this package can send. */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

/** Default OTLP/HTTP metrics endpoint (specification default). */
export const DEFAULT_OTLP_ENDPOINT = 'http://localhost:4318/v1/metrics';
/** Default timeout of one OTLP request, retries included (`OTEL_EXPORTER_OTLP_TIMEOUT`). */
export const DEFAULT_OTLP_TIMEOUT_MILLIS = 10_000;

/** The `otlp` option of `start()`: each field wins over its variable. */
export interface OtlpOptions {
  /** Vendor preset (`datadog`, `newrelic`, `cloudwatch`, `collector`); falls back to `INFEROMETER_OTLP_PRESET`, then detection from `DD_API_KEY` / `NEW_RELIC_LICENSE_KEY`. */
  preset?: OtlpPresetName;
  /** Full metrics URL, used as given; falls back to `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`, `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/metrics`, the preset's. */
  endpoint?: string;
  /** Headers; merged over `OTEL_EXPORTER_OTLP_HEADERS` and `OTEL_EXPORTER_OTLP_METRICS_HEADERS`. */
  headers?: Record<string, string>;
  /** `http/protobuf` (default) or `http/json`; falls back to `OTEL_EXPORTER_OTLP_(METRICS_)PROTOCOL`. */
  protocol?: OtlpProtocol;
  /** Falls back to `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`, then the preset's, then `cumulative`. */
  temporalityPreference?: OtlpTemporalityPreference;
  /** Falls back to `OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION`, then the preset's, then explicit buckets. */
  histogramAggregation?: OtlpHistogramAggregation;
  /** Falls back to `OTEL_EXPORTER_OTLP_(METRICS_)COMPRESSION`, then the preset's, then `none`. */
  compression?: OtlpCompression;
  /** Timeout of one export request, retries included; falls back to `OTEL_EXPORTER_OTLP_(METRICS_)TIMEOUT`, then 10000. */
  timeoutMillis?: number;
  /** Largest uncompressed request; bigger exports are split. Falls back to `INFEROMETER_OTLP_MAX_PAYLOAD_BYTES`, then the preset's. */
  maxPayloadBytes?: number;
  /** The vendor key of the preset; falls back to `DD_API_KEY` or `NEW_RELIC_LICENSE_KEY`. */
  apiKey?: string;
  /** Datadog site; falls back to `DD_SITE`, then `datadoghq.com`. */
  datadogSite?: string;
  /** New Relic region (`us`, `eu`, `fedramp`); falls back to `NEW_RELIC_REGION`, then `us`. */
  newRelicRegion?: NewRelicRegion;
  /**
   * AWS region of the cloudwatch preset (endpoint and SigV4 scope); falls
   * back to `AWS_REGION`, then `AWS_DEFAULT_REGION`. Required by that preset.
   *
   * @example
   * ```ts
   * otlp: { preset: 'cloudwatch', awsRegion: 'eu-west-1' }
   * ```
   */
  awsRegion?: string;
}

/** Everything the OTLP exporter factory needs, checked. */
export interface OtlpConfig {
  readonly preset: OtlpPresetName;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly protocol: OtlpProtocol;
  readonly temporality: OtlpTemporalityPreference;
  readonly histogramAggregation: OtlpHistogramAggregation;
  readonly compression: OtlpCompression;
  readonly timeoutMillis: number;
  readonly maxPayloadBytes: number;
  readonly attributeLimits: AttributeLimits | undefined;
  /** Set when each request is signed with AWS SigV4 (the cloudwatch preset), whatever the URL. */
  readonly sigv4: SigV4Settings | undefined;
}

const MAX_MILLIS = 2 ** 31 - 1;

export function resolveOtlpConfig(env: Environment, options: OtlpOptions = {}): OtlpConfig {
  const explicitUrl = endpoint(env, options.endpoint);
  const userHeaders = {
    ...readHeaderList(env, 'OTEL_EXPORTER_OTLP_HEADERS'),
    ...readHeaderList(env, 'OTEL_EXPORTER_OTLP_METRICS_HEADERS'),
    ...(options.headers === undefined ? {} : checkHeaders('otlp.headers', options.headers)),
  };
  const presetName = choosePreset(env, options.preset, explicitUrl !== undefined);
  const preset = presetSettings(
    presetName,
    env,
    {
      ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
      ...(options.datadogSite === undefined ? {} : { datadogSite: options.datadogSite }),
      ...(options.newRelicRegion === undefined ? {} : { newRelicRegion: options.newRelicRegion }),
      ...(options.awsRegion === undefined ? {} : { awsRegion: options.awsRegion }),
    },
    userHeaders,
  );
  const protocol = choice(env, 'protocol', options.protocol, ['OTEL_EXPORTER_OTLP_METRICS_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL'], OTLP_PROTOCOLS, 'http/protobuf', (source, raw) => {
    if (raw.toLowerCase() === 'grpc') {
      throw invalid(
        source,
        raw,
        'gRPC is not available in @inferometer/node (it would need @grpc/grpc-js); Collectors and vendor intakes that take OTLP/gRPC on port 4317 take OTLP/HTTP on 4318',
        OTLP_PROTOCOLS.join(', '),
      );
    }
  });
  const temporality = choice(
    env,
    'temporalityPreference',
    options.temporalityPreference,
    ['OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE'],
    OTLP_TEMPORALITY_PREFERENCES,
    preset.temporality ?? 'cumulative',
  );
  const histogramAggregation = choice(
    env,
    'histogramAggregation',
    options.histogramAggregation,
    ['OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION'],
    OTLP_HISTOGRAM_AGGREGATIONS,
    preset.histogramAggregation ?? 'explicit_bucket_histogram',
  );
  const compression = choice(env, 'compression', options.compression, ['OTEL_EXPORTER_OTLP_METRICS_COMPRESSION', 'OTEL_EXPORTER_OTLP_COMPRESSION'], OTLP_COMPRESSIONS, preset.compression ?? 'none');
  const timeoutMillis =
    options.timeoutMillis !== undefined
      ? checkInteger(option('otlp.timeoutMillis'), options.timeoutMillis, 1, MAX_MILLIS)
      : (readInteger(env, 'OTEL_EXPORTER_OTLP_METRICS_TIMEOUT', 1, MAX_MILLIS) ?? readInteger(env, 'OTEL_EXPORTER_OTLP_TIMEOUT', 1, MAX_MILLIS) ?? DEFAULT_OTLP_TIMEOUT_MILLIS);
  const maxPayloadBytes =
    options.maxPayloadBytes !== undefined
      ? checkInteger(option('otlp.maxPayloadBytes'), options.maxPayloadBytes, 1024, 2 ** 31 - 1)
      : (readInteger(env, 'INFEROMETER_OTLP_MAX_PAYLOAD_BYTES', 1024, 2 ** 31 - 1) ?? preset.maxPayloadBytes);
  return {
    preset: presetName,
    url: explicitUrl ?? preset.endpoint ?? DEFAULT_OTLP_ENDPOINT,
    // The preset's key header under anything the user set.
    headers: { ...preset.headers, ...userHeaders },
    protocol,
    temporality,
    histogramAggregation,
    compression,
    timeoutMillis,
    maxPayloadBytes,
    attributeLimits: preset.attributeLimits,
    // The standard endpoint variables still win over the preset's URL (a VPC
    // endpoint, a test stand-in); requests to them are signed all the same.
    sigv4: preset.sigv4,
  };
}

/** The metrics URL the user configured, or undefined to let the preset decide. */
function endpoint(env: Environment, given: string | undefined): string | undefined {
  if (given !== undefined) return checkUrl(option('otlp.endpoint'), given);
  const specific = readString(env, 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT');
  if (specific !== undefined) return checkUrl(variable('OTEL_EXPORTER_OTLP_METRICS_ENDPOINT'), specific);
  const base = readString(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  if (base === undefined) return undefined;
  const checked = checkUrl(variable('OTEL_EXPORTER_OTLP_ENDPOINT'), base);
  // Specification: the base endpoint gets `v1/metrics` appended, with one slash.
  return `${checked.endsWith('/') ? checked : `${checked}/`}v1/metrics`;
}

function checkUrl(source: ConfigurationSource, raw: unknown): string {
  const checked = checkHttpUrl(raw);
  // Credentials in a URL may be a secret: not quoted.
  if ('problem' in checked) throw invalid(source, checked.problem.code === 'url_credentials' ? undefined : raw, checked.problem.problem, HTTP_URL_ACCEPTED);
  return (raw as string).trim();
}

/** An option or the first variable set, among `accepted` (variables case-insensitive), or the fallback. */
function choice<T extends string>(
  env: Environment,
  name: string,
  value: T | undefined,
  variables: readonly string[],
  accepted: readonly T[],
  fallback: T,
  special?: (source: ConfigurationSource, raw: string) => void,
): T {
  if (value !== undefined) {
    if (typeof value === 'string') special?.(option(`otlp.${name}`), value);
    return checkChoice(option(`otlp.${name}`), value, accepted);
  }
  for (const name of variables) {
    const raw = readString(env, name);
    if (raw === undefined) continue;
    special?.(variable(name), raw);
    return checkChoice(variable(name), raw, accepted);
  }
  return fallback;
}
