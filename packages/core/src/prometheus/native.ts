/**
 * OpenTelemetry exponential histogram buckets -> Prometheus native histogram
 * spans and deltas (https://prometheus.io/docs/specs/native_histograms/),
 * shared by the pull endpoint's protobuf exposition and remote write.
 *
 * OpenTelemetry's bucket `i` at scale `s` is (base^i, base^(i+1)], Prometheus'
 * bucket `k` at schema `s` is (base^(k-1), base^k]: k = i + 1. Prometheus
 * schemas go from -4 to 8; a finer scale is merged down to 8 (every
 * 2^(scale-8) buckets become one), a coarser one than -4 has no schema.
 */

/** Highest and lowest schema Prometheus accepts (prometheus/model/histogram). */
export const NATIVE_MAX_SCHEMA = 8;
export const NATIVE_MIN_SCHEMA = -4;

/** One sign's buckets as Prometheus writes them. */
export interface NativeBuckets {
  /** Consecutive non-empty buckets: offset is the first index (first span) or the gap since the previous span. */
  readonly spans: { offset: number; length: number }[];
  /** Each bucket's count minus the previous bucket's (the first minus 0). */
  readonly deltas: number[];
}

/** The schema for an OpenTelemetry scale, or undefined below {@link NATIVE_MIN_SCHEMA}. */
export function nativeSchema(scale: number): number | undefined {
  if (scale < NATIVE_MIN_SCHEMA) return undefined;
  return scale > NATIVE_MAX_SCHEMA ? NATIVE_MAX_SCHEMA : scale;
}

/**
 * Spans and deltas of one sign's buckets at `scale`, merged to {@link nativeSchema}.
 *
 * @example
 * ```ts
 * nativeBuckets({ offset: 3, bucketCounts: [2, 0, 1] }, 2); // { spans: [{ offset: 4, length: 1 }, { offset: 1, length: 1 }], deltas: [2, -1] }
 * ```
 */
export function nativeBuckets(buckets: { readonly offset: number; readonly bucketCounts: readonly number[] }, scale: number): NativeBuckets {
  const reduce = scale > NATIVE_MAX_SCHEMA ? scale - NATIVE_MAX_SCHEMA : 0;
  const counts = buckets.bucketCounts;
  const indexes: number[] = [];
  const merged: number[] = [];
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (c === 0) continue;
    const k = ((buckets.offset + i) >> reduce) + 1;
    if (indexes.length > 0 && indexes[indexes.length - 1] === k) merged[merged.length - 1]! += c;
    else {
      indexes.push(k);
      merged.push(c);
    }
  }
  const spans: { offset: number; length: number }[] = [];
  let spanStart = 0;
  for (let i = 1; i <= indexes.length; i++) {
    if (i < indexes.length && indexes[i] === indexes[i - 1]! + 1) continue;
    spans.push({ offset: spanStart === 0 ? indexes[0]! : indexes[spanStart]! - indexes[spanStart - 1]! - 1, length: i - spanStart });
    spanStart = i;
  }
  const deltas: number[] = [];
  let previous = 0;
  for (const c of merged) {
    deltas.push(c - previous);
    previous = c;
  }
  return { spans, deltas };
}
