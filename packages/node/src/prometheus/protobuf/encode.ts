import type { Attributes } from '@opentelemetry/api';
import { DataPointType, type DataPoint, type ExponentialHistogram, type Histogram, type MetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import {
  groupFamilies,
  nativeBuckets,
  nativeSchema,
  NATIVE_MIN_SCHEMA,
  prometheusLabels,
  ProtoSink,
  reservedLabels,
  TARGET_INFO,
  writeLabelField,
  type NativeBuckets,
  type PrometheusFamily,
  type PrometheusType,
} from '@inferometer/core/prometheus';
import { warnFamily, warnOnce } from '../warn.js';

/**
 * The content type of the Prometheus protobuf exposition format: a stream of
 * varint-length-delimited `io.prometheus.client.MetricFamily` messages
 * (prometheus/client_model, io/prometheus/client/metrics.proto). The only
 * scrape format that carries native histograms in Prometheus 2.x
 * (`--enable-feature=native-histograms`).
 */
export const PROTOBUF_CONTENT_TYPE = 'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited';

/** metrics.proto `MetricType` values. */
const METRIC_TYPE_CODE: Readonly<Record<PrometheusType, number>> = { counter: 0, gauge: 1, summary: 2, histogram: 4 };

/** One series of a histogram family: its classic buckets, its native histogram, or both. */
interface HistogramSeries {
  attributes: Attributes;
  explicit: Histogram | undefined;
  exponential: ExponentialHistogram | undefined;
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
  const w = new ProtoSink();
  writeTargetInfo(w, resourceMetrics.resource.attributes);
  // The families every exposition format serves (core's grouping and clash
  // rules), exponential histograms included: this format carries them.
  for (const family of groupFamilies(resourceMetrics.scopeMetrics, { native: true, warn: warnFamily }).values()) {
    w.begin(0);
    w.stringField(1, family.name);
    if (family.help !== '') w.stringField(2, family.help);
    w.uintField(3, METRIC_TYPE_CODE[family.type]);
    const reserved = reservedLabels(family.type);
    if (family.type === 'histogram') {
      for (const series of histogramSeries(family).values()) {
        w.begin(4);
        writeLabels(w, series.attributes, reserved);
        w.begin(7);
        writeHistogram(w, series);
        w.end();
        w.end();
      }
    } else {
      for (const metric of family.metrics) {
        for (const point of metric.dataPoints as DataPoint<number>[]) {
          w.begin(4);
          writeLabels(w, point.attributes, reserved);
          w.begin(family.type === 'counter' ? 3 : 2);
          w.doubleField(1, point.value);
          w.end();
          w.end();
        }
      }
    }
    if (family.unit !== '') w.stringField(5, family.unit);
    w.end();
  }
  return w.take();
}

/** A histogram family's series by label set, so an explicit and an exponential point of one series become one Histogram message. */
function histogramSeries(family: PrometheusFamily<MetricData>): Map<string, HistogramSeries> {
  const series = new Map<string, HistogramSeries>();
  for (const metric of family.metrics) {
    for (const point of metric.dataPoints) {
      const key = labelKey(point.attributes);
      let one = series.get(key);
      if (one === undefined) series.set(key, (one = { attributes: point.attributes, explicit: undefined, exponential: undefined }));
      if (metric.dataPointType === DataPointType.HISTOGRAM) one.explicit = point.value as Histogram;
      else one.exponential = point.value as ExponentialHistogram;
    }
  }
  return series;
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

/** `repeated LabelPair label = 1` of a Metric. */
function writeLabels(w: ProtoSink, attributes: Attributes, reserved: readonly string[]): void {
  for (const label of prometheusLabels(attributes, reserved)) writeLabelField(w, 1, label.name, label.value);
}

function writeTargetInfo(w: ProtoSink, resource: Attributes): void {
  w.begin(0);
  w.stringField(1, TARGET_INFO);
  w.stringField(2, 'Target metadata');
  w.uintField(3, METRIC_TYPE_CODE.gauge);
  w.begin(4);
  writeLabels(w, resource, reservedLabels('gauge'));
  w.begin(2);
  w.doubleField(1, 1);
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
function writeHistogram(w: ProtoSink, series: HistogramSeries): void {
  const { explicit, exponential } = series;
  const native = exponential !== undefined && (explicit === undefined || explicit.count === exponential.count) && nativeSchema(exponential.scale) !== undefined ? exponential : undefined;
  const count = explicit?.count ?? exponential!.count;
  // A classic point without a sum (an instrument that may record negatives)
  // has no sum: the exponential twin, if any, is not asked for one.
  const sum = explicit !== undefined ? explicit.sum : exponential!.sum;
  w.uintField(1, count);
  if (sum !== undefined) w.doubleField(2, sum);
  if (explicit !== undefined) {
    const { boundaries, counts } = explicit.buckets;
    let cumulative = 0;
    for (let i = 0; i < boundaries.length; i++) {
      cumulative += counts[i]!;
      w.begin(3);
      w.uintField(1, cumulative);
      w.doubleField(2, boundaries[i]!);
      w.end();
    }
  }
  if (native === undefined) {
    if (exponential !== undefined && nativeSchema(exponential.scale) === undefined) warnOnce(`protobuf:scale:${exponential.scale}`, `@inferometer/node: an exponential histogram at scale ${exponential.scale} is below Prometheus' lowest schema ${NATIVE_MIN_SCHEMA}; served without its native buckets`);
    return;
  }
  w.sintField(5, nativeSchema(native.scale)!);
  w.doubleField(6, 0);
  w.uintField(7, native.zeroCount);
  writeBuckets(w, 9, 10, nativeBuckets(native.negative, native.scale));
  writeBuckets(w, 12, 13, nativeBuckets(native.positive, native.scale));
}

/** One sign's spans (BucketSpan messages) and deltas (sint64, unpacked as proto2 declares them). */
function writeBuckets(w: ProtoSink, spanField: number, deltaField: number, buckets: NativeBuckets): void {
  for (const span of buckets.spans) {
    w.begin(spanField);
    w.sintField(1, span.offset);
    w.uintField(2, span.length);
    w.end();
  }
  for (const delta of buckets.deltas) w.sintField(deltaField, delta);
}
