/**
 * Vendor presets for OTLP push (issue 4). Each fills in what the vendor's
 * documentation asks for; every value stays overridable by the standard
 * `OTEL_EXPORTER_OTLP_*` variables and by `start({ otlp })`.
 */
import { ConfigurationError, readString, type Environment } from './env.js';

/** Preset names accepted in `INFEROMETER_OTLP_PRESET` and `otlp.preset`. */
export const OTLP_PRESETS = ['datadog', 'newrelic', 'collector'] as const;
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

/** What a preset contributes; everything else comes from the standard defaults. */
export interface OtlpPreset {
  readonly name: OtlpPresetName;
  readonly endpoint?: string;
  readonly headers: Record<string, string>;
  readonly temporality?: OtlpTemporalityPreference;
  readonly histogramAggregation?: OtlpHistogramAggregation;
  readonly compression?: OtlpCompression;
  readonly maxPayloadBytes: number;
  readonly attributeLimits?: AttributeLimits;
}

/** Code-level inputs of the presets (see `StartOptions.otlp`). */
export interface PresetInputs {
  readonly apiKey?: string;
  readonly datadogSite?: string;
  readonly newRelicRegion?: NewRelicRegion;
}

/**
 * Which preset applies: the option, then `INFEROMETER_OTLP_PRESET`, then
 * detection from the vendor's key variable (`DD_API_KEY`,
 * `NEW_RELIC_LICENSE_KEY`). Detection only happens when no OTLP endpoint is
 * configured: a service that names its endpoint (a local Collector, an
 * Agent) keeps plain OTLP even when a vendor key is around for other tools.
 */
export function choosePreset(env: Environment, option: OtlpPresetName | undefined, endpointConfigured: boolean): OtlpPresetName {
  if (option !== undefined) {
    if (!(OTLP_PRESETS as readonly string[]).includes(option)) {
      throw new ConfigurationError(`start({ otlp: { preset } }): "${String(option)}" is not a preset; accepted values: ${OTLP_PRESETS.join(', ')}`);
    }
    return option;
  }
  const raw = readString(env, 'INFEROMETER_OTLP_PRESET');
  if (raw !== undefined) {
    const name = raw.toLowerCase();
    if (!(OTLP_PRESETS as readonly string[]).includes(name)) {
      throw new ConfigurationError(`INFEROMETER_OTLP_PRESET="${raw}" is not a preset; accepted values: ${OTLP_PRESETS.join(', ')}`);
    }
    return name as OtlpPresetName;
  }
  if (endpointConfigured) return 'collector';
  const datadog = readString(env, 'DD_API_KEY') !== undefined;
  const newRelic = readString(env, 'NEW_RELIC_LICENSE_KEY') !== undefined;
  if (datadog && newRelic) {
    throw new ConfigurationError(
      `DD_API_KEY and NEW_RELIC_LICENSE_KEY are both set, so the OTLP destination is ambiguous; set INFEROMETER_OTLP_PRESET to one of: ${OTLP_PRESETS.join(', ')}`,
    );
  }
  return datadog ? 'datadog' : newRelic ? 'newrelic' : 'collector';
}

/**
 * The preset's settings. `headers` are what the user configured already (a
 * vendor key given as a standard header counts as given).
 */
export function presetSettings(name: OtlpPresetName, env: Environment, inputs: PresetInputs, headers: Readonly<Record<string, string>>): OtlpPreset {
  switch (name) {
    case 'datadog': {
      // docs.datadoghq.com/opentelemetry/setup/otlp_ingest/metrics: delta only
      // (cumulative monotonic sums are refused), dd-api-key header, 500 KB.
      const site = inputs.datadogSite ?? readString(env, 'DD_SITE') ?? DEFAULT_DATADOG_SITE;
      if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i.test(site)) {
        throw new ConfigurationError(`DD_SITE="${site}" is not a Datadog site; expected a host name such as datadoghq.com, datadoghq.eu, us3.datadoghq.com`);
      }
      const key = inputs.apiKey ?? readString(env, 'DD_API_KEY');
      if (key === undefined && !hasHeader(headers, 'dd-api-key')) {
        throw new ConfigurationError('the datadog OTLP preset needs DD_API_KEY (your Datadog API key; it is sent as the dd-api-key header)');
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
      const raw = inputs.newRelicRegion ?? readString(env, 'NEW_RELIC_REGION') ?? 'us';
      const region = raw.toLowerCase();
      if (!(region in NEW_RELIC_ENDPOINTS)) {
        throw new ConfigurationError(`NEW_RELIC_REGION="${raw}" is not a New Relic region; accepted values: ${Object.keys(NEW_RELIC_ENDPOINTS).join(', ')}`);
      }
      const key = inputs.apiKey ?? readString(env, 'NEW_RELIC_LICENSE_KEY');
      if (key === undefined && !hasHeader(headers, 'api-key')) {
        throw new ConfigurationError('the newrelic OTLP preset needs NEW_RELIC_LICENSE_KEY (your New Relic license key; it is sent as the api-key header)');
      }
      return {
        name,
        endpoint: NEW_RELIC_ENDPOINTS[region as NewRelicRegion],
        headers: key === undefined ? {} : { 'api-key': key },
        temporality: 'delta',
        histogramAggregation: 'base2_exponential_bucket_histogram',
        compression: 'gzip',
        maxPayloadBytes: NEW_RELIC_MAX_PAYLOAD_BYTES,
        attributeLimits: NEW_RELIC_ATTRIBUTE_LIMITS,
      };
    }
    default:
      return { name, headers: {}, maxPayloadBytes: DEFAULT_OTLP_MAX_PAYLOAD_BYTES };
  }
}

function hasHeader(headers: Readonly<Record<string, string>>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}
