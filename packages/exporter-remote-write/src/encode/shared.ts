/**
 * What the remote write 1.0 and 2.0 encoders share: the metadata type codes,
 * the bucket bounds of a classic histogram, the spans and deltas of a native
 * histogram's sign, and the time of a collection.
 */
import type { Attributes } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType, type MetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import {
  prometheusBucketBound,
  prometheusFamilyName,
  prometheusType,
  varintSize,
  zigzag,
  type NativeBuckets,
  type PrometheusLabel,
  type ProtoSink,
  type PrometheusType,
} from '@inferometer/core/prometheus';
import { InferometerConfigError } from '@inferometer/core';
import { resourceLabels } from '../translate/resource.js';
import { SnappyCompressor } from './snappy.js';

/** What an encoder writes as {@link walkMetrics} walks a collection. */
export interface MetricWriter {
  /** `target_info` from the resource's other attributes, stamped with the collection's time. */
  targetInfo(rest: Attributes, resourceEntries: readonly PrometheusLabel[], timestamp: number): void;
  /** One metric Prometheus can store (cumulative, typed); returns how many of its points could not be written. */
  metric(name: string, type: PrometheusType, metric: MetricData, resourceEntries: readonly PrometheusLabel[]): number;
}

/** Points and metrics a collection held that remote write cannot carry. */
export interface Skipped {
  readonly skippedDataPoints: number;
  readonly skippedMetrics: readonly string[];
}

/**
 * Walks a collection as both protocols do: the resource's `instance` and
 * `job`, then `target_info` (when `targetInfo` and the resource has other
 * attributes), then every metric with points. A delta metric or one without
 * a Prometheus name or type is skipped and counted: Prometheus stores
 * cumulative series, and a delta point written as-is would read as a
 * counter reset every interval. Remote write carries exponential histograms
 * as native histograms (`prometheusType(metric, true)`).
 */
export function walkMetrics(resourceMetrics: ResourceMetrics, instance: string | undefined, targetInfo: boolean, writer: MetricWriter): Skipped {
  let skippedDataPoints = 0;
  const skippedMetrics: string[] = [];
  const resource = resourceLabels(resourceMetrics.resource, instance);
  // Sorted by name, as the encoders merge them into sorted labels.
  const resourceEntries: PrometheusLabel[] = [{ name: 'instance', value: resource.instance }];
  if (resource.job !== '') resourceEntries.push({ name: 'job', value: resource.job });
  // Stamped with the collection's time, as its points are: one request, one instant.
  if (targetInfo && Object.keys(resource.rest).length > 0) writer.targetInfo(resource.rest, resourceEntries, collectionMillis(resourceMetrics));
  for (const scopeMetrics of resourceMetrics.scopeMetrics) {
    for (const metric of scopeMetrics.metrics) {
      if (metric.dataPoints.length === 0) continue;
      const name = prometheusFamilyName(metric);
      const type = prometheusType(metric, true);
      const delta = metric.dataPointType !== DataPointType.GAUGE && metric.aggregationTemporality === AggregationTemporality.DELTA;
      const left = name === undefined || type === undefined || delta ? metric.dataPoints.length : writer.metric(name, type, metric, resourceEntries);
      if (left > 0) {
        skippedDataPoints += left;
        skippedMetrics.push(metric.descriptor.name);
      }
    }
  }
  return { skippedDataPoints, skippedMetrics };
}

/** `MetricMetadata.MetricType` (1.0) and `Metadata.MetricType` (2.0) share these numbers. */
export const METRIC_TYPE_CODE: Record<PrometheusType, number> = { counter: 1, gauge: 2, histogram: 3, summary: 5 };
export const NAME_LABEL = '__name__';
export const LE_LABEL = 'le';

/**
 * The `le` values of a histogram's buckets, as exporter-prometheus walks
 * them: one per count, `+Inf` for the one past the last boundary, and no
 * bucket after an explicit `Infinity` boundary.
 */
export function bucketBounds(boundaries: readonly number[], buckets: number): string[] {
  const les: string[] = [];
  let infinite = false;
  for (let i = 0; i < buckets; i++) {
    const bound = boundaries[i];
    if (bound === undefined && infinite) break;
    if (bound === Infinity) infinite = true;
    les.push(prometheusBucketBound(bound));
  }
  return les;
}

export function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Spans (messages) and deltas (packed sint64, proto3's default) of one sign of a native histogram. */
export function writeNativeSign(sink: ProtoSink, spanField: number, deltaField: number, buckets: NativeBuckets): void {
  for (const span of buckets.spans) {
    const offset = zigzag(span.offset);
    const body = 2 + varintSize(offset) + varintSize(span.length);
    sink.reserve(2 + body);
    sink.byte((spanField << 3) | 2);
    sink.varint(body);
    sink.byte(0x08);
    sink.varint(offset);
    sink.byte(0x10);
    sink.varint(span.length);
  }
  if (buckets.deltas.length === 0) return;
  let size = 0;
  for (const d of buckets.deltas) size += varintSize(zigzag(d));
  sink.reserve(2 + varintSize(size) + size);
  sink.byte((deltaField << 3) | 2);
  sink.varint(size);
  for (const d of buckets.deltas) sink.varint(zigzag(d));
}

/**
 * The time of a collection: its latest point end time. The SDK's clock is
 * `performance.timeOrigin + performance.now()`, which drifts from `Date.now()`;
 * the wall clock is only the fallback for a collection without points.
 */
export function collectionMillis(resourceMetrics: ResourceMetrics): number {
  let latest = -1;
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      for (const point of metric.dataPoints) latest = Math.max(latest, milliseconds(point.endTime));
    }
  }
  return latest >= 0 ? latest : Date.now();
}

/** Timestamps are whole milliseconds. */
export function milliseconds(time: readonly [number, number]): number {
  return Math.round(time[0] * 1000 + time[1] / 1e6);
}

/** An encoder's settings, from its options (see `WriteRequestEncoderOptions`). */
export interface EncoderSettings {
  readonly maxSamples: number;
  readonly targetInfo: boolean;
  readonly instance: string | undefined;
  readonly compressor: SnappyCompressor | undefined;
}

/** Checks an encoder's options (a typed error naming `maxSamplesPerRequest`) and fills in the defaults. */
export function encoderSettings(
  encoder: string,
  options: { readonly maxSamplesPerRequest?: number; readonly targetInfo?: boolean; readonly instance?: string; readonly compress?: boolean },
  defaultMaxSamples: number,
): EncoderSettings {
  const max = options.maxSamplesPerRequest ?? defaultMaxSamples;
  if (!Number.isInteger(max) || max < 1) {
    throw new InferometerConfigError('maxSamplesPerRequest', `${encoder}: maxSamplesPerRequest must be a whole number of at least 1; got ${String(max)}`, ['a whole number of at least 1']);
  }
  return { maxSamples: max, targetInfo: options.targetInfo ?? true, instance: options.instance, compressor: options.compress === false ? undefined : new SnappyCompressor() };
}

/**
 * Visits a data point's translated labels and the resource's, merged in
 * name order. No name is in both: `job` and `instance` are reserved in
 * `translated`.
 */
export function mergeLabels(translated: readonly PrometheusLabel[], resourceEntries: readonly PrometheusLabel[], visit: (entry: PrometheusLabel) => void): void {
  let r = 0;
  for (let i = 0; i <= translated.length; i++) {
    const entry = translated[i];
    while (r < resourceEntries.length && (entry === undefined || resourceEntries[r]!.name < entry.name)) visit(resourceEntries[r++]!);
    if (entry !== undefined) visit(entry);
  }
}
