/**
 * Vendor presets for OTLP push. Each fills in what the vendor's
 * documentation asks for; every value stays overridable by the standard
 * `OTEL_EXPORTER_OTLP_*` variables and by `start({ otlp })`.
 */
import { headerValueProblem } from '@inferometer/exporter-remote-write/internal';
import { checkChoice, ConfigurationError, invalid, option, readChoice, readString, variable, type ConfigurationSource, type Environment } from './env.js';

/** Preset names accepted in `INFEROMETER_OTLP_PRESET` and `otlp.preset`. */
export const OTLP_PRESETS = ['datadog', 'newrelic', 'cloudwatch', 'collector'] as const;
/** One of {@link OTLP_PRESETS}. */
export type OtlpPresetName = (typeof OTLP_PRESETS)[number];

/** Temporality preferences of `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`. */
export const OTLP_TEMPORALITY_PREFERENCES = ['cumulative', 'delta', 'lowmemory'] as const;
export type OtlpTemporalityPreference = (typeof OTLP_TEMPORALITY_PREFERENCES)[number];

/** Values of `OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION`. */
export const OTLP_HISTOGRAM_AGGREGATIONS = ['explicit_bucket_histogram', 'base2_exponential_bucket_histogram'] as const;
export type OtlpHistogramAggregation = (typeof OTLP_HISTOGRAM_AGGREGATIONS)[number];

/** Values of `OTEL_EXPORTER_OTLP_COMPRESSION`. */
export const OTLP_COMPRESSIONS = ['none', 'gzip'] as const;
export type OtlpCompression = (typeof OTLP_COMPRESSIONS)[number];

/** Limits a vendor puts on attributes; longer ones are cut before sending. */
export interface AttributeLimits {
  readonly nameLength: number;
  readonly valueLength: number;
  readonly arrayLength: number;
}

/** New Relic regions and their OTLP endpoints (docs.newrelic.com, "OTLP endpoint configuration"). */
export const NEW_RELIC_ENDPOINTS = {
  us: 'https://otlp.nr-data.net/v1/metrics',
  eu: 'https://otlp.eu01.nr-data.net/v1/metrics',
  fedramp: 'https://gov-otlp.nr-data.net/v1/metrics',
} as const;
export type NewRelicRegion = keyof typeof NEW_RELIC_ENDPOINTS;
/**
 * New Relic's OTLP/gRPC endpoints, port 4317, by region (docs.newrelic.com,
 * "New Relic OTLP endpoint": gRPC and HTTP on the same hosts; `api-key`
 * metadata; TLS 1.2).
 */
export const NEW_RELIC_GRPC_ENDPOINTS: Readonly<Record<NewRelicRegion, string>> = {
  us: 'https://otlp.nr-data.net:4317',
  eu: 'https://otlp.eu01.nr-data.net:4317',
  fedramp: 'https://gov-otlp.nr-data.net:4317',
};
const NEW_RELIC_REGIONS = Object.keys(NEW_RELIC_ENDPOINTS) as NewRelicRegion[];

/** Default Datadog site (`DD_SITE`). */
export const DEFAULT_DATADOG_SITE = 'datadoghq.com';
/** Datadog refuses (413) payloads above 500 KB uncompressed. */
export const DATADOG_MAX_PAYLOAD_BYTES = 500_000;
/** New Relic refuses payloads above 1 MB (10^6 bytes). */
export const NEW_RELIC_MAX_PAYLOAD_BYTES = 1_000_000;
/**
 * Without a vendor: 4 MiB, under the Collector's default request body limit
 * and gRPC's default message size, so the same batches fit any OTLP receiver.
 */
export const DEFAULT_OTLP_MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;
/** New Relic's attribute limits: names 255 characters, values 4095, arrays 64 items. */
export const NEW_RELIC_ATTRIBUTE_LIMITS: AttributeLimits = { nameLength: 255, valueLength: 4095, arrayLength: 64 };

/**
 * The SigV4 signing name of CloudWatch's OTLP metrics endpoint
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/metrics-otel-send.html:
 * "Authentication uses standard SigV4 signing. The service name is monitoring").
 */
export const CLOUDWATCH_SIGNING_SERVICE = 'monitoring';

/** The optional peer dependencies the cloudwatch preset loads when chosen (`npm install` them to use it). */
export const SIGV4_PACKAGES = ['@aws-sdk/credential-providers', '@smithy/signature-v4'] as const;

/** Variables the cloudwatch preset reads its region from, in order (the AWS SDKs' own order). */
export const AWS_REGION_VARIABLES = ['AWS_REGION', 'AWS_DEFAULT_REGION'] as const;

/**
 * An AWS region name: lower-case words and a number, e.g. `us-east-1`,
 * `eu-central-2`, `us-gov-west-1`, `cn-north-1`. Checked at start so that a
 * typo fails there rather than as a DNS error at the first export.
 */
const AWS_REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const AWS_REGION_ACCEPTED = 'an AWS region name such as us-east-1, eu-west-1, ap-southeast-2 (lower case, words and a number)';

/**
 * CloudWatch's OTLP metrics endpoint in a region: `https://monitoring.{region}.amazonaws.com/v1/metrics`
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch-OTLPEndpoint.html).
 * The China regions live under `amazonaws.com.cn`, like every AWS endpoint there.
 *
 * @example
 * ```ts
 * cloudWatchEndpoint('eu-west-1') // 'https://monitoring.eu-west-1.amazonaws.com/v1/metrics'
 * ```
 */
export function cloudWatchEndpoint(region: string): string {
  return `https://monitoring.${region}.${region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}/v1/metrics`;
}

/** How requests are signed (the cloudwatch preset): AWS Signature Version 4. */
export interface SigV4Settings {
  readonly region: string;
  readonly service: string;
}

/** What a preset contributes; everything else comes from the standard defaults. */
export interface OtlpPreset {
  readonly name: OtlpPresetName;
  /** The vendor's OTLP/HTTP metrics URL. */
  readonly endpoint?: string;
  /** The vendor's OTLP/gRPC endpoint, when it has one; a preset with an HTTP endpoint and none here refuses `grpc`. */
  readonly grpcEndpoint?: string;
  readonly headers: Record<string, string>;
  readonly temporality?: OtlpTemporalityPreference;
  readonly histogramAggregation?: OtlpHistogramAggregation;
  readonly compression?: OtlpCompression;
  readonly maxPayloadBytes: number;
  readonly attributeLimits?: AttributeLimits;
  /** Set when every request is signed with SigV4 (the cloudwatch preset). */
  readonly sigv4?: SigV4Settings;
}

/** Code-level inputs of the presets (see `StartOptions.otlp`). */
export interface PresetInputs {
  readonly apiKey?: string;
  readonly datadogSite?: string;
  readonly newRelicRegion?: NewRelicRegion;
  readonly awsRegion?: string;
}

/**
 * Which preset applies: the option, then `INFEROMETER_OTLP_PRESET`, then
 * detection from the vendor's key variable (`DD_API_KEY`,
 * `NEW_RELIC_LICENSE_KEY`). Detection only happens when no OTLP endpoint is
 * configured: a service that names its endpoint (a local Collector, an
 * Agent) keeps plain OTLP even when a vendor key is around for other tools.
 * `cloudwatch` is never detected: `AWS_REGION` is set on every AWS compute
 * service, whatever the service exports to.
 */
export function choosePreset(env: Environment, given: OtlpPresetName | undefined, endpointConfigured: boolean): OtlpPresetName {
  if (given !== undefined) return checkChoice(option('otlp.preset'), given, OTLP_PRESETS);
  const raw = readString(env, 'INFEROMETER_OTLP_PRESET');
  if (raw !== undefined) return checkChoice(variable('INFEROMETER_OTLP_PRESET'), raw, OTLP_PRESETS);
  if (endpointConfigured) return 'collector';
  const datadog = readString(env, 'DD_API_KEY') !== undefined;
  const newRelic = readString(env, 'NEW_RELIC_LICENSE_KEY') !== undefined;
  if (datadog && newRelic) {
    throw new ConfigurationError(
      `DD_API_KEY and NEW_RELIC_LICENSE_KEY are both set, so the OTLP destination is ambiguous; set INFEROMETER_OTLP_PRESET to one of: ${OTLP_PRESETS.join(', ')}`,
      { variable: 'INFEROMETER_OTLP_PRESET', accepted: OTLP_PRESETS.join(', '), related: ['DD_API_KEY', 'NEW_RELIC_LICENSE_KEY'] },
    );
  }
  return datadog ? 'datadog' : newRelic ? 'newrelic' : 'collector';
}

/** What a vendor key accepts, for messages. */
const API_KEY_ACCEPTED = 'the key as the vendor shows it: visible ASCII characters (it is sent as an HTTP header value, RFC 9110 section 5.5)';

/** A vendor key from the option or its variable, checked as the header value it becomes; never quoted in errors. */
function apiKey(env: Environment, given: string | undefined, name: string): string | undefined {
  const source: ConfigurationSource = given !== undefined ? option('otlp.apiKey') : variable(name);
  const key = given ?? readString(env, name);
  if (key === undefined) return undefined;
  const problem = key === '' ? { problem: 'is empty' } : headerValueProblem(key);
  if (problem !== undefined) throw invalid(source, key, problem.problem, API_KEY_ACCEPTED, { secret: true });
  return key;
}

/** What `DD_SITE` accepts. */
const DATADOG_SITE_ACCEPTED = 'a Datadog site host name such as datadoghq.com, datadoghq.eu, us3.datadoghq.com, us5.datadoghq.com, ap1.datadoghq.com, ddog-gov.com';

/**
 * The preset's settings. `headers` are what the user configured already (a
 * vendor key given as a standard header counts as given).
 */
export function presetSettings(name: OtlpPresetName, env: Environment, inputs: PresetInputs, headers: Readonly<Record<string, string>>): OtlpPreset {
  switch (name) {
    case 'datadog': {
      // docs.datadoghq.com/opentelemetry/setup/otlp_ingest/metrics: delta only
      // (cumulative monotonic sums are refused), dd-api-key header, 500 KB.
      const siteSource: ConfigurationSource = inputs.datadogSite !== undefined ? option('otlp.datadogSite') : variable('DD_SITE');
      const site = inputs.datadogSite ?? readString(env, 'DD_SITE') ?? DEFAULT_DATADOG_SITE;
      if (typeof site !== 'string' || site.length > 253 || !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i.test(site)) {
        throw invalid(siteSource, site, 'is not a Datadog site', DATADOG_SITE_ACCEPTED);
      }
      const key = apiKey(env, inputs.apiKey, 'DD_API_KEY');
      if (key === undefined && !hasHeader(headers, 'dd-api-key')) {
        throw new ConfigurationError('the datadog OTLP preset needs DD_API_KEY (your Datadog API key; it is sent as the dd-api-key header)', {
          variable: 'DD_API_KEY',
          accepted: API_KEY_ACCEPTED,
        });
      }
      return {
        name,
        endpoint: `https://otlp.${site}/v1/metrics`,
        headers: key === undefined ? {} : { 'dd-api-key': key },
        temporality: 'delta',
        maxPayloadBytes: DATADOG_MAX_PAYLOAD_BYTES,
      };
    }
    case 'newrelic': {
      // docs.newrelic.com OTLP: api-key header with the license key, delta for
      // counters and histograms, base2 exponential histograms, attribute
      // limits, payloads up to 1 MB, gzip accepted.
      const region =
        inputs.newRelicRegion !== undefined
          ? checkChoice(option('otlp.newRelicRegion'), inputs.newRelicRegion, NEW_RELIC_REGIONS)
          : (readChoice(env, 'NEW_RELIC_REGION', NEW_RELIC_REGIONS) ?? 'us');
      const key = apiKey(env, inputs.apiKey, 'NEW_RELIC_LICENSE_KEY');
      if (key === undefined && !hasHeader(headers, 'api-key')) {
        throw new ConfigurationError('the newrelic OTLP preset needs NEW_RELIC_LICENSE_KEY (your New Relic license key; it is sent as the api-key header)', {
          variable: 'NEW_RELIC_LICENSE_KEY',
          accepted: API_KEY_ACCEPTED,
        });
      }
      return {
        name,
        endpoint: NEW_RELIC_ENDPOINTS[region],
        grpcEndpoint: NEW_RELIC_GRPC_ENDPOINTS[region],
        headers: key === undefined ? {} : { 'api-key': key },
        temporality: 'delta',
        histogramAggregation: 'base2_exponential_bucket_histogram',
        compression: 'gzip',
        maxPayloadBytes: NEW_RELIC_MAX_PAYLOAD_BYTES,
        attributeLimits: NEW_RELIC_ATTRIBUTE_LIMITS,
      };
    }
    case 'cloudwatch': {
      // CloudWatch's OTLP metrics endpoint: SigV4 with the monitoring signing
      // name, HTTP (protobuf or JSON, gzip or none), no key header. The
      // temporality stays the specification's default, cumulative: the
      // documentation's own SDK example keeps the exporter's default, and
      // the metrics are read back with PromQL (Prometheus 3 semantics), whose
      // rate() and increase() expect cumulative counters
      // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/metrics-otel-send.html,
      // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch-PromQL.html).
      // No size limit is documented for the metrics endpoint; the default
      // 4 MiB stays under the 5 MB its traces and logs endpoints take.
      const region = awsRegion(env, inputs.awsRegion);
      return {
        name,
        endpoint: cloudWatchEndpoint(region),
        headers: {},
        temporality: 'cumulative',
        maxPayloadBytes: DEFAULT_OTLP_MAX_PAYLOAD_BYTES,
        sigv4: { region, service: CLOUDWATCH_SIGNING_SERVICE },
      };
    }
    default:
      return { name, headers: {}, maxPayloadBytes: DEFAULT_OTLP_MAX_PAYLOAD_BYTES };
  }
}

/** The region of the cloudwatch preset: the option, then `AWS_REGION`, then `AWS_DEFAULT_REGION`; required. */
function awsRegion(env: Environment, given: string | undefined): string {
  if (given !== undefined) {
    if (typeof given !== 'string' || !AWS_REGION_PATTERN.test(given)) throw invalid(option('otlp.awsRegion'), given, 'is not an AWS region name', AWS_REGION_ACCEPTED);
    return given;
  }
  for (const name of AWS_REGION_VARIABLES) {
    const raw = readString(env, name);
    if (raw === undefined) continue;
    if (!AWS_REGION_PATTERN.test(raw)) throw invalid(variable(name), raw, 'is not an AWS region name', AWS_REGION_ACCEPTED);
    return raw;
  }
  throw new ConfigurationError(
    'the cloudwatch OTLP preset needs a region: set AWS_REGION (or AWS_DEFAULT_REGION, or start({ otlp: { awsRegion } })); it picks the endpoint https://monitoring.{region}.amazonaws.com/v1/metrics and the SigV4 scope',
    { variable: 'AWS_REGION', accepted: AWS_REGION_ACCEPTED, related: ['AWS_DEFAULT_REGION', 'otlp.awsRegion'] },
  );
}

function hasHeader(headers: Readonly<Record<string, string>>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}
