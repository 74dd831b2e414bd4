import { diag } from '@opentelemetry/api';
import { runtime } from '@inferometer/core/internal';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { AggregationTemporality, type PushMetricExporter, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { Delivery, REMOTE_WRITE_DROP_REASONS, type Enqueued } from './delivery/sender.js';
import { WriteRequestEncoder, type EncodeResult } from './encode/write-request.js';
import { WriteRequestV2Encoder } from './encode/write-request-v2.js';
import type { RemoteWriteProtocol } from './catalog.js';
import { resolveOptions, type RemoteWriteExporterOptions, type ResolvedOptions } from './options.js';
import { SelfMetrics } from './self-metrics.js';

/** What {@link RemoteWriteExporter.stats} reports. */
export interface RemoteWriteStats {
  /** The protocol requests go out in now: the configured one, or `'1.0'` after a fallback. */
  readonly protocol: RemoteWriteProtocol;
  /** The protocol configured (the `protocol` option). */
  readonly configuredProtocol: RemoteWriteProtocol;
  /** Times a 2.0 request was refused (415, or 2xx without `X-Prometheus-Remote-Write-*-Written` headers) and re-sent as 1.0. */
  readonly fallbacks: number;
  /** Sum of the receivers' `X-Prometheus-Remote-Write-Samples-Written` (2.0 only). */
  readonly samplesWritten: number;
  /** Sum of the receivers' `X-Prometheus-Remote-Write-Histograms-Written` (2.0 only). */
  readonly histogramsWritten: number;
  /** Sum of the receivers' `X-Prometheus-Remote-Write-Exemplars-Written` (2.0 only). */
  readonly exemplarsWritten: number;
  /** Samples queued or in flight. */
  readonly pendingSamples: number;
}

/**
 * A Prometheus remote write exporter (1.0, or 2.0 with `protocol: '2.0'`)
 * for OpenTelemetry JS metrics: give it to a `PeriodicExportingMetricReader`.
 *
 * `export()` encodes the metrics (protobuf + snappy, labels sorted, names as
 * the Prometheus pull endpoint shows them), queues the requests and returns
 * at once: delivery runs in the background with retries, so a slow or absent
 * receiver never holds up the reader, and nothing is thrown into the caller.
 * Always cumulative temporality, which Prometheus expects.
 *
 * @example
 * ```ts
 * import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
 * import { RemoteWriteExporter } from '@inferometer/exporter-remote-write';
 *
 * const exporter = new RemoteWriteExporter({ url: 'http://localhost:9090/api/v1/write' });
 * const provider = new MeterProvider({
 *   readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 15_000 })],
 * });
 * ```
 */
export class RemoteWriteExporter implements PushMetricExporter {
  private readonly options: ResolvedOptions;
  private readonly encoder: WriteRequestEncoder;
  private readonly encoderV2: WriteRequestV2Encoder | undefined;
  private readonly delivery: Delivery;
  private readonly selfMetrics: SelfMetrics;
  private stopping: Promise<void> | undefined;

  /** Throws a `RemoteWriteOptionsError` naming the option for a bad one. */
  constructor(options: RemoteWriteExporterOptions) {
    this.options = resolveOptions(options);
    const encoderOptions = {
      maxSamplesPerRequest: this.options.maxSamplesPerRequest,
      targetInfo: this.options.targetInfo,
      ...(this.options.instance === undefined ? {} : { instance: this.options.instance }),
    };
    this.encoder = new WriteRequestEncoder(encoderOptions);
    this.encoderV2 = this.options.protocol === '2.0' ? new WriteRequestV2Encoder(encoderOptions) : undefined;
    this.selfMetrics = new SelfMetrics(() => this.pendingByProtocol(), options.meterProvider);
    this.delivery = new Delivery(this.options, this.selfMetrics);
  }

  /** The receiver's URL. */
  get url(): string {
    return this.options.url;
  }

  /** Samples queued or in flight now. */
  get pendingSamples(): number {
    return this.delivery.pendingSamples;
  }

  /**
   * What the receiver said it wrote (the 2.0 `X-Prometheus-Remote-Write-*-Written`
   * headers, summed) and the protocol in use: 1.0 after a fallback.
   *
   * @example
   * ```ts
   * const { protocol, fallbacks, samplesWritten } = exporter.stats();
   * ```
   */
  stats(): RemoteWriteStats {
    const { protocol, fallbacks, samplesWritten, histogramsWritten, exemplarsWritten } = this.delivery.stats;
    return { protocol, configuredProtocol: this.options.protocol, fallbacks, samplesWritten, histogramsWritten, exemplarsWritten, pendingSamples: this.delivery.pendingSamples };
  }

  /** The pending gauge's values: the configured protocol's, and 1.0's once a 2.0 exporter fell back. */
  private pendingByProtocol(): (readonly [RemoteWriteProtocol, number])[] {
    const out: (readonly [RemoteWriteProtocol, number])[] = [[this.options.protocol, this.delivery.pendingIn(this.options.protocol)]];
    if (this.options.protocol === '2.0' && this.delivery.stats.fallbacks > 0) out.push(['1.0', this.delivery.pendingIn('1.0')]);
    return out;
  }

  /**
   * 2.0 requests, each able to become the 1.0 request holding the same
   * samples (the encoders cut at the same places): the 1.0 encoding of the
   * whole collection is made once, when a receiver first refuses one of them.
   * Until then the collection is kept with its queued requests.
   */
  private encodeV2(encoder: WriteRequestV2Encoder, metrics: ResourceMetrics): { batches: Enqueued[]; skippedDataPoints: number; skippedMetrics: readonly string[] } {
    const encoded = encoder.encode(metrics);
    let v1: EncodeResult | undefined;
    const batches = encoded.requests.map(
      (request, index): Enqueued => ({
        body: request.body,
        samples: request.samples,
        protocol: '2.0',
        fallback: () => (v1 ??= this.encoder.encode(metrics)).requests[index],
      }),
    );
    return { batches, skippedDataPoints: encoded.skippedDataPoints, skippedMetrics: encoded.skippedMetrics };
  }

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    if (this.stopping !== undefined) {
      resultCallback({ code: ExportResultCode.FAILED, error: new Error('RemoteWriteExporter is shut down') });
      return;
    }
    // Instruments exist before the first observation of the pending gauge.
    this.selfMetrics.instruments();
    let encoded: { batches: readonly Enqueued[]; skippedDataPoints: number; skippedMetrics: readonly string[] };
    const protocol = this.delivery.protocol;
    try {
      if (this.encoderV2 !== undefined && protocol === '2.0') {
        encoded = this.encodeV2(this.encoderV2, metrics);
      } else {
        const v1 = this.encoder.encode(metrics);
        encoded = { batches: v1.requests, skippedDataPoints: v1.skippedDataPoints, skippedMetrics: v1.skippedMetrics };
      }
    } catch (err) {
      // A bug, not bad data: report it and keep the service running.
      diag.error('@inferometer/exporter-remote-write: encoding failed; this export is dropped', err);
      this.selfMetrics.dropped(countDataPoints(metrics), REMOTE_WRITE_DROP_REASONS.encodeError, protocol);
      resultCallback({ code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) });
      return;
    }
    if (encoded.skippedDataPoints > 0) {
      this.selfMetrics.dropped(encoded.skippedDataPoints, REMOTE_WRITE_DROP_REASONS.unsupported, protocol);
      // Once per metric and process (core's report-once memory, bounded), not once per export.
      for (const name of encoded.skippedMetrics) {
        runtime().diag.warn(
          `@inferometer/exporter-remote-write:unsupported:${name}`,
          `@inferometer/exporter-remote-write: metric "${name}" is not sent: remote write stores cumulative data only (this metric is delta, or has no Prometheus type)`,
        );
      }
    }
    this.delivery.enqueue(encoded.batches);
    resultCallback({ code: ExportResultCode.SUCCESS });
  }

  /** Waits until the queue is empty, at most `flushTimeoutMillis`; never rejects. */
  async forceFlush(): Promise<void> {
    const drained = await this.delivery.flush(Date.now() + this.options.flushTimeoutMillis);
    if (!drained) {
      diag.warn(`@inferometer/exporter-remote-write: forceFlush: ${this.delivery.pendingSamples} samples still queued after ${this.options.flushTimeoutMillis} ms`);
    }
  }

  /** Sends what is queued until `flushTimeoutMillis` passes, then drops the rest (counted). Safe to call twice. */
  shutdown(): Promise<void> {
    this.stopping ??= this.delivery.close(Date.now() + this.options.flushTimeoutMillis);
    return this.stopping;
  }

  /** Prometheus stores cumulative series. */
  selectAggregationTemporality(): AggregationTemporality {
    return AggregationTemporality.CUMULATIVE;
  }
}

function countDataPoints(metrics: ResourceMetrics): number {
  let count = 0;
  for (const scope of metrics.scopeMetrics) for (const metric of scope.metrics) count += metric.dataPoints.length;
  return count;
}
