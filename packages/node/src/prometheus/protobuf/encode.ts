import type { Attributes } from '@opentelemetry/api';
import { DataPointType, type DataPoint, type ExponentialHistogram, type Histogram, type MetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { nativeBuckets, nativeSchema, NATIVE_MIN_SCHEMA, prometheusFamilyName, prometheusLabels, reservedLabels, runtime, type NativeBuckets } from '@inferometer/core/internal';
import { ProtoWriter } from './writer.js';

/**
 * The content type of the Prometheus protobuf exposition format: a stream of
 * varint-length-delimited `io.prometheus.client.MetricFamily` messages
 * (prometheus/client_model, io/prometheus/client/metrics.proto). The only
 * scrape format that carries native histograms in Prometheus 2.x
 * (`--enable-feature=native-histograms`).
 */
export const PROTOBUF_CONTENT_TYPE = 'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited';

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
        runtime().diag.warn(`@inferometer/node:protobuf:types:${name}`, `@inferometer/node: metric "${name}" is registered with two types; the second is left out of the protobuf exposition`);
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
  const native = exponential !== undefined && (explicit === undefined || explicit.count === exponential.count) && nativeSchema(exponential.scale) !== undefined ? exponential : undefined;
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
    if (exponential !== undefined && nativeSchema(exponential.scale) === undefined) runtime().diag.warn(`@inferometer/node:protobuf:scale:${exponential.scale}`, `@inferometer/node: an exponential histogram at scale ${exponential.scale} is below Prometheus' lowest schema ${NATIVE_MIN_SCHEMA}; served without its native buckets`);
    return;
  }
  w.sint(5, nativeSchema(native.scale)!);
  w.double(6, 0);
  w.uint(7, native.zeroCount);
  writeBuckets(w, 9, 10, nativeBuckets(native.negative, native.scale));
  writeBuckets(w, 12, 13, nativeBuckets(native.positive, native.scale));
}

/** One sign's spans (BucketSpan messages) and deltas (sint64, unpacked as proto2 declares them). */
function writeBuckets(w: ProtoWriter, spanField: number, deltaField: number, buckets: NativeBuckets): void {
  for (const span of buckets.spans) {
    w.begin(spanField);
    w.sint(1, span.offset);
    w.uint(2, span.length);
    w.end();
  }
  for (const delta of buckets.deltas) w.sint(deltaField, delta);
}
