/**
 * Keeps every OTLP request under a vendor's payload limit (Datadog refuses
 * more than 500 KB uncompressed, https://docs.datadoghq.com/api/latest/metrics/;
 * New Relic more than 1 MB,
 * https://docs.newrelic.com/docs/opentelemetry/best-practices/opentelemetry-otlp/) by
 * splitting one export into several, measured with the very serializer the
 * exporter uses. Also cuts attributes to a vendor's length limits.
 */
import { diag, type Attributes, type AttributeValue } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  AggregationType,
  type AggregationOption,
  type InstrumentType,
  type MetricData,
  type PushMetricExporter,
  type ResourceMetrics,
  type ScopeMetrics,
} from '@opentelemetry/sdk-metrics';
import { OnceReporter } from '@inferometer/core/internal';
import type { AttributeLimits } from '../config/otlp-presets.js';

/** Options of {@link PayloadLimitedExporter}. */
export interface PayloadLimits {
  /** Largest request body, in bytes as `measure` counts them. */
  readonly maxPayloadBytes: number;
  /** Size of the request body the wrapped exporter would send for this data (uncompressed). */
  readonly measure: (metrics: ResourceMetrics) => number;
  /** Attribute limits to apply before sending, if the receiver has any. */
  readonly attributeLimits?: AttributeLimits;
}

const DEFAULT_AGGREGATION: AggregationOption = { type: AggregationType.DEFAULT };

interface Part {
  readonly scope: ScopeMetrics['scope'];
  readonly metric: MetricData;
}

/** Wraps an OTLP exporter; everything but `export` is passed through. */
export class PayloadLimitedExporter implements PushMetricExporter {
  private warnedOversize = false;
  /** Attribute keys told to diag already, per exporter (at most 100). */
  private readonly warnedAttributes = new OnceReporter(100);

  constructor(
    private readonly inner: PushMetricExporter,
    private readonly limits: PayloadLimits,
  ) {}

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    let batches: ResourceMetrics[];
    try {
      const limited = this.limits.attributeLimits === undefined ? metrics : this.limitAttributes(metrics, this.limits.attributeLimits);
      batches = this.split(limited);
    } catch (err) {
      // Splitting is an optimisation of delivery; on a bug, send as it is.
      diag.error('@inferometer/node: splitting the OTLP export failed; sending it whole', err);
      batches = [metrics];
    }
    void this.sendAll(batches).then(resultCallback);
  }

  /** Sends batches one after the other (never all at once at a rate-limited intake); the first failure is the result. */
  private async sendAll(batches: ResourceMetrics[]): Promise<ExportResult> {
    let failure: ExportResult | undefined;
    for (const batch of batches) {
      const result = await new Promise<ExportResult>((resolve) => {
        try {
          this.inner.export(batch, resolve);
        } catch (err) {
          resolve({ code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) });
        }
      });
      if (result.code !== ExportResultCode.SUCCESS) failure ??= result;
    }
    return failure ?? { code: ExportResultCode.SUCCESS };
  }

  /** Splits `metrics` into requests under the limit: halves by metric, then by data point. */
  split(metrics: ResourceMetrics): ResourceMetrics[] {
    if (this.limits.measure(metrics) <= this.limits.maxPayloadBytes) return [metrics];
    const parts: Part[] = [];
    for (const scopeMetrics of metrics.scopeMetrics) {
      for (const metric of scopeMetrics.metrics) if (metric.dataPoints.length > 0) parts.push({ scope: scopeMetrics.scope, metric });
    }
    const batches: ResourceMetrics[] = [];
    this.pack(metrics.resource, parts, batches);
    return batches;
  }

  private pack(resource: ResourceMetrics['resource'], parts: Part[], out: ResourceMetrics[]): void {
    const batch = build(resource, parts);
    if (parts.length === 0) return;
    if (this.limits.measure(batch) <= this.limits.maxPayloadBytes) {
      out.push(batch);
      return;
    }
    if (parts.length > 1) {
      const half = Math.ceil(parts.length / 2);
      this.pack(resource, parts.slice(0, half), out);
      this.pack(resource, parts.slice(half), out);
      return;
    }
    const { scope, metric } = parts[0]!;
    const points = metric.dataPoints as unknown[];
    if (points.length > 1) {
      const half = Math.ceil(points.length / 2);
      this.pack(resource, [{ scope, metric: { ...metric, dataPoints: points.slice(0, half) } as MetricData }], out);
      this.pack(resource, [{ scope, metric: { ...metric, dataPoints: points.slice(half) } as MetricData }], out);
      return;
    }
    // One data point larger than the limit cannot be split; the receiver
    // will refuse it and the exporter reports the failure.
    if (!this.warnedOversize) {
      this.warnedOversize = true;
      diag.warn(`@inferometer/node: one data point of "${metric.descriptor.name}" alone exceeds the OTLP payload limit of ${this.limits.maxPayloadBytes} bytes`);
    }
    out.push(batch);
  }

  private limitAttributes(metrics: ResourceMetrics, limits: AttributeLimits): ResourceMetrics {
    const resourceAttributes = metrics.resource.attributes;
    const limitedResource = this.limitSet(resourceAttributes, limits);
    let changed = limitedResource !== resourceAttributes;
    const scopeMetrics = metrics.scopeMetrics.map((scope) => {
      let scopeChanged = false;
      const metricList = scope.metrics.map((metric) => {
        let metricChanged = false;
        const dataPoints = (metric.dataPoints as { attributes: Attributes }[]).map((point) => {
          const attributes = this.limitSet(point.attributes, limits);
          if (attributes === point.attributes) return point;
          metricChanged = true;
          return { ...point, attributes };
        });
        if (!metricChanged) return metric;
        scopeChanged = true;
        return { ...metric, dataPoints } as MetricData;
      });
      if (!scopeChanged) return scope;
      changed = true;
      return { ...scope, metrics: metricList };
    });
    if (!changed) return metrics;
    return {
      resource: limitedResource === resourceAttributes ? metrics.resource : resourceFromAttributes(limitedResource),
      scopeMetrics,
    };
  }

  /** The same object when nothing exceeds the limits (the common case costs no copy). */
  private limitSet(attributes: Attributes, limits: AttributeLimits): Attributes {
    let copy: Attributes | undefined;
    for (const key of Object.keys(attributes)) {
      const value = attributes[key];
      let limited: AttributeValue | undefined = value;
      if (key.length > limits.nameLength) limited = undefined;
      else if (typeof value === 'string' && value.length > limits.valueLength) limited = value.slice(0, limits.valueLength);
      else if (Array.isArray(value) && value.length > limits.arrayLength) limited = value.slice(0, limits.arrayLength) as AttributeValue;
      if (limited === value) continue;
      copy ??= { ...attributes };
      if (limited === undefined) delete copy[key];
      else copy[key] = limited;
      this.warnedAttributes.warn(
        key,
        `@inferometer/node: attribute "${key.slice(0, 64)}" exceeds the receiver's limits (name ${limits.nameLength}, value ${limits.valueLength}, array ${limits.arrayLength}); ${limited === undefined ? 'dropped' : 'cut'}`,
      );
    }
    return copy ?? attributes;
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  selectAggregationTemporality(instrumentType: InstrumentType): AggregationTemporality {
    return this.inner.selectAggregationTemporality?.(instrumentType) ?? AggregationTemporality.CUMULATIVE;
  }

  selectAggregation(instrumentType: InstrumentType): AggregationOption {
    return this.inner.selectAggregation?.(instrumentType) ?? DEFAULT_AGGREGATION;
  }
}

function build(resource: ResourceMetrics['resource'], parts: readonly Part[]): ResourceMetrics {
  const scopeMetrics: ScopeMetrics[] = [];
  for (const { scope, metric } of parts) {
    const last = scopeMetrics.at(-1);
    if (last !== undefined && last.scope === scope) last.metrics.push(metric);
    else scopeMetrics.push({ scope, metrics: [metric] });
  }
  return { resource, scopeMetrics };
}
