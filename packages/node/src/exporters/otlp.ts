import { OTLPMetricExporter as OTLPJsonMetricExporter, AggregationTemporalityPreference } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as OTLPProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { JsonMetricsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { AggregationType, InstrumentType, PeriodicExportingMetricReader, type AggregationOption } from '@opentelemetry/sdk-metrics';
import { resolveOtlpConfig, type OtlpConfig } from '../config/otlp.js';
import { exportTiming } from '../config/timing.js';
import type { ExporterFactory } from './exporter.js';
import { PayloadLimitedExporter } from './otlp-batches.js';

const TEMPORALITY: Record<OtlpConfig['temporality'], AggregationTemporalityPreference> = {
  cumulative: AggregationTemporalityPreference.CUMULATIVE,
  delta: AggregationTemporalityPreference.DELTA,
  lowmemory: AggregationTemporalityPreference.LOWMEMORY,
};

const EXPONENTIAL: AggregationOption = { type: AggregationType.EXPONENTIAL_HISTOGRAM };
const DEFAULT: AggregationOption = { type: AggregationType.DEFAULT };

/**
 * `otlp`: periodic push over OTLP/HTTP (protobuf or JSON) to a Collector or a
 * vendor preset, split under the receiver's payload limit.
 */
export const otlpExporter: ExporterFactory = ({ env, options, metricProducersFor }) => {
  const config = resolveOtlpConfig(env, options.otlp);
  const { interval, timeout } = exportTiming(env, options);
  const exporterOptions = {
    url: config.url,
    headers: config.headers,
    timeoutMillis: config.timeoutMillis,
    compression: config.compression as never,
    temporalityPreference: TEMPORALITY[config.temporality],
    // The JS exporter does not read OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION
    // (specification: it SHOULD); its aggregationPreference carries it instead.
    aggregationPreference: (type: InstrumentType): AggregationOption =>
      type === InstrumentType.HISTOGRAM && config.histogramAggregation === 'base2_exponential_bucket_histogram' ? EXPONENTIAL : DEFAULT,
  };
  const json = config.protocol === 'http/json';
  const exporter = json ? new OTLPJsonMetricExporter(exporterOptions) : new OTLPProtoMetricExporter(exporterOptions);
  const serializer = json ? JsonMetricsSerializer : ProtobufMetricsSerializer;
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
