/**
 * OpenTelemetry `ResourceMetrics` -> remote write 2.0 `io.prometheus.write.v2.Request`s,
 * snappy-compressed.
 *
 * Wire format (prometheus/prometheus prompb/io/prometheus/write/v2/types.proto,
 * spec 2.0-rc.4, https://prometheus.io/docs/specs/prw/remote_write_spec_2_0/):
 *   Request    { repeated string symbols = 4; repeated TimeSeries timeseries = 5; }   // symbols[0] == ""
 *   TimeSeries { repeated uint32 labels_refs = 1; repeated Sample samples = 2; repeated Histogram histograms = 3;
 *                repeated Exemplar exemplars = 4; Metadata metadata = 5; }
 *   Sample     { double value = 1; int64 timestamp = 2; int64 start_timestamp = 3; }  // ms; 0 = unset
 *   Exemplar   { repeated uint32 labels_refs = 1; double value = 2; int64 timestamp = 3; }
 *   Metadata   { MetricType type = 1; uint32 help_ref = 3; uint32 unit_ref = 4; }
 *   Histogram  { uint64 count_int = 1; double sum = 3; sint32 schema = 4; double zero_threshold = 5;
 *                uint64 zero_count_int = 6; BucketSpan negative_spans = 8; sint64 negative_deltas = 9;
 *                BucketSpan positive_spans = 11; sint64 positive_deltas = 12; int64 timestamp = 15;
 *                int64 start_timestamp = 17; }
 *
 * The series, their labels, names and values are exactly those of the 1.0
 * encoder (`write-request.ts`), through the same `@inferometer/core/prometheus`
 * translation; what 2.0 adds is interning, metadata on every series, start
 * timestamps and every exemplar of a native histogram. Requests are cut at
 * the same places as 1.0's, so that a 2.0 request refused by a 1.0 receiver
 * (415) can be replaced by the 1.0 request holding the same samples.
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
  exemplarLabels,
  nativeBuckets,
  nativeSchema,
  prometheusLabels,
  ProtoSink,
  reservedLabels,
  TARGET_INFO,
  utf8Length,
  varintSize,
  type PrometheusLabel,
} from '@inferometer/core/prometheus';
import { bucketExemplar, exemplarsOf, type CollectedExemplar } from '@inferometer/core/internal';
import { SnappyCompressor } from './snappy.js';
import { bucketBounds, LE_LABEL, METRIC_TYPE_CODE, milliseconds, NAME_LABEL, sameNumbers, walkMetrics, writeNativeSign, encoderSettings, mergeLabels } from './shared.js';
import { DEFAULT_MAX_SAMPLES_PER_REQUEST, type WriteRequestEncoderOptions } from './write-request.js';

/** One 2.0 request body, ready to send, with what it carries (to compare with the receiver's `*-Written` headers). */
export interface EncodedWriteRequestV2 {
  /** The `Request`, snappy-compressed unless `compress: false`; owns its bytes. */
  readonly body: Uint8Array;
  /** Samples as the 1.0 encoder counts them (one per series: a native histogram is one). */
  readonly samples: number;
  /** Float samples in it. */
  readonly floatSamples: number;
  /** Native histogram samples in it. */
  readonly histograms: number;
  /** Exemplars in it. */
  readonly exemplars: number;
  /** Size of the protobuf before compression. */
  readonly uncompressedBytes: number;
}

/** What one {@link WriteRequestV2Encoder.encode} produced. */
export interface EncodeResultV2 {
  readonly requests: EncodedWriteRequestV2[];
  readonly samples: number;
  /** Data points left out: delta temporality, names that sanitize to nothing, scales below the lowest schema. */
  readonly skippedDataPoints: number;
  readonly skippedMetrics: readonly string[];
}

/** `io.prometheus.write.v2.Metadata.MetricType` codes. */

/** The metadata of the metric being written, as symbol references. */
interface MetricMeta {
  readonly type: number;
  readonly help: string;
  readonly unit: string;
}

/**
 * Encodes metrics into remote write 2.0 requests, one symbol table per
 * request. Same options and the same request boundaries as the 1.0
 * `WriteRequestEncoder`; one instance per exporter.
 *
 * @example
 * ```ts
 * const encoder = new WriteRequestV2Encoder({ maxSamplesPerRequest: 500 });
 * const { requests } = encoder.encode(resourceMetrics);
 * for (const request of requests) await post(request.body);
 * ```
 */
export class WriteRequestV2Encoder {
  private readonly maxSamples: number;
  private readonly targetInfo: boolean;
  private readonly instance: string | undefined;
  private readonly compressor: SnappyCompressor | undefined;
  /** The timeseries fields of the request being built. */
  private readonly out = new ProtoSink(256 * 1024);
  /** The whole request (symbols, then the series) when it is finished. */
  private readonly whole = new ProtoSink(256 * 1024);
  /** One message at a time (a series' sample, histogram, exemplar). */
  private readonly part = new ProtoSink(1024);

  private symbols = new Map<string, number>();
  private symbolList: string[] = [];
  /** Label references of the point being written, pairs sorted by name; `__name__` and `le` inserted at nameAt / leAt. */
  private refs: number[] = [];
  private nameAt = 0;
  private leAt = 0;
  private meta: MetricMeta | undefined;

  private requests: EncodedWriteRequestV2[] = [];
  private requestSamples = 0;
  private requestFloats = 0;
  private requestHistograms = 0;
  private requestExemplars = 0;
  private totalSamples = 0;

  constructor(options: WriteRequestEncoderOptions = {}) {
    ({ maxSamples: this.maxSamples, targetInfo: this.targetInfo, instance: this.instance, compressor: this.compressor } = encoderSettings('WriteRequestV2Encoder', options, DEFAULT_MAX_SAMPLES_PER_REQUEST));
  }

  /** Encodes every series of `resourceMetrics` into as many requests as `maxSamplesPerRequest` needs. */
  encode(resourceMetrics: ResourceMetrics): EncodeResultV2 {
    this.requests = [];
    this.resetRequest();
    this.totalSamples = 0;
    const skipped = walkMetrics(resourceMetrics, this.instance, this.targetInfo, {
      targetInfo: (rest, resourceEntries, timestamp) => {
        this.meta = { type: METRIC_TYPE_CODE.gauge, help: 'Target metadata', unit: '' };
        this.prepareLabels(rest, resourceEntries, reservedLabels('gauge', true));
        this.reserveSamples(1);
        this.series(TARGET_INFO, undefined, 1, timestamp, 0, undefined);
      },
      metric: (name, type, metric, resourceEntries) => {
        this.meta = { type: METRIC_TYPE_CODE[type], help: metric.descriptor.description || 'description missing', unit: metric.descriptor.unit };
        if (metric.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM) return this.native(name, metric.dataPoints, resourceEntries);
        // Start timestamps for what counts from a start (spec "Start timestamps": counters and counter histograms).
        const started = type === 'counter' || type === 'histogram';
        if (metric.dataPointType === DataPointType.HISTOGRAM) this.histogram(name, metric.dataPoints, resourceEntries);
        else this.singular(name, metric.dataPoints as DataPoint<number>[], resourceEntries, reservedLabels(type, true), started);
        return 0;
      },
    });
    this.finishRequest();
    return { requests: this.requests, samples: this.totalSamples, ...skipped };
  }

  private singular(name: string, points: readonly DataPoint<number>[], resourceEntries: readonly PrometheusLabel[], reserved: readonly string[], started: boolean): void {
    for (const point of points) {
      this.prepareLabels(point.attributes, resourceEntries, reserved);
      this.reserveSamples(1);
      const exemplar = exemplarsOf(point)?.[0];
      this.series(name, undefined, point.value, milliseconds(point.endTime), started ? milliseconds(point.startTime) : 0, exemplar === undefined ? undefined : [exemplar]);
    }
  }

  private histogram(name: string, points: readonly DataPoint<Histogram>[], resourceEntries: readonly PrometheusLabel[]): void {
    const countName = `${name}_count`;
    const sumName = `${name}_sum`;
    const bucketName = `${name}_bucket`;
    let boundaries: readonly number[] | undefined;
    let les: string[] = [];
    for (const point of points) {
      const histogram = point.value;
      const counts = histogram.buckets.counts;
      if (boundaries === undefined || !sameNumbers(boundaries, histogram.buckets.boundaries)) {
        boundaries = histogram.buckets.boundaries;
        les = bucketBounds(boundaries, counts.length);
      }
      this.prepareLabels(point.attributes, resourceEntries, reservedLabels('histogram', true));
      const timestamp = milliseconds(point.endTime);
      const start = milliseconds(point.startTime);
      const hasSum = histogram.sum !== undefined && histogram.sum !== null;
      this.reserveSamples(1 + (hasSum ? 1 : 0) + les.length);
      this.series(countName, undefined, histogram.count, timestamp, start, undefined);
      if (hasSum) this.series(sumName, undefined, histogram.sum!, timestamp, start, undefined);
      // A bucket's exemplar (at most one, in bucket order) on its series, as in 1.0.
      const exemplars = exemplarsOf(point);
      let next = 0;
      let cumulative = 0;
      for (let i = 0; i < les.length; i++) {
        cumulative += counts[i] ?? 0;
        const exemplar = bucketExemplar(exemplars, next, histogram.buckets.boundaries[i] ?? Infinity);
        if (exemplar !== undefined) next++;
        this.series(bucketName, les[i], cumulative, timestamp, start, exemplar === undefined ? undefined : [exemplar]);
      }
    }
  }

  /** Native histogram series with every exemplar of the point; returns how many points had no Prometheus schema (left out). */
  private native(name: string, points: readonly DataPoint<ExponentialHistogram>[], resourceEntries: readonly PrometheusLabel[]): number {
    let left = 0;
    for (const point of points) {
      const schema = nativeSchema(point.value.scale);
      if (schema === undefined) {
        left++;
        continue;
      }
      this.prepareLabels(point.attributes, resourceEntries, reservedLabels('histogram', true));
      this.reserveSamples(1);
      this.beginSeries(name, undefined);
      const part = this.part;
      part.pos = 0;
      writeNativeHistogram(part, point.value, schema, milliseconds(point.endTime), milliseconds(point.startTime));
      this.copyPart(3);
      this.requestHistograms++;
      this.endSeries(exemplarsOf(point));
    }
    return left;
  }

  /** Interns a string: its index in this request's symbol table. */
  private sym(text: string): number {
    let ref = this.symbols.get(text);
    if (ref === undefined) {
      ref = this.symbolList.length;
      this.symbolList.push(text);
      this.symbols.set(text, ref);
    }
    return ref;
  }

  /**
   * Interns the labels of one data point (attributes through core's
   * Prometheus translation, sorted by name, plus `job` and `instance`) and
   * notes where `__name__` and `le` go in the sorted order.
   */
  /** {@link label}, bound once (not a closure per data point). */
  private readonly visitLabel = (entry: PrometheusLabel): void => this.label(entry);

  private prepareLabels(attributes: Attributes, resourceEntries: readonly PrometheusLabel[], reserved: readonly string[]): void {
    const translated = prometheusLabels(attributes, reserved);
    this.refs.length = 0;
    this.nameAt = -1;
    this.leAt = -1;
    mergeLabels(translated, resourceEntries, this.visitLabel);
    if (this.nameAt < 0) this.nameAt = this.refs.length;
    if (this.leAt < 0) this.leAt = this.refs.length;
  }

  private label(entry: PrometheusLabel): void {
    if (this.nameAt < 0 && entry.name > NAME_LABEL) this.nameAt = this.refs.length;
    if (this.leAt < 0 && entry.name > LE_LABEL) this.leAt = this.refs.length;
    this.refs.push(this.sym(entry.name), this.sym(entry.value));
  }

  /** Opens a TimeSeries field and writes its packed `labels_refs`, `__name__` (and `le`) in their sorted places. */
  private beginSeries(name: string, le: string | undefined): void {
    const refs = this.refs;
    const nameRef = this.sym(NAME_LABEL);
    const valueRef = this.sym(name);
    const leRef = le === undefined ? 0 : this.sym(LE_LABEL);
    const leValueRef = le === undefined ? 0 : this.sym(le);
    let size = varintSize(nameRef) + varintSize(valueRef) + (le === undefined ? 0 : varintSize(leRef) + varintSize(leValueRef));
    for (let i = 0; i < refs.length; i++) size += varintSize(refs[i]!);
    const out = this.out;
    out.begin(5);
    out.reserve(1 + varintSize(size) + size);
    out.byte(0x0a); // labels_refs = 1, packed
    out.varint(size);
    for (let i = 0; i < refs.length; i++) {
      if (i === this.nameAt) {
        out.varint(nameRef);
        out.varint(valueRef);
      }
      if (le !== undefined && i === this.leAt) {
        out.varint(leRef);
        out.varint(leValueRef);
      }
      out.varint(refs[i]!);
    }
    if (this.nameAt === refs.length) {
      out.varint(nameRef);
      out.varint(valueRef);
    }
    if (le !== undefined && this.leAt === refs.length) {
      out.varint(leRef);
      out.varint(leValueRef);
    }
  }

  /** Writes the exemplars and metadata and closes the TimeSeries. */
  private endSeries(exemplars: readonly CollectedExemplar[] | undefined): void {
    if (exemplars !== undefined) for (const exemplar of exemplars) this.exemplar(exemplar);
    const meta = this.meta!;
    const out = this.out;
    out.begin(5);
    out.uintField(1, meta.type);
    // help_ref and unit_ref 0 point at symbols[0] == "": left out as proto3 defaults.
    const help = this.sym(meta.help);
    if (help !== 0) out.uintField(3, help);
    const unit = this.sym(meta.unit);
    if (unit !== 0) out.uintField(4, unit);
    out.end();
    out.end();
    this.requestSamples++;
    this.totalSamples++;
  }

  /** One TimeSeries with one float sample. */
  private series(name: string, le: string | undefined, value: number, timestamp: number, start: number, exemplars: readonly CollectedExemplar[] | undefined): void {
    this.beginSeries(name, le);
    const out = this.out;
    out.reserve(2 + 9 + 11 + 11);
    out.byte(0x12); // samples = 2
    const body = 9 + 1 + varintSize(timestamp) + (start > 0 ? 1 + varintSize(start) : 0);
    out.byte(body);
    out.byte(0x09);
    out.double(value);
    out.byte(0x10);
    out.varint(timestamp);
    if (start > 0) {
      out.byte(0x18); // start_timestamp = 3
      out.varint(start);
    }
    this.requestFloats++;
    this.endSeries(exemplars);
  }

  /** `Exemplar` as field 4 of TimeSeries, labels sorted by name; left out when its labels are too long (as in 1.0). */
  private exemplar(exemplar: CollectedExemplar): void {
    const labels = exemplarLabels(exemplar)?.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (labels === undefined) return;
    const refs: number[] = [];
    for (const { name, value } of labels) refs.push(this.sym(name), this.sym(value));
    const part = this.part;
    part.pos = 0;
    let size = 0;
    for (const ref of refs) size += varintSize(ref);
    part.reserve(1 + varintSize(size) + size);
    part.byte(0x0a);
    part.varint(size);
    for (const ref of refs) part.varint(ref);
    part.doubleField(2, exemplar.value);
    // Exemplars MUST carry a timestamp in 2.0 (spec "Exemplars").
    part.uintField(3, milliseconds(exemplar.timestamp));
    this.copyPart(4);
    this.requestExemplars++;
  }

  /** Copies `part` into the open series as field `field`. */
  private copyPart(field: number): void {
    const part = this.part;
    const out = this.out;
    out.reserve(1 + varintSize(part.pos) + part.pos);
    out.byte((field << 3) | 2);
    out.varint(part.pos);
    out.bytes(part.buffer, 0, part.pos);
  }

  /** Starts a new request first when `samples` more would not fit in this one (the 1.0 encoder's rule). */
  private reserveSamples(samples: number): void {
    if (this.requestSamples > 0 && this.requestSamples + samples > this.maxSamples) {
      // The labels prepared for the point are symbol references of this request: intern them again in the next.
      const strings = this.refs.map((ref) => this.symbolList[ref]!);
      this.finishRequest();
      this.refs = strings.map((text) => this.sym(text));
    }
  }

  private resetRequest(): void {
    this.out.pos = 0;
    this.symbols = new Map([['', 0]]);
    this.symbolList = [''];
    this.requestSamples = 0;
    this.requestFloats = 0;
    this.requestHistograms = 0;
    this.requestExemplars = 0;
  }

  private finishRequest(): void {
    if (this.requestSamples === 0) {
      this.resetRequest();
      return;
    }
    const whole = this.whole;
    whole.pos = 0;
    // symbols = 4; symbols[0] is "" (spec: "MUST start with empty string").
    for (const text of this.symbolList) {
      const n = utf8Length(text);
      whole.reserve(1 + varintSize(n) + n);
      whole.byte(0x22);
      whole.varint(n);
      whole.string(text, n);
    }
    whole.reserve(this.out.pos);
    whole.bytes(this.out.buffer, 0, this.out.pos);
    const uncompressedBytes = whole.pos;
    const body = this.compressor === undefined ? whole.take() : this.compressor.compress(whole.buffer, whole.pos);
    this.requests.push({
      body,
      samples: this.requestSamples,
      floatSamples: this.requestFloats,
      histograms: this.requestHistograms,
      exemplars: this.requestExemplars,
      uncompressedBytes,
    });
    this.resetRequest();
  }
}



/** A v2 `Histogram` message body (integer counts) into `sink`. */
function writeNativeHistogram(sink: ProtoSink, value: ExponentialHistogram, schema: number, timestamp: number, start: number): void {
  const negative = nativeBuckets(value.negative, value.scale);
  const positive = nativeBuckets(value.positive, value.scale);
  sink.uintField(1, value.count); // count_int
  if (value.sum !== undefined) sink.doubleField(3, value.sum);
  sink.sintField(4, schema);
  // zero_threshold 0 (only exact zeros, as OpenTelemetry) is the proto3 default: left out.
  sink.uintField(6, value.zeroCount); // zero_count_int
  writeNativeSign(sink, 8, 9, negative);
  writeNativeSign(sink, 11, 12, positive);
  sink.uintField(15, timestamp);
  if (start > 0) sink.uintField(17, start); // start_timestamp (2.0-rc.4)
}
