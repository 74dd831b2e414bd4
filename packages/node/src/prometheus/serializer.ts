import { bucketExemplar, exemplarsOf } from '@inferometer/core/internal';
import { groupFamilies, reservedLabels, type EscapingScheme } from '@inferometer/core/prometheus';
import { DataPointType, type DataPoint, type Histogram, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { ChunkWriter, DEFAULT_CHUNK_BYTES, drain, NEWLINE, SPACE } from './exposition/chunks.js';
import { createdName, EOF, openMetricsHeader, openMetricsTargetInfo, writeCreated, writeExemplar } from './exposition/openmetrics.js';
import { histogramBytes, histogramCacheOf, keysBefore, labelBytes, labelCache, labelsAfter, leBytes, nameBytes, type HistogramBytes } from './exposition/series.js';
import { textHeader, textTargetInfo } from './exposition/text.js';
import type { ExpositionFormat } from './negotiation.js';
import { warnFamily } from './warn.js';

/**
 * The Prometheus text format (0.0.4) and OpenMetrics 1.0.0 serializer, built
 * for scrape size: label bytes cached per series (./exposition/series.ts),
 * output written as bytes into fixed-size chunks (./exposition/chunks.ts).
 * What differs between the two formats is in ./exposition/text.ts and
 * ./exposition/openmetrics.ts; the protobuf format is ./protobuf. Families,
 * names, escaping and clash rules are core's (`@inferometer/core/prometheus`),
 * the same for every format and for remote write.
 *
 * Output is sample-for-sample what `@opentelemetry/exporter-prometheus`'s
 * PrometheusSerializer produces with `withoutScopeInfo` (a test parses both),
 * and families with the same name from several scopes are merged so the
 * exposition never repeats a `# TYPE` line.
 *
 * Exposition formats: https://prometheus.io/docs/instrumenting/exposition_formats/,
 * https://github.com/prometheus/OpenMetrics/blob/v1.0.0/specification/OpenMetrics.md
 */

export { ChunkPool, DEFAULT_CHUNK_BYTES } from './exposition/chunks.js';

/** Options of {@link serializeChunks}. */
export interface SerializeOptions {
  /**
   * `text` (Prometheus text format 0.0.4, the default) or `openmetrics`
   * (OpenMetrics 1.0.0: `# TYPE x counter` over `x_total` samples, `# UNIT`,
   * HELP with `"` escaped, `# EOF` at the end).
   *
   * @example
   * ```ts
   * { format: 'openmetrics' }
   * ```
   */
  readonly format?: ExpositionFormat;
  /**
   * OpenMetrics only: write a `_created` sample (the series' start time) for
   * counters and histograms. Off by default: Prometheus 2.x stores each as a
   * plain series of its own, doubling the counter series.
   *
   * @example
   * ```ts
   * { format: 'openmetrics', created: true }
   * ```
   */
  readonly created?: boolean;
  /**
   * How names are written: the escaping scheme the scraper negotiated
   * (https://prometheus.io/docs/instrumenting/escaping_schemes/). Unset or
   * `underscores`: the OpenTelemetry translation's legacy names, as always;
   * `allow-utf-8`: the instruments' and attributes' own names, quoted where
   * they are not legacy names (the text format 1.0.0's syntax); `dots`,
   * `values`: those names escaped. The catalog's `ml_*` names are the same
   * under every scheme.
   *
   * @example
   * ```ts
   * { format: 'text', escaping: 'allow-utf-8' }
   * ```
   */
  readonly escaping?: EscapingScheme;
  /** Called with each family left out of this exposition because its name collided with an earlier family's. */
  readonly onDroppedFamily?: (name: string) => void;
}

/**
 * Serializes collected metrics (a reader's `collect()` result) into chunks of
 * about `chunkBytes` bytes of Prometheus text format 0.0.4 or OpenMetrics
 * 1.0.0 (UTF-8). `allocate` supplies the chunk buffers (the pull handler
 * recycles them through a `ChunkPool` once written).
 *
 * The exposition is valid whatever the service's instruments are called:
 * names and labels go through core's translation, HELP is escaped for the
 * format, `# UNIT` (OpenMetrics only) is written only when it is a valid unit
 * that ends the family name (as OpenMetrics requires), and a family whose
 * name, or one of whose sample names, is taken by an earlier family (a
 * metric called `target.info`, a gauge `x_count` beside a histogram `x`, a
 * counter `x` beside a gauge `x`) is left out, the earlier one kept, with a
 * diag warning once per name. Families of the same name and type from
 * several scopes are merged.
 *
 * @example
 * ```ts
 * for (const chunk of serializePrometheusChunks((await reader.collect()).resourceMetrics)) res.write(chunk);
 * ```
 */
export function* serializeChunks(
  resourceMetrics: ResourceMetrics,
  chunkBytes = DEFAULT_CHUNK_BYTES,
  allocate: (size: number) => Buffer = Buffer.allocUnsafe,
  options: SerializeOptions = {},
): Generator<Buffer> {
  const openMetrics = options.format === 'openmetrics';
  const created = openMetrics && options.created === true;
  // `underscores` is what the formats always wrote: one cache, one path.
  const escaping = options.escaping === 'underscores' ? undefined : options.escaping;
  const w = new ChunkWriter(chunkBytes, allocate);
  const resource = resourceMetrics.resource.attributes;
  w.bytes(openMetrics ? openMetricsTargetInfo(resource, escaping) : textTargetInfo(resource, escaping));
  for (const family of groupFamilies(resourceMetrics.scopeMetrics, { warn: warnFamily, onDropped: options.onDroppedFamily, escaping }).values()) {
    w.bytes(openMetrics ? openMetricsHeader(family) : textHeader(family));
    const name = nameBytes(family.name);
    const labels = labelCache(reservedLabels(family.type), escaping);
    const createdBytes = created ? createdName(family) : undefined;
    // A series written once: the first point of a label set wins (Prometheus
    // refuses the second as a duplicate sample). Two points of one metric
    // share a label set only if the translation changed one of them (the SDK
    // and the native recorder keep attribute sets distinct), so a single-part
    // family starts checking at its first changed set, and a scrape of the
    // catalog allocates no set at all.
    let written = family.metrics.length > 1 ? new Set<string>() : undefined;
    for (const metric of family.metrics) {
      if (metric.dataPointType === DataPointType.HISTOGRAM) {
        const cache = histogramCacheOf(family.name, escaping);
        const points = metric.dataPoints;
        for (let i = 0; i < points.length; i++) {
          const point = points[i]!;
          const bytes = histogramBytes(cache, labels, name, point.attributes);
          if (written === undefined && bytes.labels.changed) written = keysBefore(points, i, labels);
          if (written !== undefined) {
            if (written.has(bytes.labels.key)) continue;
            written.add(bytes.labels.key);
          }
          writeHistogram(w, bytes, point, openMetrics, escaping);
          if (createdBytes !== undefined) writeCreated(w, createdBytes, labelsAfter(createdBytes, bytes.labels), point.startTime);
          if (w.ready || w.full.length > 0) yield* drain(w);
        }
      } else {
        const points = metric.dataPoints as DataPoint<number>[];
        for (let i = 0; i < points.length; i++) {
          const point = points[i]!;
          const bytes = labelBytes(labels, point.attributes);
          if (written === undefined && bytes.changed) written = keysBefore(points, i, labels);
          if (written !== undefined) {
            if (written.has(bytes.key)) continue;
            written.add(bytes.key);
          }
          w.bytes(name.bare);
          w.bytes(labelsAfter(name, bytes));
          w.byte(SPACE);
          w.number(point.value);
          if (openMetrics) {
            const exemplar = exemplarsOf(point)?.[0];
            if (exemplar !== undefined) writeExemplar(w, exemplar, escaping);
          }
          w.byte(NEWLINE);
          if (createdBytes !== undefined) writeCreated(w, createdBytes, labelsAfter(createdBytes, bytes), point.startTime);
          if (w.ready || w.full.length > 0) yield* drain(w);
        }
      }
    }
  }
  if (openMetrics) w.bytes(EOF);
  yield* drain(w);
}

/**
 * The whole exposition as one string (small registries, Pushgateway bodies).
 *
 * @example
 * ```ts
 * const text = serializePrometheus((await reader.collect()).resourceMetrics, { format: 'openmetrics' });
 * ```
 */
export function serialize(resourceMetrics: ResourceMetrics, options: SerializeOptions = {}): string {
  return Buffer.concat([...serializeChunks(resourceMetrics, DEFAULT_CHUNK_BYTES, Buffer.allocUnsafe, options)]).toString('utf8');
}

/** A histogram series' `_count`, `_sum` and cumulative `_bucket` lines (OpenMetrics: each bucket's exemplar). */
function writeHistogram(w: ChunkWriter, bytes: HistogramBytes, point: DataPoint<Histogram>, openMetrics: boolean, escaping: EscapingScheme | undefined): void {
  const histogram = point.value;
  w.bytes(bytes.count);
  w.number(histogram.count);
  w.byte(NEWLINE);
  if (histogram.sum !== undefined) {
    w.bytes(bytes.sum);
    w.number(histogram.sum);
    w.byte(NEWLINE);
  }
  const { boundaries, counts } = histogram.buckets;
  const les = leBytes(boundaries);
  // One exemplar per bucket at most, in bucket order, each inside its bucket.
  const exemplars = openMetrics ? exemplarsOf(point) : undefined;
  let next = 0;
  let cumulative = 0;
  for (let i = 0; i < counts.length; i++) {
    cumulative += counts[i]!;
    w.bytes(bytes.bucketOpen);
    w.bytes(les[i]!);
    w.number(cumulative);
    const exemplar = bucketExemplar(exemplars, next, i < boundaries.length ? boundaries[i]! : Infinity);
    if (exemplar !== undefined) {
      writeExemplar(w, exemplar, escaping);
      next++;
    }
    w.byte(NEWLINE);
    if (boundaries[i] === Infinity) break;
  }
}
