/**
 * OpenTelemetry `ResourceMetrics` -> remote write 1.0 `WriteRequest`s,
 * snappy-compressed, in one pass with no intermediate series objects.
 *
 * Wire format (prometheus/prompb types.proto, remote.proto):
 *   WriteRequest   { repeated TimeSeries timeseries = 1; repeated MetricMetadata metadata = 3; }
 *   TimeSeries     { repeated Label labels = 1; repeated Sample samples = 2; repeated Exemplar exemplars = 3; }
 *   Label          { string name = 1; string value = 2; }
 *   Sample         { double value = 1; int64 timestamp = 2; }   // milliseconds
 *   Exemplar       { repeated Label labels = 1; double value = 2; int64 timestamp = 3; }
 *   MetricMetadata { MetricType type = 1; string metric_family_name = 2; string help = 4; string unit = 5; }
 *   TimeSeries.histograms = 4: Histogram { uint64 count_int = 1; double sum = 3; sint32 schema = 4;
 *     double zero_threshold = 5; uint64 zero_count_int = 6; BucketSpan negative_spans = 8;
 *     sint64 negative_deltas = 9; BucketSpan positive_spans = 11; sint64 positive_deltas = 12;
 *     int64 timestamp = 15 }, BucketSpan { sint32 offset = 1; uint32 length = 2; }
 *   (native histograms, sent when the receiver runs with native histograms enabled).
 *
 * Labels of a series are sorted by name, `__name__` included, with no empty
 * names or values and no duplicates (remote_write_spec.md, "Labels").
 * Family names, types, label sets and the protobuf writer come from
 * `@inferometer/core/prometheus`, the ones the pull endpoint uses.
 */
import type { Attributes } from '@opentelemetry/api';
import {
  DataPointType,
  type DataPoint,
  type ExponentialHistogram,
  type Histogram,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import {
  encodeLabelField,
  exemplarLabels,
  nativeBuckets,
  nativeSchema,
  prometheusLabels,
  ProtoSink,
  reservedLabels,
  TARGET_INFO,
  varintSize,
  writeLabelField,
  zigzag,
  type PrometheusLabel,
  type PrometheusType,
} from '@inferometer/core/prometheus';
import { bucketExemplar, exemplarsOf, type CollectedExemplar } from '@inferometer/core/internal';
import { SnappyCompressor } from './snappy.js';
import { bucketBounds, LE_LABEL, METRIC_TYPE_CODE, milliseconds, NAME_LABEL, sameNumbers, walkMetrics, writeNativeSign, encoderSettings, mergeLabels } from './shared.js';

/** Default most samples in one request (Prometheus's `queue_config.max_samples_per_send`). */
export const DEFAULT_MAX_SAMPLES_PER_REQUEST = 2000;

/** One request body, ready to send. */
export interface EncodedWriteRequest {
  /** The `WriteRequest`, snappy-compressed unless `compress: false`; owns its bytes. */
  readonly body: Uint8Array;
  /** Samples in it (one per series). */
  readonly samples: number;
  /** Size of the protobuf before compression. */
  readonly uncompressedBytes: number;
}

/** What one {@link WriteRequestEncoder.encode} produced. */
export interface EncodeResult {
  readonly requests: EncodedWriteRequest[];
  /** Samples in all requests. */
  readonly samples: number;
  /**
   * Data points that remote write 1.0 cannot carry and were left out:
   * exponential histograms, delta temporality, names that sanitize to nothing.
   */
  readonly skippedDataPoints: number;
  /** Names of the metrics those data points belonged to. */
  readonly skippedMetrics: readonly string[];
}

/** Options of {@link WriteRequestEncoder}. */
export interface WriteRequestEncoderOptions {
  /**
   * Most samples per request; a histogram data point's series are never
   * split across two requests. Default {@link DEFAULT_MAX_SAMPLES_PER_REQUEST}.
   *
   * @example
   * ```ts
   * maxSamplesPerRequest: 500
   * ```
   */
  readonly maxSamplesPerRequest?: number;
  /**
   * Send a `target_info` series carrying the resource attributes other than
   * `service.*`, as the pull endpoint shows it. Default `true`.
   *
   * @example
   * ```ts
   * targetInfo: false
   * ```
   */
  readonly targetInfo?: boolean;
  /**
   * `instance` label when the resource has no `service.instance.id`.
   * Default: the host name.
   *
   * @example
   * ```ts
   * instance: 'pod-7f9c'
   * ```
   */
  readonly instance?: string;
  /**
   * Snappy-compress each body (remote write requires it). `false` leaves the
   * protobuf as it is (for tests and benchmarks). Default `true`.
   *
   * @example
   * ```ts
   * compress: false
   * ```
   */
  readonly compress?: boolean;
}

/** prompb `MetricMetadata.MetricType` codes. */

/**
 * Encodes metrics into remote write requests. Keeps its buffers between
 * calls; one instance per exporter, not shared across concurrent callers
 * (encoding is synchronous, so one event loop cannot interleave two calls).
 *
 * @example
 * ```ts
 * const encoder = new WriteRequestEncoder({ maxSamplesPerRequest: 500 });
 * const { requests } = encoder.encode(resourceMetrics);
 * for (const request of requests) await post(request.body);
 * ```
 */
export class WriteRequestEncoder {
  private readonly maxSamples: number;
  private readonly targetInfo: boolean;
  private readonly instance: string | undefined;
  private readonly compressor: SnappyCompressor | undefined;
  private readonly out = new ProtoSink(256 * 1024);
  private readonly labels = new ProtoSink(1024);
  private nameAt = 0;
  private leAt = 0;

  // State of the request being built.
  private requests: EncodedWriteRequest[] = [];
  private requestSamples = 0;
  private requestMetadata: Uint8Array[] = [];
  private totalSamples = 0;

  constructor(options: WriteRequestEncoderOptions = {}) {
    ({ maxSamples: this.maxSamples, targetInfo: this.targetInfo, instance: this.instance, compressor: this.compressor } = encoderSettings('WriteRequestEncoder', options, DEFAULT_MAX_SAMPLES_PER_REQUEST));
  }

  /** Encodes every series of `resourceMetrics` into as many requests as `maxSamplesPerRequest` needs. */
  encode(resourceMetrics: ResourceMetrics): EncodeResult {
    this.requests = [];
    this.requestSamples = 0;
    this.requestMetadata = [];
    this.totalSamples = 0;
    this.out.pos = 0;
    const skipped = walkMetrics(resourceMetrics, this.instance, this.targetInfo, {
      targetInfo: (rest, resourceEntries, timestamp) => {
        // A gauge, as the pull endpoint's `# TYPE target_info gauge` says.
        this.startMetric(encodeMetadata(TARGET_INFO, 'gauge', 'Target metadata', ''));
        this.prepareLabels(rest, resourceEntries, reservedLabels('gauge', true));
        this.reserveSamples(1);
        this.series(encodeLabelField(1, NAME_LABEL, TARGET_INFO), undefined, 1, timestamp);
      },
      metric: (name, type, metric, resourceEntries) => {
        this.startMetric(encodeMetadata(name, type, metric.descriptor.description || 'description missing', metric.descriptor.unit));
        // A native histogram: one TimeSeries with a Histogram instead of samples.
        if (metric.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM) return this.native(name, metric.dataPoints, resourceEntries);
        if (metric.dataPointType === DataPointType.HISTOGRAM) this.histogram(name, metric.dataPoints, resourceEntries);
        else this.singular(name, metric.dataPoints as DataPoint<number>[], resourceEntries, reservedLabels(type, true));
        return 0;
      },
    });
    this.finishRequest();
    return { requests: this.requests, samples: this.totalSamples, ...skipped };
  }

  private singular(name: string, points: readonly DataPoint<number>[], resourceEntries: readonly PrometheusLabel[], reserved: readonly string[]): void {
    const nameField = encodeLabelField(1, NAME_LABEL, name);
    for (const point of points) {
      this.prepareLabels(point.attributes, resourceEntries, reserved);
      this.reserveSamples(1);
      this.series(nameField, undefined, point.value, milliseconds(point.endTime), exemplarField(exemplarsOf(point)?.[0]));
    }
  }

  private histogram(name: string, points: readonly DataPoint<Histogram>[], resourceEntries: readonly PrometheusLabel[]): void {
    const countField = encodeLabelField(1, NAME_LABEL, `${name}_count`);
    const sumField = encodeLabelField(1, NAME_LABEL, `${name}_sum`);
    const bucketField = encodeLabelField(1, NAME_LABEL, `${name}_bucket`);
    let boundaries: readonly number[] | undefined;
    let leFields: Uint8Array[] = [];
    for (const point of points) {
      const histogram = point.value;
      const counts = histogram.buckets.counts;
      if (boundaries === undefined || !sameNumbers(boundaries, histogram.buckets.boundaries)) {
        boundaries = histogram.buckets.boundaries;
        leFields = bucketFields(boundaries, counts.length);
      }
      this.prepareLabels(point.attributes, resourceEntries, reservedLabels('histogram', true));
      const timestamp = milliseconds(point.endTime);
      const hasSum = histogram.sum !== undefined && histogram.sum !== null;
      this.reserveSamples(1 + (hasSum ? 1 : 0) + leFields.length);
      this.series(countField, undefined, histogram.count, timestamp);
      if (hasSum) this.series(sumField, undefined, histogram.sum!, timestamp);
      // Cumulative bucket counts, `le` as the pull endpoint writes it; a
      // bucket's exemplar (at most one, in bucket order) on its series.
      const exemplars = exemplarsOf(point);
      let next = 0;
      let cumulative = 0;
      for (let i = 0; i < leFields.length; i++) {
        cumulative += counts[i] ?? 0;
        const exemplar = bucketExemplar(exemplars, next, histogram.buckets.boundaries[i] ?? Infinity);
        if (exemplar !== undefined) next++;
        this.series(bucketField, leFields[i], cumulative, timestamp, exemplar === undefined ? undefined : exemplarField(exemplar));
      }
    }
  }

  /** Native histogram series; returns how many points had a scale below Prometheus' lowest schema (left out). */
  private native(name: string, points: readonly DataPoint<ExponentialHistogram>[], resourceEntries: readonly PrometheusLabel[]): number {
    const nameField = encodeLabelField(1, NAME_LABEL, name);
    let left = 0;
    for (const point of points) {
      const body = encodeNativeHistogram(point.value, milliseconds(point.endTime));
      if (body === undefined) {
        left++;
        continue;
      }
      this.prepareLabels(point.attributes, resourceEntries, reservedLabels('histogram', true));
      this.reserveSamples(1);
      const labels = this.labels;
      const labelBytes = labels.pos;
      const total = labelBytes + nameField.length + 1 + varintSize(body.length) + body.length;
      const out = this.out;
      out.reserve(1 + varintSize(total) + total);
      out.byte(0x0a);
      out.varint(total);
      out.bytes(labels.buffer, 0, this.nameAt);
      out.bytes(nameField);
      out.bytes(labels.buffer, this.nameAt, labelBytes);
      out.byte(0x22); // field 4, length-delimited
      out.varint(body.length);
      out.bytes(body);
      this.requestSamples++;
      this.totalSamples++;
    }
    return left;
  }

  /**
   * Writes the labels of one data point (its attributes through core's
   * Prometheus translation, sorted by name, plus `job` and `instance`) as
   * Label fields into `this.labels`, noting where `__name__` and `le` go in
   * the sorted order.
   */
  /** {@link label}, bound once (not a closure per data point). */
  private readonly visitLabel = (entry: PrometheusLabel): void => this.label(entry);

  private prepareLabels(attributes: Attributes, resourceEntries: readonly PrometheusLabel[], reserved: readonly string[]): void {
    const translated = prometheusLabels(attributes, reserved);
    const labels = this.labels;
    labels.pos = 0;
    this.nameAt = -1;
    this.leAt = -1;
    mergeLabels(translated, resourceEntries, this.visitLabel);
    if (this.nameAt < 0) this.nameAt = labels.pos;
    if (this.leAt < 0) this.leAt = labels.pos;
  }

  private label(entry: PrometheusLabel): void {
    const labels = this.labels;
    if (this.nameAt < 0 && entry.name > NAME_LABEL) this.nameAt = labels.pos;
    if (this.leAt < 0 && entry.name > LE_LABEL) this.leAt = labels.pos;
    writeLabelField(labels, 1, entry.name, entry.value);
  }

  /** Writes one TimeSeries field: the prepared labels with `__name__` (and `le`) inserted, and one sample. */
  private series(nameField: Uint8Array, leField: Uint8Array | undefined, value: number, timestamp: number, exemplar?: Uint8Array): void {
    const labels = this.labels;
    const labelBytes = labels.pos;
    const sampleBody = 1 + 8 + 1 + varintSize(timestamp);
    const body = labelBytes + nameField.length + (leField === undefined ? 0 : leField.length) + 2 + sampleBody + (exemplar === undefined ? 0 : exemplar.length);
    const out = this.out;
    out.reserve(1 + varintSize(body) + body);
    out.byte(0x0a);
    out.varint(body);
    const source = labels.buffer;
    out.bytes(source, 0, this.nameAt);
    out.bytes(nameField);
    if (leField === undefined) {
      out.bytes(source, this.nameAt, labelBytes);
    } else {
      out.bytes(source, this.nameAt, this.leAt);
      out.bytes(leField);
      out.bytes(source, this.leAt, labelBytes);
    }
    out.byte(0x12);
    out.byte(sampleBody);
    out.byte(0x09);
    out.double(value);
    out.byte(0x10);
    out.varint(timestamp);
    if (exemplar !== undefined) out.bytes(exemplar);
    this.requestSamples++;
    this.totalSamples++;
  }

  private startMetric(metadata: Uint8Array): void {
    this.currentMetadata = metadata;
    this.requestMetadata.push(metadata);
  }

  private currentMetadata: Uint8Array | undefined;

  /** Starts a new request first when `samples` more would not fit in this one. */
  private reserveSamples(samples: number): void {
    if (this.requestSamples > 0 && this.requestSamples + samples > this.maxSamples) {
      this.finishRequest();
      if (this.currentMetadata !== undefined) this.requestMetadata.push(this.currentMetadata);
    }
  }

  private finishRequest(): void {
    if (this.requestSamples === 0) {
      this.requestMetadata = [];
      return;
    }
    const out = this.out;
    for (const metadata of this.requestMetadata) {
      out.reserve(metadata.length);
      out.bytes(metadata);
    }
    const uncompressedBytes = out.pos;
    const body = this.compressor === undefined ? out.take() : this.compressor.compress(out.buffer, out.pos);
    this.requests.push({ body, samples: this.requestSamples, uncompressedBytes });
    out.pos = 0;
    this.requestSamples = 0;
    this.requestMetadata = [];
  }
}

/** `Exemplar` as field 3 of TimeSeries, labels sorted by name; undefined when there is none or its labels are too long. */
function exemplarField(exemplar: CollectedExemplar | undefined): Uint8Array | undefined {
  if (exemplar === undefined) return undefined;
  const labels = exemplarLabels(exemplar)?.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (labels === undefined) return undefined;
  const sink = new ProtoSink(256);
  sink.begin(3);
  for (const { name, value } of labels) writeLabelField(sink, 1, name, value);
  sink.doubleField(2, exemplar.value);
  sink.uintField(3, milliseconds(exemplar.timestamp));
  sink.end();
  return sink.take();
}

/** `MetricMetadata` as field 3 of WriteRequest. */
function encodeMetadata(family: string, type: PrometheusType, help: string, unit: string): Uint8Array {
  const sink = new ProtoSink(64 + family.length + help.length + unit.length);
  sink.begin(3);
  sink.uintField(1, METRIC_TYPE_CODE[type]);
  sink.stringField(2, family);
  sink.stringField(4, help);
  if (unit !== '') sink.stringField(5, unit);
  sink.end();
  return sink.take();
}

/**
 * The `le` Label fields of a histogram's buckets, as exporter-prometheus
 * walks them: one per count, `+Inf` for the one past the last boundary, and
 * no bucket after an explicit `Infinity` boundary.
 */
function bucketFields(boundaries: readonly number[], buckets: number): Uint8Array[] {
  return bucketBounds(boundaries, buckets).map((le) => encodeLabelField(1, LE_LABEL, le));
}

/** A prompb Histogram message body; undefined when the scale has no Prometheus schema. */
function encodeNativeHistogram(value: ExponentialHistogram, timestamp: number): Uint8Array | undefined {
  const schema = nativeSchema(value.scale);
  if (schema === undefined) return undefined;
  const negative = nativeBuckets(value.negative, value.scale);
  const positive = nativeBuckets(value.positive, value.scale);
  const sink = new ProtoSink(64 + 24 * (negative.deltas.length + positive.deltas.length));
  sink.reserve(64);
  sink.byte(0x08); // count_int
  sink.varint(value.count);
  if (value.sum !== undefined) {
    sink.byte(0x19); // sum
    sink.double(value.sum);
  }
  sink.byte(0x20); // schema, sint32
  sink.varint(zigzag(schema));
  // zero_threshold 0 (only exact zeros, as OpenTelemetry) is the proto3 default: left out.
  sink.byte(0x30); // zero_count_int
  sink.varint(value.zeroCount);
  writeNativeSign(sink, 8, 9, negative);
  writeNativeSign(sink, 11, 12, positive);
  sink.reserve(12);
  sink.byte(0x78); // timestamp = 15, varint
  sink.varint(timestamp);
  return sink.take();
}
