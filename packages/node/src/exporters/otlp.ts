/**
 * The OTLP packages are loaded with `import()` when the exporter is built,
 * not at the top: a service that does not export OTLP never loads them (a
 * static import is a top-level require of the CommonJS build: with the
 * remote write exporter's package, about 40 ms of CPU in every process that
 * loads @inferometer/node, median of 21 fresh processes).
 */
import type { OTLPMetricExporterOptions } from '@opentelemetry/exporter-metrics-otlp-http';
import { AggregationType, InstrumentType, PeriodicExportingMetricReader, type AggregationOption, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { option, variable, type ConfigurationSource } from '../config/env.js';
import { resolveOtlpConfig, type OtlpConfig, type OtlpOptions } from '../config/otlp.js';
import type { SigV4Settings } from '../config/otlp-presets.js';
import { exportTiming } from '../config/timing.js';
import type { ExporterFactory } from './exporter.js';
import { PayloadLimitedExporter } from './otlp-batches.js';
import { createGrpcExporter } from './otlp-grpc.js';
import { createSigV4Signer, SigV4Transport } from './sigv4.js';

const EXPONENTIAL: AggregationOption = { type: AggregationType.EXPONENTIAL_HISTOGRAM };
const DEFAULT: AggregationOption = { type: AggregationType.DEFAULT };

/**
 * `otlp`: periodic push over OTLP/HTTP (protobuf or JSON) or OTLP/gRPC to a
 * Collector or a vendor preset, split under the receiver's payload limit.
 */
export const otlpExporter: ExporterFactory = async ({ env, options, metricProducersFor }) => {
  const config = resolveOtlpConfig(env, options.otlp);
  const { interval, timeout } = exportTiming(env, options);
  // Every OTLP exporter (proto, JSON, gRPC) is built on this package: loading it costs nothing more.
  const { AggregationTemporalityPreference } = await import('@opentelemetry/exporter-metrics-otlp-http');
  const temporality = {
    cumulative: AggregationTemporalityPreference.CUMULATIVE,
    delta: AggregationTemporalityPreference.DELTA,
    lowmemory: AggregationTemporalityPreference.LOWMEMORY,
  }[config.temporality];
  const exporterOptions = {
    url: config.url,
    headers: config.headers,
    timeoutMillis: config.timeoutMillis,
    compression: config.compression as never,
    temporalityPreference: temporality,
    // The JS exporter does not read OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION
    // (specification: it SHOULD); its aggregationPreference carries it instead.
    aggregationPreference: (type: InstrumentType): AggregationOption =>
      type === InstrumentType.HISTOGRAM && config.histogramAggregation === 'base2_exponential_bucket_histogram' ? EXPONENTIAL : DEFAULT,
  };
  const json = config.protocol === 'http/json';
  const { JsonMetricsSerializer, ProtobufMetricsSerializer } = await import('@opentelemetry/otlp-transformer');
  // gRPC carries the same protobuf message as http/protobuf: measured alike.
  const serializer = json ? JsonMetricsSerializer : ProtobufMetricsSerializer;
  let exporter: PushMetricExporter;
  if (config.protocol === 'grpc') {
    // Its packages are loaded only now: they bring @grpc/grpc-js.
    exporter = await createGrpcExporter(config, exporterOptions, env, options.otlp);
  } else if (config.sigv4 !== undefined) {
    exporter = await signedExporter(config, config.sigv4, exporterOptions, presetSource(env, options.otlp));
  } else if (json) {
    const { OTLPMetricExporter } = await import('@opentelemetry/exporter-metrics-otlp-http');
    exporter = new OTLPMetricExporter(exporterOptions);
  } else {
    const { OTLPMetricExporter } = await import('@opentelemetry/exporter-metrics-otlp-proto');
    exporter = new OTLPMetricExporter(exporterOptions);
  }
  const limited = new PayloadLimitedExporter(exporter, {
    maxPayloadBytes: config.maxPayloadBytes,
    measure: (metrics) => serializer.serializeRequest(metrics)?.length ?? 0,
    ...(config.attributeLimits === undefined ? {} : { attributeLimits: config.attributeLimits }),
  });
  return {
    reader: new PeriodicExportingMetricReader({
      exporter: limited,
      exportIntervalMillis: interval,
      exportTimeoutMillis: timeout,
      // Producers are not told the reader's temporality: a delta reader
      // (Datadog, New Relic, lowmemory) needs delta producers of its own.
      // With base-2 aggregation the catalog's histograms come exponential too (the New Relic preset).
      metricProducers: metricProducersFor(config.temporality === 'cumulative' ? 'cumulative' : 'delta', config.histogramAggregation === 'base2_exponential_bucket_histogram' ? 'exponential' : 'explicit'),
    }),
  };
};

/**
 * The upstream OTLP metric exporter (temporality and aggregation selection,
 * serialization, concurrency limit, partial-success logging) over a transport
 * that signs each request with SigV4: the cloudwatch preset.
 */
async function signedExporter(config: OtlpConfig, sigv4: SigV4Settings, exporterOptions: OTLPMetricExporterOptions, source: ConfigurationSource): Promise<PushMetricExporter> {
  const json = config.protocol === 'http/json';
  const [{ OTLPMetricExporterBase }, { createOtlpNetworkExportDelegate, ExporterMetrics, getSharedConfigurationDefaults, mergeOtlpSharedConfigurationWithDefaults, OTLPExporterError }, { JsonMetricsSerializer, MetricsExporterMetricsHelper, ProtobufMetricsSerializer }] =
    await Promise.all([import('@opentelemetry/exporter-metrics-otlp-http'), import('@opentelemetry/otlp-exporter-base'), import('@opentelemetry/otlp-transformer')]);
  const signer = await createSigV4Signer(sigv4, source);
  const transport = new SigV4Transport({
    url: config.url,
    headers: config.headers,
    contentType: json ? 'application/json' : 'application/x-protobuf',
    compression: config.compression,
    signer,
    errorType: OTLPExporterError,
  });
  const shared = mergeOtlpSharedConfigurationWithDefaults({ timeoutMillis: config.timeoutMillis, compression: config.compression }, {}, getSharedConfigurationDefaults());
  const metrics = new ExporterMetrics({
    // The component types upstream's own exporters report (semantic conventions, otel.component.type).
    componentType: json ? 'otlp_http_json_metric_exporter' : 'otlp_http_metric_exporter',
    metricsHelper: MetricsExporterMetricsHelper,
    url: config.url,
    // No self-observability meter: a no-op, as upstream's exporters without one.
    meterProvider: undefined,
    responseAttributesFromError: () => ({}),
  });
  const delegate = createOtlpNetworkExportDelegate(shared, json ? JsonMetricsSerializer : ProtobufMetricsSerializer, metrics, transport);
  return new OTLPMetricExporterBase(delegate, exporterOptions);
}

/** Where the cloudwatch preset was chosen, for the error when its packages are missing. */
function presetSource(env: Record<string, string | undefined>, given: OtlpOptions | undefined): ConfigurationSource {
  return given?.preset !== undefined || env.INFEROMETER_OTLP_PRESET === undefined ? option('otlp.preset') : variable('INFEROMETER_OTLP_PRESET');
}
