/**
 * OTLP over gRPC: `@opentelemetry/exporter-metrics-otlp-grpc` with the
 * configuration checked at start (config/otlp.ts). Its packages are loaded
 * with `import()` when `grpc` is chosen, so `@grpc/grpc-js` is never loaded
 * otherwise (a static import would be hoisted into the CommonJS build's
 * top-level requires).
 */
import { diag } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { OTLPMetricExporterOptions } from '@opentelemetry/exporter-metrics-otlp-http';
import type { AggregationOption, AggregationTemporality, InstrumentType, PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { invalid, option, variable, type ConfigurationSource, type Environment } from '../config/env.js';
import type { OtlpConfig, OtlpOptions } from '../config/otlp.js';

/**
 * The gRPC status codes the OTLP specification calls retryable
 * (https://opentelemetry.io/docs/specs/otlp/#failures): CANCELLED,
 * DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE, UNAVAILABLE, DATA_LOSS.
 * RESOURCE_EXHAUSTED only with RetryInfo, which the JS transport does not
 * surface: not retried.
 */
export const RETRYABLE_GRPC_CODES: ReadonlySet<number> = new Set([1, 4, 10, 11, 14, 15]);

/**
 * Retries per export and the back-off between them: the JS OTLP/HTTP
 * transport's own (otlp-exporter-base retrying-transport: 5 retries, 1 s
 * growing x1.5 up to 5 s, +-20 % jitter), so both transports behave alike.
 */
const MAX_RETRIES = 5;
const INITIAL_BACKOFF_MILLIS = 1000;
const MAX_BACKOFF_MILLIS = 5000;
const BACKOFF_MULTIPLIER = 1.5;
const JITTER = 0.2;

/** The OTLP/gRPC exporter for a checked configuration. */
export async function createGrpcExporter(config: OtlpConfig, exporterOptions: OTLPMetricExporterOptions, env: Environment, given: OtlpOptions | undefined): Promise<PushMetricExporter> {
  const [{ OTLPMetricExporter }, { createEmptyMetadata, createInsecureCredentials, createSslCredentials }] = await Promise.all([
    import('@opentelemetry/exporter-metrics-otlp-grpc'),
    import('@opentelemetry/otlp-grpc-exporter-base'),
  ]);
  const metadata = createEmptyMetadata();
  for (const [key, value] of Object.entries(config.headers)) {
    try {
      metadata.set(key, value);
    } catch (err) {
      // gRPC refuses some names a header list allows (`-bin` keys take binary values, reserved `grpc-` keys).
      throw invalid(headersSource(env, given), undefined, `header ${key} cannot be sent as gRPC metadata (${err instanceof Error ? err.message : String(err)})`, 'metadata keys of lower-case letters, digits, - _ . not ending in -bin', {
        cause: err,
      });
    }
  }
  const tls = config.tls;
  const credentials = config.url.startsWith('http://') ? createInsecureCredentials() : createSslCredentials(tls?.rootCertificate, tls?.clientKey, tls?.clientCertificate);
  const exporter = new OTLPMetricExporter({
    ...exporterOptions,
    url: config.url,
    metadata,
    credentials,
    // The JS exporter types its compression as an enum of the same strings.
    compression: config.compression as never,
    timeoutMillis: config.timeoutMillis,
  });
  return new RetryingGrpcExporter(exporter, config.timeoutMillis);
}

/** Where the headers came from, for an error about one of them. */
function headersSource(env: Environment, given: OtlpOptions | undefined): ConfigurationSource {
  if (given?.headers !== undefined) return option('otlp.headers');
  return env.OTEL_EXPORTER_OTLP_METRICS_HEADERS?.trim() ? variable('OTEL_EXPORTER_OTLP_METRICS_HEADERS') : variable('OTEL_EXPORTER_OTLP_HEADERS');
}

/**
 * Retries an export the receiver answered with a retryable gRPC status.
 * The JS gRPC transport reports every error as a final failure (its HTTP
 * transport retries 429, 502, 503, 504), so a Collector restarting, or a
 * load balancer answering UNAVAILABLE, would lose that export; the
 * specification says transient errors MUST be retried with exponential
 * back-off and jitter (https://opentelemetry.io/docs/specs/otel/protocol/exporter/#retry).
 * Bounded by the attempts and by the export timeout, retries included.
 */
export class RetryingGrpcExporter implements PushMetricExporter {
  constructor(
    private readonly inner: PushMetricExporter,
    private readonly timeoutMillis: number,
    // Not unref'd: a flush on the way out (beforeExit, shutdown) awaits this
    // export, and the process should not end in the middle of it. Bounded by the timeout.
    private readonly sleep: (millis: number) => Promise<void> = (millis) => new Promise((resolve) => setTimeout(resolve, millis)),
  ) {}

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    void this.attempt(metrics).then(resultCallback);
  }

  private async attempt(metrics: ResourceMetrics): Promise<ExportResult> {
    const deadline = Date.now() + this.timeoutMillis;
    let backoff = INITIAL_BACKOFF_MILLIS;
    for (let retries = 0; ; retries++) {
      const result = await new Promise<ExportResult>((resolve) => {
        try {
          this.inner.export(metrics, resolve);
        } catch (err) {
          resolve({ code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) });
        }
      });
      if (result.code === ExportResultCode.SUCCESS || retries >= MAX_RETRIES || !retryable(result.error)) return result;
      const wait = Math.max(Math.min(backoff * (1 + (Math.random() * 2 - 1) * JITTER), MAX_BACKOFF_MILLIS), 0);
      backoff *= BACKOFF_MULTIPLIER;
      if (Date.now() + wait >= deadline) return result;
      diag.debug(`@inferometer/node: OTLP/gRPC export answered status ${String((result.error as { code?: unknown } | undefined)?.code)}; retry ${retries + 1} of ${MAX_RETRIES} in ${Math.round(wait)} ms`);
      await this.sleep(wait);
    }
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  selectAggregationTemporality(instrumentType: InstrumentType): AggregationTemporality {
    // The inner exporter always has it (OTLPMetricExporterBase); the fallback only satisfies the optional interface method.
    return this.inner.selectAggregationTemporality!(instrumentType);
  }

  selectAggregation(instrumentType: InstrumentType): AggregationOption {
    return this.inner.selectAggregation!(instrumentType);
  }
}

function retryable(error: Error | undefined): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' && RETRYABLE_GRPC_CODES.has(code);
}
