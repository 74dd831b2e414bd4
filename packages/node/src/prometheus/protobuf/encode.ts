import { diag, type Attributes } from '@opentelemetry/api';
import { DataPointType, type DataPoint, type ExponentialHistogram, type Histogram, type MetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { prometheusFamilyName, prometheusLabels, reservedLabels } from '@inferometer/core/internal';
import { ProtoWriter } from './writer.js';

/**
 * The content type of the Prometheus protobuf exposition format: a stream of
 * varint-length-delimited `io.prometheus.client.MetricFamily` messages
 * (prometheus/client_model, io/prometheus/client/metrics.proto). The only
 * scrape format that carries native histograms in Prometheus 2.x
 * (`--enable-feature=native-histograms`).
 */
export const PROTOBUF_CONTENT_TYPE = 'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited';

/** Highest and lowest native histogram schema Prometheus accepts (model/histogram: schema -4..8). */
const MAX_SCHEMA = 8;
const MIN_SCHEMA = -4;

// metrics.proto field numbers and MetricType values.
const COUNTER = 0;
const GAUGE = 1;
const HISTOGRAM = 4;

type Kind = typeof COUNTER | typeof GAUGE | typeof HISTOGRAM;

/** One series of a histogram family: its classic buckets, its native histogram, or both. */
interface HistogramSeries {
  attributes: Attributes;
  explicit: Histogram | undefined;
  exponential: ExponentialHistogram | undefined;
}

interface Family {
  readonly name: string;
  readonly help: string;
  readonly unit: string;
  readonly kind: Kind;
  readonly numbers: DataPoint<number>[];
  /** Histogram series by label set, so an explicit and an exponential point of one series become one Histogram message. */
  readonly histograms: Map<string, HistogramSeries>;
}

/**
 * Encodes collected metrics in the Prometheus protobuf exposition format
 * ({@link PROTOBUF_CONTENT_TYPE}). Exponential histogram points become
 * native histograms (schema = scale, at most 8; positive and negative spans
 * and deltas; zero count, zero threshold 0: only exact zeros, as
 * OpenTelemetry); explicit-bucket points become classic buckets; a series
 * with both (a histogram kept as `both`) is one Histogram message with both,
 * which Prometheus reads as a native histogram and (from 2.45 with
 * `scrape_classic_histograms`) its classic buckets. Names and labels are
 * translated as for the text format; `target_info` carries the resource.
 *
 * @example
 * ```ts
 * const { resourceMetrics } = await reader.collect();
 * response.setHeader('Content-Type', PROTOBUF_CONTENT_TYPE);
 * response.end(encodeProtobufExposition(resourceMetrics));
 * ```
 */
export function encodeProtobufExposition(resourceMetrics: ResourceMetrics): Uint8Array {
  const w = new ProtoWriter();
  writeTargetInfo(w, resourceMetrics.resource.attributes);
  for (const family of families(resourceMetrics).values()) {
    w.begin(0);
    w.string(1, family.name);
    if (family.help !== '') w.string(2, family.help);
    w.uint(3, family.kind);
    const reserved = reservedLabels(family.kind === HISTOGRAM ? 'histogram' : family.kind === COUNTER ? 'counter' : 'gauge');
    for (const point of family.numbers) {
      w.begin(4);
      writeLabels(w, point.attributes, reserved);
      w.begin(family.kind === COUNTER ? 3 : 2);
      w.double(1, point.value);
      w.end();
      w.end();
    }
    for (const series of family.histograms.values()) {
      w.begin(4);
      writeLabels(w, series.attributes, reserved);
      w.begin(7);
      writeHistogram(w, series);
      w.end();
      w.end();
    }
    if (family.unit !== '') w.string(5, family.unit);
    w.end();
  }
  return w.finish();
}

function families(resourceMetrics: ResourceMetrics): Map<string, Family> {
  const byName = new Map<string, Family>();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      const kind = kindOf(metric);
      const name = prometheusFamilyName(metric);
      if (name === undefined) continue;
      let family = byName.get(name);
      if (family === undefined) {
        byName.set(name, (family = { name, help: metric.descriptor.description, unit: metric.descriptor.unit, kind, numbers: [], histograms: new Map() }));
      } else if (family.kind !== kind) {
        diag.warn(`@inferometer/node: metric "${name}" is registered with two types; the second is left out of the protobuf exposition`);
        continue;
      }
      if (metric.dataPointType === DataPointType.HISTOGRAM || metric.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM) {
        for (const point of metric.dataPoints) {
          const key = labelKey(point.attributes);
          let series = family.histograms.get(key);
          if (series === undefined) family.histograms.set(key, (series = { attributes: point.attributes, explicit: undefined, exponential: undefined }));
          if (metric.dataPointType === DataPointType.HISTOGRAM) series.explicit = point.value as Histogram;
          else series.exponential = point.value as ExponentialHistogram;
        }
      } else {
        for (const point of metric.dataPoints) family.numbers.push(point);
      }
    }
  }
  return byName;
}

function kindOf(metric: MetricData): Kind {
  switch (metric.dataPointType) {
    case DataPointType.SUM:
      return metric.isMonotonic ? COUNTER : GAUGE;
    case DataPointType.GAUGE:
      return GAUGE;
    default:
      return HISTOGRAM;
  }
}

const labelKeys = new WeakMap<Attributes, string>();
/** A series' identity within a family: its translated labels. */
function labelKey(attributes: Attributes): string {
  let key = labelKeys.get(attributes);
  if (key === undefined) {
    key = JSON.stringify(prometheusLabels(attributes, reservedLabels('histogram')));
    labelKeys.set(attributes, key);
  }
  return key;
}

function writeLabels(w: ProtoWriter, attributes: Attributes, reserved: readonly string[]): void {
  for (const label of prometheusLabels(attributes, reserved)) {
    w.begin(1);
    w.string(1, label.name);
    w.string(2, label.value);
    w.end();
  }
}

function writeTargetInfo(w: ProtoWriter, resource: Attributes): void {
  w.begin(0);
  w.string(1, 'target_info');
  w.string(2, 'Target metadata');
  w.uint(3, GAUGE);
  w.begin(4);
  writeLabels(w, resource, reservedLabels('gauge'));
  w.begin(2);
  w.double(1, 1);
  w.end();
  w.end();
  w.end();
}

/**
 * One Histogram message. With both kinds, the native part is written only
 * when its count agrees with the classic one (a histogram widened to
 * exponential after it had values starts its exponential state empty;
 * until a restart its classic buckets alone are served).
 */
function writeHistogram(w: ProtoWriter, series: HistogramSeries): void {
  const { explicit, exponential } = series;
  const native = exponential !== undefined && (explicit === undefined || explicit.count === exponential.count) && exponential.scale >= MIN_SCHEMA ? exponential : undefined;
  const count = explicit?.count ?? exponential!.count;
  const sum = explicit?.sum ?? exponential!.sum;
  w.uint(1, count);
  if (sum !== undefined) w.double(2, sum);
  if (explicit !== undefined) {
    const { boundaries, counts } = explicit.buckets;
    let cumulative = 0;
    for (let i = 0; i < boundaries.length; i++) {
      cumulative += counts[i]!;
      w.begin(3);
      w.uint(1, cumulative);
      w.double(2, boundaries[i]!);
      w.end();
    }
  }
  if (native === undefined) {
    if (exponential !== undefined && exponential.scale < MIN_SCHEMA) diag.warn(`@inferometer/node: an exponential histogram at scale ${exponential.scale} is below Prometheus' lowest schema ${MIN_SCHEMA}; served without its native buckets`);
    return;
  }
  const reduce = native.scale > MAX_SCHEMA ? native.scale - MAX_SCHEMA : 0;
  w.sint(5, native.scale - reduce);
  w.double(6, 0);
  w.uint(7, native.zeroCount);
  writeBuckets(w, 9, 10, native.negative, reduce);
  writeBuckets(w, 12, 13, native.positive, reduce);
}

/**
 * Spans and deltas of one sign. OpenTelemetry's bucket `i` is
 * (base^i, base^(i+1)], Prometheus' bucket `k` is (base^(k-1), base^k], so
 * k = i + 1; above schema 8 every 2^reduce buckets are merged first. A span
 * covers consecutive non-empty buckets: its offset is the first index (first
 * span) or the gap since the previous span; each count is written as the
 * difference to the previous bucket's (https://prometheus.io/docs/specs/native_histograms/).
 */
function writeBuckets(w: ProtoWriter, spanField: number, deltaField: number, buckets: { offset: number; bucketCounts: number[] }, reduce: number): void {
  const counts = buckets.bucketCounts;
  if (counts.length === 0) return;
  // Merge to the Prometheus schema: (index >> reduce) + 1, in order.
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
  let spanStart = 0;
  let previousEnd = 0;
  for (let i = 1; i <= indexes.length; i++) {
    if (i < indexes.length && indexes[i] === indexes[i - 1]! + 1) continue;
    w.begin(spanField);
    w.sint(1, spanStart === 0 ? indexes[0]! : indexes[spanStart]! - previousEnd - 1);
    w.uint(2, i - spanStart);
    w.end();
    previousEnd = indexes[i - 1]!;
    spanStart = i;
  }
  let previous = 0;
  for (const c of merged) {
    w.sint(deltaField, c - previous);
    previous = c;
  }
}
