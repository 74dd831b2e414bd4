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
  type EscapingScheme,
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

/** Options of {@link encodeProtobufExposition}. */
export interface ProtobufExpositionOptions {
  /**
   * The escaping scheme the scraper negotiated (the `escaping` parameter of
   * its Accept range): names as the text formats write them under it, carried
   * as they are (the protobuf format needs no quoting). Unset: legacy names.
   *
   * @example
   * ```ts
   * { escaping: 'allow-utf-8' }
   * ```
   */
  readonly escaping?: EscapingScheme;
  /**
   * Write each counter's and histogram's `created_timestamp` (the series'
   * start, its points' `startTime`), which Prometheus reads with
   * `--enable-feature=created-timestamp-zero-ingestion` to store a zero at
   * the start, so a counter created between two scrapes keeps its first
   * increase in `rate()`. Default `true`.
   *
   * @example
   * ```ts
   * { createdTimestamps: false }
   * ```
   */
  readonly createdTimestamps?: boolean;
}

/** One series of a histogram family: its classic buckets, its native histogram, or both. */
interface HistogramSeries {
  attributes: Attributes;
  startTime: readonly [number, number];
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
 * Counters and histograms carry `created_timestamp` (their series' start)
 * unless `createdTimestamps` is `false`.
 *
 * @example
 * ```ts
 * const { resourceMetrics } = await reader.collect();
 * response.setHeader('Content-Type', PROTOBUF_CONTENT_TYPE);
 * response.end(encodeProtobufExposition(resourceMetrics));
 * ```
 */
export function encodeProtobufExposition(resourceMetrics: ResourceMetrics, options: ProtobufExpositionOptions = {}): Uint8Array {
  const escaping = options.escaping === 'underscores' ? undefined : options.escaping;
  const created = options.createdTimestamps !== false;
  const w = new ProtoSink();
  writeTargetInfo(w, resourceMetrics.resource.attributes, escaping);
  // The families every exposition format serves (core's grouping and clash
  // rules), exponential histograms included: this format carries them.
  for (const family of groupFamilies(resourceMetrics.scopeMetrics, { native: true, warn: warnFamily, escaping }).values()) {
    w.begin(0);
    w.stringField(1, family.name);
    if (family.help !== '') w.stringField(2, family.help);
    w.uintField(3, METRIC_TYPE_CODE[family.type]);
    const reserved = reservedLabels(family.type);
    if (family.type === 'histogram') {
      for (const series of histogramSeries(family, escaping).values()) {
        w.begin(4);
        writeLabels(w, series.attributes, reserved, escaping);
        w.begin(7);
        writeHistogram(w, series);
        // Histogram.created_timestamp = 15.
        if (created) writeTimestamp(w, 15, series.startTime);
        w.end();
        w.end();
      }
    } else {
      const counter = family.type === 'counter';
      // A series written once, the first point of a label set winning, as in
      // the text formats: two attribute sets can translate to one label set
      // ({} and { le: '' }, `a.b` and `a_b`), and Prometheus refuses a
      // repeated series.
      const written = new Set<string>();
      for (const metric of family.metrics) {
        for (const point of metric.dataPoints as DataPoint<number>[]) {
          const key = labelKey(point.attributes, reserved, escaping);
          if (written.has(key)) continue;
          written.add(key);
          w.begin(4);
          writeLabels(w, point.attributes, reserved, escaping);
          w.begin(counter ? 3 : 2);
          w.doubleField(1, point.value);
          // Counter.created_timestamp = 3; a gauge has none.
          if (counter && created) writeTimestamp(w, 3, point.startTime);
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
function histogramSeries(family: PrometheusFamily<MetricData>, escaping: EscapingScheme | undefined): Map<string, HistogramSeries> {
  const series = new Map<string, HistogramSeries>();
  for (const metric of family.metrics) {
    for (const point of metric.dataPoints) {
      const key = labelKey(point.attributes, reservedLabels('histogram'), escaping);
      let one = series.get(key);
      if (one === undefined) series.set(key, (one = { attributes: point.attributes, startTime: point.startTime, explicit: undefined, exponential: undefined }));
      // The first point of a kind wins, as in the text formats.
      if (metric.dataPointType === DataPointType.HISTOGRAM) one.explicit ??= point.value as Histogram;
      else one.exponential ??= point.value as ExponentialHistogram;
    }
  }
  return series;
}

/** Per reserved-label list (one per type), per escaping scheme: the label keys of attributes objects (one per series, kept across collections). */
const labelKeys = new Map<readonly string[], Map<EscapingScheme | undefined, WeakMap<Attributes, string>>>();
/** A series' identity within a family: its translated labels. */
function labelKey(attributes: Attributes, reserved: readonly string[], escaping: EscapingScheme | undefined): string {
  let perScheme = labelKeys.get(reserved);
  if (perScheme === undefined) labelKeys.set(reserved, (perScheme = new Map()));
  let keys = perScheme.get(escaping);
  if (keys === undefined) perScheme.set(escaping, (keys = new WeakMap()));
  let key = keys.get(attributes);
  if (key === undefined) {
    key = JSON.stringify(prometheusLabels(attributes, reserved, escaping));
    keys.set(attributes, key);
  }
  return key;
}

/** `repeated LabelPair label = 1` of a Metric. */
function writeLabels(w: ProtoSink, attributes: Attributes, reserved: readonly string[], escaping: EscapingScheme | undefined): void {
  for (const label of prometheusLabels(attributes, reserved, escaping)) writeLabelField(w, 1, label.name, label.value);
}

/** A `google.protobuf.Timestamp` field (seconds = 1, nanos = 2) from an HrTime. */
function writeTimestamp(w: ProtoSink, field: number, time: readonly [number, number]): void {
  w.begin(field);
  if (time[0] !== 0) w.uintField(1, time[0]);
  if (time[1] !== 0) w.uintField(2, time[1]);
  w.end();
}

function writeTargetInfo(w: ProtoSink, resource: Attributes, escaping: EscapingScheme | undefined): void {
  w.begin(0);
  w.stringField(1, TARGET_INFO);
  w.stringField(2, 'Target metadata');
  w.uintField(3, METRIC_TYPE_CODE.gauge);
  w.begin(4);
  writeLabels(w, resource, reservedLabels('gauge'), escaping);
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
