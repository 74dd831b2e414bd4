/**
 * `awsemf`: CloudWatch Embedded Metric Format (EMF) documents, one JSON
 * document per line, written to stdout (or a given stream). CloudWatch Logs
 * extracts the metrics from the log events, so a Lambda function or a
 * container whose logs already reach CloudWatch Logs needs no agent
 * (specification:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
 *
 * The name is the OpenTelemetry Collector's for the same job
 * (opentelemetry-collector-contrib exporter/awsemfexporter), as
 * `prometheusremotewrite` is the Collector's name for remote write; its
 * choices are followed where the specification leaves room:
 * - counters and histograms are exported as deltas (EMF values are
 *   observations of one interval, not running totals: the Collector's
 *   exporter converts cumulative sums to deltas, datapoint.go);
 * - a histogram becomes a `{Values, Counts, Max, Min, Count, Sum}` object,
 *   one value per non-empty bucket at the bucket's midpoint, at most 100
 *   buckets per value, the sum on the first part only (datapoint.go,
 *   exponentialHistogramDataPointSlice.CalculateDeltaDatapoints). Explicit
 *   bucket histograms get the same treatment here (the Collector sends them
 *   as a statistic set without buckets, which loses percentiles); the open
 *   first and last buckets are closed by the point's recorded min and max,
 *   and every bucket is clamped to them, so a representative never lies
 *   outside what was observed.
 *
 * Limits of one document (the specification): at most 100 metrics, at most
 * 30 dimension keys in a dimension set, at most 100 values per metric; a
 * document holds one value per metric name, so data points are grouped by
 * their dimension values and split into more documents as needed. Documents
 * are also kept under {@link EMF_MAX_DOCUMENT_BYTES}.
 */
import { diag, type Attributes, type HrTime } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import {
  AggregationTemporality,
  AggregationType,
  DataPointType,
  InstrumentType,
  PeriodicExportingMetricReader,
  type AggregationOption,
  type ExponentialHistogram,
  type Histogram,
  type MetricData,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { OnceReporter } from '@inferometer/core/internal';
import { MAX_EMF_PENDING_BYTES, resolveEmfConfig, type EmfConfig } from '../config/emf.js';
import { exportTiming } from '../config/timing.js';
import type { ExporterFactory } from './exporter.js';

/** At most this many MetricDefinitions in one document (specification, MetricDirective object). */
export const EMF_MAX_METRICS_PER_DOCUMENT = 100;
/** At most this many dimension keys in a DimensionSet (specification, DimensionSet array). */
export const EMF_MAX_DIMENSIONS = 30;
/** At most this many values in one metric's array (specification, Target members). */
export const EMF_MAX_VALUES_PER_METRIC = 100;
/**
 * Largest document written. CloudWatch Logs takes events up to 1 MB now, and
 * up to 256 KB before (the specification has said both); the smaller keeps
 * every log route (Lambda, Fluent Bit, the agent) safe. Documents above it
 * are split by metric.
 */
export const EMF_MAX_DOCUMENT_BYTES = 256 * 1024;
/** CloudWatch dimension limits (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_Dimension.html): names up to 255 characters (aws-embedded-metrics: 250), values up to 1024. */
const MAX_DIMENSION_NAME_LENGTH = 250;
const MAX_DIMENSION_VALUE_LENGTH = 1024;
/** The resource attribute every document carries as a dimension, so services sharing a namespace stay apart. */
const SERVICE_NAME = 'service.name';

/** A histogram value in a document. */
export interface EmfDistribution {
  Values: number[];
  Counts: number[];
  Max: number;
  Min: number;
  Count: number;
  Sum: number;
}

type EmfValue = number | EmfDistribution;

/**
 * OpenTelemetry (UCUM) units to CloudWatch units, the reverse of CloudWatch's
 * own table for metric streams in OpenTelemetry format
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch-metric-streams-formats-opentelemetry-translation.html).
 * Annotations (`{request}`) count things; anything else is left out (None).
 */
const UNITS: Readonly<Record<string, string>> = {
  s: 'Seconds',
  ms: 'Milliseconds',
  us: 'Microseconds',
  By: 'Bytes',
  kBy: 'Kilobytes',
  MBy: 'Megabytes',
  GBy: 'Gigabytes',
  TBy: 'Terabytes',
  bit: 'Bits',
  kbit: 'Kilobits',
  Mbit: 'Megabits',
  Gbit: 'Gigabits',
  Tbit: 'Terabits',
  '%': 'Percent',
  'By/s': 'Bytes/Second',
  'kBy/s': 'Kilobytes/Second',
  'MBy/s': 'Megabytes/Second',
  'GBy/s': 'Gigabytes/Second',
  'TBy/s': 'Terabytes/Second',
  'bit/s': 'Bits/Second',
  'kbit/s': 'Kilobits/Second',
  'Mbit/s': 'Megabits/Second',
  'Gbit/s': 'Gigabits/Second',
  'Tbit/s': 'Terabits/Second',
  '1': 'None',
};

/** The CloudWatch unit of an OpenTelemetry unit, or undefined (None). */
export function cloudWatchUnit(unit: string): string | undefined {
  if (Object.hasOwn(UNITS, unit)) return UNITS[unit];
  if (/^\{[^{}]*\}$/.test(unit)) return 'Count';
  if (/^\{[^{}]*\}\/s$/.test(unit)) return 'Count/Second';
  return undefined;
}

/** One group of data points with the same dimension values: the documents they fill. */
interface Group {
  /** The keys of the dimension set, as JSON array items. */
  readonly dimensionsJson: string;
  /**
   * Dimensions and, after them, attributes that cannot be dimensions (see
   * groupOf, kept as plain members for Logs Insights), as JSON members
   * each led by a comma: the part every document of the group repeats.
   */
  readonly membersJson: string;
  /** Every root member name the group's documents take, for collisions with metric names. */
  readonly names: ReadonlySet<string>;
  timestamp: number;
  readonly documents: Map<string, { unit: string | undefined; value: EmfValue }>[];
}

/** Warnings that are worth saying once per key, not once per export. */
export type WarnOnce = (key: string, message: string) => void;

/**
 * The EMF documents for one export, serialized, one per line. Exported for
 * tests; the exporter writes exactly these.
 */
export function emfLines(metrics: ResourceMetrics, namespace: string, warn: WarnOnce): string[] {
  const name = metrics.resource.attributes[SERVICE_NAME];
  const serviceName = typeof name === 'string' ? name : undefined;
  const groups = new Map<string, Group>();
  for (const scope of metrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      const unit = cloudWatchUnit(metric.descriptor.unit);
      for (const point of metric.dataPoints as { attributes: Attributes; endTime: HrTime; value: unknown }[]) {
        const values = valuesOf(metric, point.value);
        if (values.length === 0) continue;
        // Points of several metrics share attributes: the dimensions are worked out once per group.
        const entries = attributeEntries(point.attributes, serviceName);
        const key = JSON.stringify(entries);
        let group = groups.get(key);
        if (group === undefined) {
          group = groupOf(entries, warn);
          groups.set(key, group);
        }
        group.timestamp = Math.max(group.timestamp, millis(point.endTime));
        for (const value of values) place(group, metric.descriptor.name, unit, value, warn);
      }
    }
  }
  const namespaceJson = JSON.stringify(namespace);
  const lines: string[] = [];
  for (const group of groups.values()) {
    for (const document of group.documents) lines.push(...serialize(namespaceJson, group, [...document], warn));
  }
  return lines;
}

/** Into the first document of the group that has room and no value of that name yet. */
function place(group: Group, name: string, unit: string | undefined, value: EmfValue, warn: WarnOnce): void {
  if (name === '_aws' || group.names.has(name)) {
    // A document's members share one namespace: a metric cannot be named like a dimension.
    warn(`collision:${name}`, `metric "${name}" has the name of one of its own attributes; it cannot be written to EMF and is left out`);
    return;
  }
  let document = group.documents.find((candidate) => candidate.size < EMF_MAX_METRICS_PER_DOCUMENT && !candidate.has(name));
  if (document === undefined) {
    document = new Map();
    group.documents.push(document);
  }
  document.set(name, { unit, value });
}

/**
 * The JSON text of a document, split in halves while it is larger than the
 * limit. Written as text (member names and values through JSON.stringify)
 * rather than built as an object first: the group's part is already text, and
 * an export of thousands of series then costs one string per document.
 */
function serialize(namespaceJson: string, group: Group, entries: [string, { unit: string | undefined; value: EmfValue }][], warn: WarnOnce): string[] {
  let definitions = '';
  let values = '';
  for (const [name, { unit, value }] of entries) {
    const quoted = JSON.stringify(name);
    definitions += `${definitions === '' ? '' : ','}{"Name":${quoted}${unit === undefined ? '' : `,"Unit":${JSON.stringify(unit)}`}}`;
    values += `,${quoted}:${JSON.stringify(value)}`;
  }
  // Every dimension key in one set: the data points' own identity. (An empty
  // set is allowed; the array of sets needs one.)
  const text = `{"_aws":{"Timestamp":${group.timestamp},"CloudWatchMetrics":[{"Namespace":${namespaceJson},"Dimensions":[[${group.dimensionsJson}]],"Metrics":[${definitions}]}]}${group.membersJson}${values}}`;
  // A UTF-16 length at most a third of the limit cannot exceed it in UTF-8.
  if (text.length * 3 <= EMF_MAX_DOCUMENT_BYTES || Buffer.byteLength(text) <= EMF_MAX_DOCUMENT_BYTES) return [text];
  if (entries.length === 1) {
    // Cannot happen with 100 values per metric; said rather than looped on.
    warn(`oversize:${entries[0]![0]}`, `one EMF value of "${entries[0]![0]}" exceeds ${EMF_MAX_DOCUMENT_BYTES} bytes; written anyway`);
    return [text];
  }
  const half = Math.ceil(entries.length / 2);
  return [...serialize(namespaceJson, group, entries.slice(0, half), warn), ...serialize(namespaceJson, group, entries.slice(half), warn)];
}

/** `service.name` first (unless the point has its own), then the point's attributes by key, as strings. */
function attributeEntries(attributes: Attributes, serviceName: string | undefined): [string, string][] {
  const entries: [string, string][] = [];
  if (serviceName !== undefined && !Object.hasOwn(attributes, SERVICE_NAME)) entries.push([SERVICE_NAME, serviceName]);
  for (const key of Object.keys(attributes).sort()) {
    const value = attributes[key];
    if (value === undefined || value === null) continue;
    entries.push([key, typeof value === 'string' ? value : Array.isArray(value) ? JSON.stringify(value) : String(value)]);
  }
  return entries;
}

/**
 * Attributes to dimensions, in the order of {@link attributeEntries} (the
 * cardinality guard of @inferometer/core has already bounded their values).
 * What CloudWatch refuses as a dimension (names and values must be ASCII with
 * a non-blank character, names must not start with a colon:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Dimension)
 * and keys past the 30th stay in the document as plain members, searchable in
 * Logs Insights but not part of the metric.
 */
function groupOf(entries: readonly [string, string][], warn: WarnOnce): Group {
  const dimensions: string[] = [];
  let dimensionsJson = '';
  let membersJson = '';
  let plainJson = '';
  const names = new Set<string>();
  for (const [key, value] of entries) {
    if (key === '_aws') continue;
    names.add(key);
    const problem = dimensionProblem(key, value);
    if (problem !== undefined) {
      warn(`dimension:${key}`, `attribute "${key.slice(0, 64)}" ${problem}: written to EMF as a plain member, not a dimension`);
      plainJson += `,${JSON.stringify(key)}:${JSON.stringify(value)}`;
    } else if (dimensions.length >= EMF_MAX_DIMENSIONS) {
      warn(`dimensions:${key}`, `more than ${EMF_MAX_DIMENSIONS} attributes on one data point; "${key.slice(0, 64)}" is written to EMF as a plain member, not a dimension`);
      plainJson += `,${JSON.stringify(key)}:${JSON.stringify(value)}`;
    } else {
      const quoted = JSON.stringify(key);
      dimensions.push(key);
      dimensionsJson += `${dimensionsJson === '' ? '' : ','}${quoted}`;
      membersJson += `,${quoted}:${JSON.stringify(value.length > MAX_DIMENSION_VALUE_LENGTH ? value.slice(0, MAX_DIMENSION_VALUE_LENGTH) : value)}`;
    }
  }
  return { dimensionsJson, membersJson: membersJson + plainJson, names, timestamp: 0, documents: [] };
}

const ASCII = /^[\x00-\x7F]+$/;

function dimensionProblem(key: string, value: string): string | undefined {
  if (key.length > MAX_DIMENSION_NAME_LENGTH) return `has a name longer than ${MAX_DIMENSION_NAME_LENGTH} characters`;
  if (!ASCII.test(key) || key.trim() === '' || key.startsWith(':')) return 'has a name CloudWatch does not take as a dimension (ASCII, not blank, not starting with a colon)';
  if (!ASCII.test(value) || value.trim() === '') return 'has a value CloudWatch does not take as a dimension (ASCII, not blank)';
  return undefined;
}

/** A data point's EMF values: none (nothing to say this interval), one, or a histogram in parts of 100 buckets. */
function valuesOf(metric: MetricData, value: unknown): EmfValue[] {
  switch (metric.dataPointType) {
    case DataPointType.SUM:
    case DataPointType.GAUGE:
      // NaN and infinities have no JSON; the Collector's exporter drops them too (IsStaleNaNInf).
      return typeof value === 'number' && Number.isFinite(value) ? [value] : [];
    case DataPointType.HISTOGRAM:
      return distributions(explicitBuckets(value as Histogram), value as Histogram);
    case DataPointType.EXPONENTIAL_HISTOGRAM:
      return distributions(exponentialBuckets(value as ExponentialHistogram), value as ExponentialHistogram);
    default:
      return [];
  }
}

/** A non-empty bucket: its closed range (clamped to the point's min and max) and count. */
interface Bucket {
  readonly low: number;
  readonly high: number;
  readonly count: number;
}

/** Explicit buckets: bucket i is (bounds[i-1], bounds[i]]; the first and last are open, closed here by min and max. */
function explicitBuckets(histogram: Histogram): Bucket[] {
  const { boundaries, counts } = histogram.buckets;
  const buckets: Bucket[] = [];
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i]!;
    if (!(count > 0)) continue;
    const low = i === 0 ? (histogram.min ?? Math.min(0, boundaries[0] ?? 0)) : boundaries[i - 1]!;
    const high = i === boundaries.length ? (histogram.max ?? boundaries[i - 1] ?? low) : boundaries[i]!;
    buckets.push(clamp(low, high, count, histogram));
  }
  return buckets;
}

/**
 * Base-2 exponential buckets: index i covers (base^i, base^(i+1)] with
 * base = 2^(2^-scale), negative ones mirrored, the zero bucket at 0
 * (https://opentelemetry.io/docs/specs/otel/metrics/data-model/#exponentialhistogram).
 */
function exponentialBuckets(histogram: ExponentialHistogram): Bucket[] {
  const base = Math.pow(2, Math.pow(2, -histogram.scale));
  const buckets: Bucket[] = [];
  const negative = histogram.negative.bucketCounts;
  for (let k = negative.length - 1; k >= 0; k--) {
    const index = histogram.negative.offset + k;
    if (negative[k]! > 0) buckets.push(clamp(-Math.pow(base, index + 1), -Math.pow(base, index), negative[k]!, histogram));
  }
  if (histogram.zeroCount > 0) buckets.push({ low: 0, high: 0, count: histogram.zeroCount });
  histogram.positive.bucketCounts.forEach((count, k) => {
    const index = histogram.positive.offset + k;
    if (count > 0) buckets.push(clamp(Math.pow(base, index), Math.pow(base, index + 1), count, histogram));
  });
  return buckets;
}

function clamp(low: number, high: number, count: number, range: { min?: number; max?: number }): Bucket {
  let lo = range.min !== undefined && Number.isFinite(range.min) ? Math.max(low, range.min) : low;
  let hi = range.max !== undefined && Number.isFinite(range.max) ? Math.min(high, range.max) : high;
  if (lo > hi) [lo, hi] = [hi, lo];
  return { low: lo, high: hi, count };
}

/** Buckets as Values/Counts objects of at most 100 values; the sum goes with the first (the Collector's exporter does the same). */
function distributions(buckets: readonly Bucket[], point: { count: number; sum?: number }): EmfDistribution[] {
  if (!(point.count > 0) || buckets.length === 0) return [];
  const parts: EmfDistribution[] = [];
  for (let start = 0; start < buckets.length; start += EMF_MAX_VALUES_PER_METRIC) {
    const part = buckets.slice(start, start + EMF_MAX_VALUES_PER_METRIC);
    parts.push({
      Values: part.map((bucket) => (bucket.low + bucket.high) / 2),
      Counts: part.map((bucket) => bucket.count),
      Max: part.at(-1)!.high,
      Min: part[0]!.low,
      Count: part.reduce((sum, bucket) => sum + bucket.count, 0),
      Sum: start === 0 ? (point.sum ?? 0) : 0,
    });
  }
  return parts;
}

function millis(time: HrTime): number {
  return time[0] * 1000 + Math.floor(time[1] / 1e6);
}

const DEFAULT_AGGREGATION: AggregationOption = { type: AggregationType.DEFAULT };

/**
 * Writes each export as EMF lines to the configured stream, in one write.
 * The result is the write's: a failed or refused write is a failed export.
 */
export class EmfMetricExporter implements PushMetricExporter {
  /** Warnings told already, per exporter (at most 100 kinds). */
  private readonly reported = new OnceReporter(100);
  private readonly pending = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly config: EmfConfig) {}

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    if (this.stopped) {
      resultCallback({ code: ExportResultCode.FAILED, error: new Error('the awsemf exporter is shut down') });
      return;
    }
    let text: string;
    try {
      const lines = emfLines(metrics, this.config.namespace, this.warnOnce);
      if (lines.length === 0) {
        resultCallback({ code: ExportResultCode.SUCCESS });
        return;
      }
      text = `${lines.join('\n')}\n`;
    } catch (err) {
      diag.error('@inferometer/node: building EMF documents failed', err);
      resultCallback({ code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) });
      return;
    }
    if ((this.config.stream.writableLength ?? 0) > MAX_EMF_PENDING_BYTES) {
      this.warnOnce('stalled', `the EMF stream holds more than ${MAX_EMF_PENDING_BYTES} unwritten bytes; exports are dropped until it drains`);
      resultCallback({ code: ExportResultCode.FAILED, error: new Error('EMF stream stalled') });
      return;
    }
    const written = new Promise<void>((resolve) => {
      const done = (error?: Error | null): void => {
        resolve();
        resultCallback(error ? { code: ExportResultCode.FAILED, error } : { code: ExportResultCode.SUCCESS });
      };
      try {
        this.config.stream.write(text, done);
      } catch (err) {
        done(err instanceof Error ? err : new Error(String(err)));
      }
    });
    this.pending.add(written);
    void written.then(() => this.pending.delete(written));
  }

  /** Waits for writes in flight. */
  async forceFlush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  /** Stops exporting; the stream (stdout by default) is the caller's and stays open. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    await this.forceFlush();
  }

  /** Delta for counters and histograms: an EMF value is what happened in one interval. Gauges and up-down counters as they stand. */
  selectAggregationTemporality(instrumentType: InstrumentType): AggregationTemporality {
    return instrumentType === InstrumentType.COUNTER || instrumentType === InstrumentType.OBSERVABLE_COUNTER || instrumentType === InstrumentType.HISTOGRAM
      ? AggregationTemporality.DELTA
      : AggregationTemporality.CUMULATIVE;
  }

  selectAggregation(_instrumentType: InstrumentType): AggregationOption {
    return DEFAULT_AGGREGATION;
  }

  private readonly warnOnce: WarnOnce = (key, message) => {
    this.reported.warn(key, `@inferometer/node: ${message}`);
  };
}

/** `awsemf`: periodic EMF documents on stdout (or `emf.stream`), deltas per `OTEL_METRIC_EXPORT_INTERVAL`. */
export const emfExporter: ExporterFactory = ({ env, options, metricProducersFor }) => {
  const config = resolveEmfConfig(env, options.emf);
  const { interval, timeout } = exportTiming(env, options);
  return {
    reader: new PeriodicExportingMetricReader({
      exporter: new EmfMetricExporter(config),
      exportIntervalMillis: interval,
      exportTimeoutMillis: timeout,
      // Producers are not told the reader's temporality: delta ones, like the delta OTLP presets.
      metricProducers: metricProducersFor('delta'),
    }),
  };
};
