/**
 * OpenTelemetry `ResourceMetrics` -> remote write 1.0 `WriteRequest`s,
 * snappy-compressed, in one pass with no intermediate series objects.
 *
 * Wire format (prometheus/prompb types.proto, remote.proto):
 *   WriteRequest   { repeated TimeSeries timeseries = 1; repeated MetricMetadata metadata = 3; }
 *   TimeSeries     { repeated Label labels = 1; repeated Sample samples = 2; }
 *   Label          { string name = 1; string value = 2; }
 *   Sample         { double value = 1; int64 timestamp = 2; }   // milliseconds
 *   MetricMetadata { MetricType type = 1; string metric_family_name = 2; string help = 4; string unit = 5; }
 *
 * Labels of a series are sorted by name, `__name__` included, with no empty
 * names or values and no duplicates (remote_write_spec.md, "Labels").
 * Series names and label values follow the pull endpoint (./translate/names).
 */
import type { Attributes } from '@opentelemetry/api';
import {
  AggregationTemporality,
  DataPointType,
  type DataPoint,
  type Histogram,
  type MetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { bucketBound, prometheusLabelName, prometheusLabelValue, prometheusMetricName, prometheusType, type PrometheusType } from '../translate/names.js';
import { resourceLabels } from '../translate/resource.js';
import { ByteSink, encodeLabelField, utf8Length, varintSize } from './byte-sink.js';
import { SnappyCompressor } from './snappy.js';

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

const METRIC_TYPE_CODE: Record<PrometheusType, number> = { counter: 1, gauge: 2, histogram: 3 };
const NAME_LABEL = '__name__';
const LE_LABEL = 'le';
const TARGET_INFO = 'target_info';
/** Cap on the cache of sanitized attribute keys: keys are few, but never trust that. */
const MAX_CACHED_KEYS = 4096;

interface LabelEntry {
  name: string;
  value: string;
  key: string;
}

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
  private readonly out = new ByteSink(256 * 1024);
  private readonly labels = new ByteSink(1024);
  private readonly labelNames = new Map<string, string>();
  private readonly entries: LabelEntry[] = [];
  private nameAt = 0;
  private leAt = 0;

  // State of the request being built.
  private requests: EncodedWriteRequest[] = [];
  private requestSamples = 0;
  private requestMetadata: Uint8Array[] = [];
  private totalSamples = 0;

  constructor(options: WriteRequestEncoderOptions = {}) {
    const max = options.maxSamplesPerRequest ?? DEFAULT_MAX_SAMPLES_PER_REQUEST;
    if (!Number.isInteger(max) || max < 1) {
      throw new RangeError(`WriteRequestEncoder: maxSamplesPerRequest must be a whole number of at least 1; got ${String(max)}`);
    }
    this.maxSamples = max;
    this.targetInfo = options.targetInfo ?? true;
    this.instance = options.instance;
    this.compressor = options.compress === false ? undefined : new SnappyCompressor();
  }

  /** Encodes every series of `resourceMetrics` into as many requests as `maxSamplesPerRequest` needs. */
  encode(resourceMetrics: ResourceMetrics): EncodeResult {
    this.requests = [];
    this.requestSamples = 0;
    this.requestMetadata = [];
    this.totalSamples = 0;
    this.out.pos = 0;
    let skippedDataPoints = 0;
    const skippedMetrics: string[] = [];

    const resource = resourceLabels(resourceMetrics.resource, this.instance);
    const resourceEntries: LabelEntry[] = [];
    if (resource.job !== '') resourceEntries.push({ name: 'job', value: resource.job, key: 'job' });
    resourceEntries.push({ name: 'instance', value: resource.instance, key: 'instance' });

    if (this.targetInfo && Object.keys(resource.rest).length > 0) {
      // A gauge, as the pull endpoint's `# TYPE target_info gauge` says.
      this.startMetric(encodeMetadata(TARGET_INFO, 'gauge', 'Target metadata', ''));
      this.prepareLabels(resource.rest, resourceEntries, false);
      this.reserveSamples(1);
      this.series(encodeLabelField(1, NAME_LABEL, TARGET_INFO), undefined, 1, Date.now());
    }

    for (const scopeMetrics of resourceMetrics.scopeMetrics) {
      for (const metric of scopeMetrics.metrics) {
        if (metric.dataPoints.length === 0) continue;
        const name = prometheusMetricName(metric);
        const type = prometheusType(metric);
        const delta = metric.dataPointType !== DataPointType.GAUGE && metric.aggregationTemporality === AggregationTemporality.DELTA;
        if (name === undefined || type === undefined || delta) {
          // Prometheus stores cumulative series; a delta point written as-is
          // would read as a counter reset every interval.
          skippedDataPoints += metric.dataPoints.length;
          skippedMetrics.push(metric.descriptor.name);
          continue;
        }
        this.startMetric(encodeMetadata(name, type, metric.descriptor.description || 'description missing', metric.descriptor.unit));
        if (metric.dataPointType === DataPointType.HISTOGRAM) this.histogram(name, metric.dataPoints, resourceEntries);
        else this.singular(name, metric.dataPoints as DataPoint<number>[], resourceEntries);
      }
    }
    this.finishRequest();
    return { requests: this.requests, samples: this.totalSamples, skippedDataPoints, skippedMetrics };
  }

  private singular(name: string, points: readonly DataPoint<number>[], resourceEntries: readonly LabelEntry[]): void {
    const nameField = encodeLabelField(1, NAME_LABEL, name);
    for (const point of points) {
      this.prepareLabels(point.attributes, resourceEntries, false);
      this.reserveSamples(1);
      this.series(nameField, undefined, point.value, milliseconds(point.endTime));
    }
  }

  private histogram(name: string, points: readonly DataPoint<Histogram>[], resourceEntries: readonly LabelEntry[]): void {
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
      this.prepareLabels(point.attributes, resourceEntries, true);
      const timestamp = milliseconds(point.endTime);
      const hasSum = histogram.sum !== undefined && histogram.sum !== null;
      this.reserveSamples(1 + (hasSum ? 1 : 0) + leFields.length);
      this.series(countField, undefined, histogram.count, timestamp);
      if (hasSum) this.series(sumField, undefined, histogram.sum!, timestamp);
      // Cumulative bucket counts, `le` as the pull endpoint writes it.
      let cumulative = 0;
      for (let i = 0; i < leFields.length; i++) {
        cumulative += counts[i] ?? 0;
        this.series(bucketField, leFields[i], cumulative, timestamp);
      }
    }
  }

  /**
   * Sorts the labels of one data point (attributes plus `job` and
   * `instance`) and writes them as Label fields into `this.labels`, noting
   * where `__name__` and `le` go in the sorted order.
   */
  private prepareLabels(attributes: Attributes, resourceEntries: readonly LabelEntry[], histogram: boolean): void {
    const entries = this.entries;
    entries.length = 0;
    for (const key in attributes) {
      const value = prometheusLabelValue(attributes[key]);
      if (value === '') continue; // an empty value means "no label" in Prometheus
      let name = this.labelName(key);
      if (name === '') continue;
      // `job` and `instance` come from the resource, as a scrape with
      // honor_labels: false keeps the target's and renames the exposed ones.
      if (name === 'job' || name === 'instance' || (histogram && name === LE_LABEL)) name = `exported_${name}`;
      entries.push({ name, value, key });
    }
    for (const entry of resourceEntries) entries.push(entry);
    entries.sort(compareEntries);

    const labels = this.labels;
    labels.pos = 0;
    this.nameAt = -1;
    this.leAt = -1;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      let value = entry.value;
      // Attributes that sanitize to one name: values joined with `;`, in
      // the order of their original keys (compatibility spec).
      while (i + 1 < entries.length && entries[i + 1]!.name === entry.name) value += `;${entries[++i]!.value}`;
      if (this.nameAt < 0 && entry.name > NAME_LABEL) this.nameAt = labels.pos;
      if (this.leAt < 0 && entry.name > LE_LABEL) this.leAt = labels.pos;
      writeLabelField(labels, entry.name, value);
    }
    if (this.nameAt < 0) this.nameAt = labels.pos;
    if (this.leAt < 0) this.leAt = labels.pos;
  }

  private labelName(key: string): string {
    let name = this.labelNames.get(key);
    if (name === undefined) {
      name = prometheusLabelName(key);
      if (this.labelNames.size >= MAX_CACHED_KEYS) this.labelNames.clear();
      this.labelNames.set(key, name);
    }
    return name;
  }

  /** Writes one TimeSeries field: the prepared labels with `__name__` (and `le`) inserted, and one sample. */
  private series(nameField: Uint8Array, leField: Uint8Array | undefined, value: number, timestamp: number): void {
    const labels = this.labels;
    const labelBytes = labels.pos;
    const sampleBody = 1 + 8 + 1 + varintSize(timestamp);
    const body = labelBytes + nameField.length + (leField === undefined ? 0 : leField.length) + 2 + sampleBody;
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

function compareEntries(a: LabelEntry, b: LabelEntry): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

function writeLabelField(sink: ByteSink, name: string, value: string): void {
  const nameLength = utf8Length(name);
  const valueLength = utf8Length(value);
  const body = 1 + varintSize(nameLength) + nameLength + 1 + varintSize(valueLength) + valueLength;
  sink.reserve(1 + varintSize(body) + body);
  sink.byte(0x0a);
  sink.varint(body);
  sink.byte(0x0a);
  sink.varint(nameLength);
  sink.string(name, nameLength);
  sink.byte(0x12);
  sink.varint(valueLength);
  sink.string(value, valueLength);
}

/** `MetricMetadata` as field 3 of WriteRequest. */
function encodeMetadata(family: string, type: PrometheusType, help: string, unit: string): Uint8Array {
  const familyLength = utf8Length(family);
  const helpLength = utf8Length(help);
  const unitLength = utf8Length(unit);
  const body =
    2 +
    (1 + varintSize(familyLength) + familyLength) +
    (1 + varintSize(helpLength) + helpLength) +
    (unitLength === 0 ? 0 : 1 + varintSize(unitLength) + unitLength);
  const sink = new ByteSink(1 + varintSize(body) + body);
  sink.byte(0x1a);
  sink.varint(body);
  sink.byte(0x08);
  sink.byte(METRIC_TYPE_CODE[type]);
  sink.byte(0x12);
  sink.varint(familyLength);
  sink.string(family, familyLength);
  sink.byte(0x22);
  sink.varint(helpLength);
  sink.string(help, helpLength);
  if (unitLength > 0) {
    sink.byte(0x2a);
    sink.varint(unitLength);
    sink.string(unit, unitLength);
  }
  return sink.take();
}

/**
 * The `le` Label fields of a histogram's buckets, as exporter-prometheus
 * walks them: one per count, `+Inf` for the one past the last boundary, and
 * no bucket after an explicit `Infinity` boundary.
 */
function bucketFields(boundaries: readonly number[], buckets: number): Uint8Array[] {
  const fields: Uint8Array[] = [];
  let infinite = false;
  for (let i = 0; i < buckets; i++) {
    const bound = boundaries[i];
    if (bound === undefined && infinite) break;
    if (bound === Infinity) infinite = true;
    fields.push(encodeLabelField(1, LE_LABEL, bucketBound(bound)));
  }
  return fields;
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Sample timestamps are whole milliseconds. */
function milliseconds(time: readonly [number, number]): number {
  return Math.round(time[0] * 1000 + time[1] / 1e6);
}
