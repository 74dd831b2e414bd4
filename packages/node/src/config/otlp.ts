/**
 * OTLP push configuration from `start({ otlp })`, the standard
 * `OTEL_EXPORTER_OTLP_*` variables (specification:
 * protocol/exporter.md and configuration/sdk-environment-variables.md) and a
 * vendor preset, in that order of precedence. Every value is checked here, at
 * start: the JS exporter itself warns and falls back on bad values, which
 * would leave a service silently sending nowhere.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { checkHttpUrl, HTTP_URL_ACCEPTED } from '@inferometer/exporter-remote-write/internal';
import { checkBoolean, checkChoice, checkInteger, ConfigurationError, invalid, option, readChoice, readInteger, readString, variable, type ConfigurationSource, type Environment } from './env.js';
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

/**
 * Protocols this package can send: the specification's three
 * (`OTEL_EXPORTER_OTLP_PROTOCOL`). `grpc` loads
 * `@opentelemetry/exporter-metrics-otlp-grpc` (and `@grpc/grpc-js`) only when chosen.
 */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json', 'grpc'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

/** Default OTLP/HTTP metrics endpoint (specification default). */
export const DEFAULT_OTLP_ENDPOINT = 'http://localhost:4318/v1/metrics';
/** Default OTLP/gRPC endpoint (specification default: port 4317, no path). */
export const DEFAULT_OTLP_GRPC_ENDPOINT = 'http://localhost:4317';
/** Default timeout of one OTLP request, retries included (`OTEL_EXPORTER_OTLP_TIMEOUT`). */
export const DEFAULT_OTLP_TIMEOUT_MILLIS = 10_000;

/** The `otlp` option of `start()`: each field wins over its variable. */
export interface OtlpOptions {
  /** Vendor preset (`datadog`, `newrelic`, `cloudwatch`, `collector`); falls back to `INFEROMETER_OTLP_PRESET`, then detection from `DD_API_KEY` / `NEW_RELIC_LICENSE_KEY`. */
  preset?: OtlpPresetName;
  /**
   * Full metrics URL, used as given; falls back to
   * `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`, `OTEL_EXPORTER_OTLP_ENDPOINT` +
   * `/v1/metrics`, the preset's. Over `grpc`: a URL without a path (both
   * variables used as given), or `host:port` with {@link OtlpOptions.insecure}.
   *
   * @example
   * ```ts
   * otlp: { endpoint: 'http://otel-collector:4318/v1/metrics' }
   * ```
   */
  endpoint?: string;
  /** Headers (gRPC metadata over `grpc`); merged over `OTEL_EXPORTER_OTLP_HEADERS` and `OTEL_EXPORTER_OTLP_METRICS_HEADERS`. */
  headers?: Record<string, string>;
  /**
   * `http/protobuf` (default), `http/json` or `grpc`; falls back to
   * `OTEL_EXPORTER_OTLP_(METRICS_)PROTOCOL`. Over `grpc` the endpoint is a
   * URL without a path (default `http://localhost:4317`), headers are sent
   * as gRPC metadata, and `http://` means plaintext, `https://` TLS.
   *
   * @example
   * ```ts
   * // A Collector or the Datadog Agent's OTLP receiver on its gRPC port.
   * otlp: { protocol: 'grpc', endpoint: 'http://otel-collector:4317' }
   * ```
   */
  protocol?: OtlpProtocol;
  /**
   * Over `grpc`, for an endpoint given without a scheme (`collector:4317`):
   * `true` connects in plaintext, `false` (default) with TLS. Falls back to
   * `OTEL_EXPORTER_OTLP_METRICS_INSECURE`, then `OTEL_EXPORTER_OTLP_INSECURE`.
   * An `http://` or `https://` endpoint says it itself (specification:
   * the insecure option applies to scheme-less gRPC endpoints only).
   *
   * @example
   * ```ts
   * otlp: { protocol: 'grpc', endpoint: 'otel-collector:4317', insecure: true }
   * ```
   */
  insecure?: boolean;
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
  /** Over `grpc` with TLS: the PEM files of `OTEL_EXPORTER_OTLP_(METRICS_)CERTIFICATE`, `_CLIENT_KEY`, `_CLIENT_CERTIFICATE`, read at start. */
  readonly tls: OtlpTlsFiles | undefined;
  readonly temporality: OtlpTemporalityPreference;
  readonly histogramAggregation: OtlpHistogramAggregation;
  readonly compression: OtlpCompression;
  readonly timeoutMillis: number;
  readonly maxPayloadBytes: number;
  readonly attributeLimits: AttributeLimits | undefined;
  /** Set when each request is signed with AWS SigV4 (the cloudwatch preset), whatever the URL. */
  readonly sigv4: SigV4Settings | undefined;
}

/** PEM contents for a gRPC TLS channel; each undefined when not configured. */
export interface OtlpTlsFiles {
  readonly rootCertificate: Buffer | undefined;
  readonly clientKey: Buffer | undefined;
  readonly clientCertificate: Buffer | undefined;
}

const MAX_MILLIS = 2 ** 31 - 1;

export function resolveOtlpConfig(env: Environment, options: OtlpOptions = {}): OtlpConfig {
  // The protocol first: it decides what an endpoint looks like.
  const protocol = choice(env, 'protocol', options.protocol, ['OTEL_EXPORTER_OTLP_METRICS_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL'], OTLP_PROTOCOLS, 'http/protobuf');
  const grpc = protocol === 'grpc';
  const explicitUrl = grpc ? grpcEndpoint(env, options.endpoint, options.insecure) : endpoint(env, options.endpoint);
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
  if (grpc && preset.grpcEndpoint === undefined && preset.endpoint !== undefined) throw grpcRefused(env, options, presetName);
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
  const url = explicitUrl ?? (grpc ? (preset.grpcEndpoint ?? DEFAULT_OTLP_GRPC_ENDPOINT) : (preset.endpoint ?? DEFAULT_OTLP_ENDPOINT));
  return {
    preset: presetName,
    url,
    tls: grpc && url.startsWith('https://') ? tlsFiles(env) : undefined,
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

/**
 * A preset whose vendor takes OTLP over HTTP only, with `grpc` chosen:
 * refused at start rather than sent where nothing listens. Datadog's
 * agentless intake asks for the OTLP HTTP exporter
 * (https://docs.datadoghq.com/opentelemetry/setup/otlp_ingest/metrics/); the
 * Datadog Agent's OTLP receiver takes gRPC on 4317
 * (https://docs.datadoghq.com/opentelemetry/setup/otlp_ingest_in_the_agent/).
 * CloudWatch's OTLP endpoint is HTTP with SigV4
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch-OTLPEndpoint.html).
 */
function grpcRefused(env: Environment, options: OtlpOptions, preset: string): ConfigurationError {
  const source: ConfigurationSource =
    options.protocol !== undefined ? option('otlp.protocol') : readString(env, 'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL') !== undefined ? variable('OTEL_EXPORTER_OTLP_METRICS_PROTOCOL') : variable('OTEL_EXPORTER_OTLP_PROTOCOL');
  const why =
    preset === 'datadog'
      ? "Datadog's OTLP intake takes OTLP/HTTP only; to send over gRPC, point OTEL_EXPORTER_OTLP_ENDPOINT at the Datadog Agent's OTLP receiver (http://<agent>:4317) without the datadog preset"
      : `the ${preset} OTLP endpoint takes OTLP/HTTP only (each request is signed with SigV4)`;
  return invalid(source, 'grpc', `cannot be used with the ${preset} preset: ${why}`, 'http/protobuf or http/json with this preset', { related: ['INFEROMETER_OTLP_PRESET', 'otlp.preset'] });
}

/** What a gRPC endpoint accepts, for messages. */
const GRPC_URL_ACCEPTED = 'an http:// (plaintext) or https:// (TLS) URL without a path, e.g. http://otel-collector:4317, or host:port with OTEL_EXPORTER_OTLP_INSECURE deciding TLS';

/** A scheme-less gRPC target, `host:port` or `[v6]:port` (specification: allowed for gRPC, TLS per the insecure option). */
const SCHEMELESS_TARGET = /^(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9.-]*[a-z0-9])?):\d{1,5}$/i;

/**
 * The gRPC endpoint the user configured, or undefined. Specification
 * (protocol/exporter.md): for OTLP/gRPC the endpoint is used as it is, no
 * signal path is appended, and `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT` and
 * `OTEL_EXPORTER_OTLP_ENDPOINT` mean the same thing. A path would be
 * ignored by the JS exporter with a warning: refused here instead.
 */
function grpcEndpoint(env: Environment, given: string | undefined, insecureOption: boolean | undefined): string | undefined {
  let source: ConfigurationSource;
  let raw: string | undefined;
  if (given !== undefined) {
    source = option('otlp.endpoint');
    raw = typeof given === 'string' ? given.trim() : (given as string);
  } else {
    const name = readString(env, 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT') !== undefined ? 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT' : 'OTEL_EXPORTER_OTLP_ENDPOINT';
    source = variable(name);
    raw = readString(env, name);
  }
  // Checked whether or not it applies, so that a typo fails wherever it is.
  const plaintext = insecure(env, insecureOption);
  if (raw === undefined) return undefined;
  if (typeof raw === 'string' && SCHEMELESS_TARGET.test(raw)) return `${plaintext ? 'http' : 'https'}://${raw}`;
  const url = checkUrl(source, raw);
  if (new URL(url).pathname !== '/' || /[?#]/.test(url)) throw invalid(source, url, 'has a path, query or fragment, which gRPC has no place for (the method path is fixed by the OTLP service)', GRPC_URL_ACCEPTED);
  return url.replace(/\/$/, '');
}

/** `otlp.insecure`, else `OTEL_EXPORTER_OTLP_METRICS_INSECURE`, else `OTEL_EXPORTER_OTLP_INSECURE`, else false. */
function insecure(env: Environment, given: boolean | undefined): boolean {
  if (given !== undefined) return checkBoolean(option('otlp.insecure'), given);
  const value = readChoice(env, 'OTEL_EXPORTER_OTLP_METRICS_INSECURE', ['true', 'false']) ?? readChoice(env, 'OTEL_EXPORTER_OTLP_INSECURE', ['true', 'false']);
  return value === 'true';
}

/**
 * The TLS files of a gRPC channel, read now: a missing file fails at start
 * naming its variable (the JS exporter would warn and connect without it).
 * Specification variables: `OTEL_EXPORTER_OTLP_(METRICS_)CERTIFICATE` (trusted
 * roots), `_CLIENT_KEY` and `_CLIENT_CERTIFICATE` (mTLS, both or neither).
 */
function tlsFiles(env: Environment): OtlpTlsFiles {
  const read = (suffix: string): { name: string; content: Buffer } | undefined => {
    const name = readString(env, `OTEL_EXPORTER_OTLP_METRICS_${suffix}`) !== undefined ? `OTEL_EXPORTER_OTLP_METRICS_${suffix}` : `OTEL_EXPORTER_OTLP_${suffix}`;
    const path = readString(env, name);
    if (path === undefined) return undefined;
    try {
      return { name, content: readFileSync(resolve(path)) };
    } catch (err) {
      throw invalid(variable(name), path, `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, 'the path of a readable PEM file', { cause: err });
    }
  };
  const rootCertificate = read('CERTIFICATE');
  const clientKey = read('CLIENT_KEY');
  const clientCertificate = read('CLIENT_CERTIFICATE');
  if ((clientKey === undefined) !== (clientCertificate === undefined)) {
    const missing = clientKey === undefined ? 'OTEL_EXPORTER_OTLP_CLIENT_KEY' : 'OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE';
    const given = clientKey?.name ?? clientCertificate?.name ?? '';
    throw new ConfigurationError(`${given} is set without ${missing}: a client certificate and its key go together (mutual TLS)`, {
      variable: missing,
      accepted: 'the path of a readable PEM file, set together with its pair',
      related: [given],
    });
  }
  return { rootCertificate: rootCertificate?.content, clientKey: clientKey?.content, clientCertificate: clientCertificate?.content };
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
): T {
  if (value !== undefined) return checkChoice(option(`otlp.${name}`), value, accepted);
  for (const name of variables) {
    const raw = readString(env, name);
    if (raw === undefined) continue;
    return checkChoice(variable(name), raw, accepted);
  }
  return fallback;
}
