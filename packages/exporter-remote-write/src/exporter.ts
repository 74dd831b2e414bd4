import { diag } from '@opentelemetry/api';
import { runtime } from '@inferometer/core/internal';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { AggregationTemporality, type PushMetricExporter, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { Delivery, REMOTE_WRITE_DROP_REASONS } from './delivery/sender.js';
import { WriteRequestEncoder } from './encode/write-request.js';
import { resolveOptions, type RemoteWriteExporterOptions, type ResolvedOptions } from './options.js';
import { SelfMetrics } from './self-metrics.js';

/**
 * A Prometheus remote write 1.0 exporter for OpenTelemetry JS metrics: give
 * it to a `PeriodicExportingMetricReader`.
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
  private readonly delivery: Delivery;
  private readonly selfMetrics: SelfMetrics;
  private stopping: Promise<void> | undefined;

  /** Throws a TypeError or RangeError naming the option for a bad one. */
  constructor(options: RemoteWriteExporterOptions) {
    this.options = resolveOptions(options);
    this.encoder = new WriteRequestEncoder({
      maxSamplesPerRequest: this.options.maxSamplesPerRequest,
      targetInfo: this.options.targetInfo,
      ...(this.options.instance === undefined ? {} : { instance: this.options.instance }),
    });
    this.selfMetrics = new SelfMetrics(() => this.delivery.pendingSamples, options.meterProvider);
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

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    if (this.stopping !== undefined) {
      resultCallback({ code: ExportResultCode.FAILED, error: new Error('RemoteWriteExporter is shut down') });
      return;
    }
    // Instruments exist before the first observation of the pending gauge.
    this.selfMetrics.instruments();
    let encoded;
    try {
      encoded = this.encoder.encode(metrics);
    } catch (err) {
      // A bug, not bad data: report it and keep the service running.
      diag.error('@inferometer/exporter-remote-write: encoding failed; this export is dropped', err);
      this.selfMetrics.dropped(countDataPoints(metrics), REMOTE_WRITE_DROP_REASONS.encodeError);
      resultCallback({ code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) });
      return;
    }
    if (encoded.skippedDataPoints > 0) {
      this.selfMetrics.dropped(encoded.skippedDataPoints, REMOTE_WRITE_DROP_REASONS.unsupported);
      // Once per metric and process (core's report-once memory, bounded), not once per export.
      for (const name of encoded.skippedMetrics) {
        runtime().diag.warn(
          `@inferometer/exporter-remote-write:unsupported:${name}`,
          `@inferometer/exporter-remote-write: metric "${name}" is not sent: remote write 1.0 carries cumulative sums, gauges and explicit-bucket histograms only`,
        );
      }
    }
    this.delivery.enqueue(encoded.requests);
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
