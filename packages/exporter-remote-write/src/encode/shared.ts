/**
 * What the remote write 1.0 and 2.0 encoders share: the metadata type codes,
 * the bucket bounds of a classic histogram, the spans and deltas of a native
 * histogram's sign, and the time of a collection.
 */
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { prometheusBucketBound, varintSize, zigzag, type NativeBuckets, type ProtoSink, type PrometheusType } from '@inferometer/core/prometheus';

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
