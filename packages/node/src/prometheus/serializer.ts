import { bucketExemplar, exemplarsOf } from '@inferometer/core/internal';
import { groupFamilies, reservedLabels, type EscapingScheme, type PrometheusType } from '@inferometer/core/prometheus';
import type { Attributes } from '@opentelemetry/api';
import { DataPointType, type DataPoint, type Histogram, type MetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { ChunkWriter, DEFAULT_CHUNK_BYTES, drain, NEWLINE, SPACE } from './exposition/chunks.js';
import { createdName, EOF, openMetricsHeader, openMetricsTargetInfo, writeCreated, writeExemplar } from './exposition/openmetrics.js';
import { histogramBytes, histogramCacheOf, keysBefore, labelBytes, labelCache, labelsAfter, leBytes, nameBytes, type HistogramBytes, type LabelBytes, type LabelCache, type NameBytes } from './exposition/series.js';
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
  /**
   * Families already written in steps ({@link SteppedFamilies}): where one
   * of their stand-ins (without data) is a family of `resourceMetrics`, its
   * chunks are served. The pull handler's catalog.
   *
   * @internal
   */
  readonly rendered?: RenderedFamilies;
}

/** A chunk written ahead shorter than `chunkBytes` over this is copied into the body's current chunk rather than served on its own: at most a quarter chunk copied per family. */
const SMALL_CHUNK_FRACTION = 4;

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
  const rendered = options.rendered;
  w.bytes(openMetrics ? openMetricsTargetInfo(resource, escaping) : textTargetInfo(resource, escaping));
  for (const family of groupFamilies(resourceMetrics.scopeMetrics, { warn: warnFamily, onDropped: options.onDroppedFamily, escaping }).values()) {
    w.bytes(openMetrics ? openMetricsHeader(family) : textHeader(family));
    const done = rendered?.chunksOf(family);
    if (done !== undefined) {
      for (const chunk of done) {
        // A small chunk (a small family's, a large one's tail) is copied in
        // beside its neighbours: served as it is, a catalog of 40 small
        // families was some 40 chunks where one collection wrote one, and
        // each chunk is a turn of the event loop and, gzipped, a round trip
        // to zlib's thread. Under CI's load those made a 30 KB body take
        // 0.1-1 s, past a 1 s scrape's budget.
        if (chunk.length < chunkBytes / SMALL_CHUNK_FRACTION) w.bytes(chunk);
        else {
          yield* drain(w);
          yield chunk;
        }
      }
      continue;
    }
    const writing = familyWriting(family, escaping, created, family.metrics.length > 1, false);
    for (const metric of family.metrics) {
      for (const _ of writeMetric(w, writing, metric, openMetrics, escaping)) yield* drain(w);
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

/**
 * What writing one family's samples needs, kept between its metrics and
 * (written in steps) between its parts.
 */
interface FamilyWriting {
  readonly name: NameBytes;
  readonly labels: LabelCache;
  readonly created: NameBytes | undefined;
  /** Byte fragments of histogram series, per attribute object. */
  readonly histograms: WeakMap<Attributes, HistogramBytes>;
  /**
   * Label sets written so far, once needed: a series is written once, the
   * first point of a label set winning (Prometheus refuses the second as a
   * duplicate sample). Two points of one metric share a label set only if
   * the translation changed one of them (the SDK and the native recorder
   * keep attribute sets distinct), so a single-part family starts checking
   * at its first changed set, and a scrape of the catalog allocates no set
   * at all.
   */
  written: Set<string> | undefined;
  /**
   * Written in steps, the attributes written before any changed label set:
   * their points are gone by the time one comes, and their keys are what it
   * is checked against.
   */
  seen: Attributes[] | undefined;
}

function familyWriting(family: { readonly name: string; readonly type: PrometheusType }, escaping: EscapingScheme | undefined, created: boolean, merged: boolean, inSteps: boolean): FamilyWriting {
  return {
    name: nameBytes(family.name),
    labels: labelCache(reservedLabels(family.type), escaping),
    created: created ? createdName(family) : undefined,
    histograms: histogramCacheOf(family.name, escaping),
    written: merged ? new Set<string>() : undefined,
    seen: merged || !inSteps ? undefined : [],
  };
}

/** Whether the point `i` of `points` repeats a label set already written (see {@link FamilyWriting.written}); records it when not. */
function repeated(writing: FamilyWriting, labels: LabelBytes, points: readonly DataPoint<unknown>[], i: number): boolean {
  if (writing.written === undefined && labels.changed) {
    if (writing.seen === undefined) writing.written = keysBefore(points, i, writing.labels);
    else {
      writing.written = new Set(writing.seen.map((attributes) => labelBytes(writing.labels, attributes).key));
      writing.seen = undefined;
    }
  }
  const written = writing.written;
  if (written === undefined) {
    writing.seen?.push(points[i]!.attributes);
    return false;
  }
  if (written.has(labels.key)) return true;
  written.add(labels.key);
  return false;
}

/** One metric's samples; pauses (yields) whenever a chunk is ready to hand out. */
function* writeMetric(w: ChunkWriter, writing: FamilyWriting, metric: MetricData, openMetrics: boolean, escaping: EscapingScheme | undefined): Generator<void> {
  const { name, created } = writing;
  if (metric.dataPointType === DataPointType.HISTOGRAM) {
    const cache = writing.histograms;
    const points = metric.dataPoints;
    for (let i = 0; i < points.length; i++) {
      const point = points[i]!;
      const bytes = histogramBytes(cache, writing.labels, name, point.attributes);
      if (repeated(writing, bytes.labels, points, i)) continue;
      writeHistogram(w, bytes, point, openMetrics, escaping);
      if (created !== undefined) writeCreated(w, created, labelsAfter(created, bytes.labels), point.startTime);
      if (w.ready || w.full.length > 0) yield;
    }
    return;
  }
  const points = metric.dataPoints as DataPoint<number>[];
  for (let i = 0; i < points.length; i++) {
    const point = points[i]!;
    const bytes = labelBytes(writing.labels, point.attributes);
    if (repeated(writing, bytes, points, i)) continue;
    w.bytes(name.bare);
    w.bytes(labelsAfter(name, bytes));
    w.byte(SPACE);
    w.number(point.value);
    if (openMetrics) {
      const exemplar = exemplarsOf(point)?.[0];
      if (exemplar !== undefined) writeExemplar(w, exemplar, escaping);
    }
    w.byte(NEWLINE);
    if (created !== undefined) writeCreated(w, created, labelsAfter(created, bytes), point.startTime);
    if (w.ready || w.full.length > 0) yield;
  }
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

/** One family written in steps: its chunks, in order. */
interface SteppedFamily {
  readonly writer: ChunkWriter;
  readonly writing: FamilyWriting;
  readonly type: PrometheusType;
  /** A data-free stand-in of the family's metric: the final exposition groups it with the reader's families (names, clashes). */
  readonly placeholder: MetricData;
}

/**
 * Families written a part at a time (a catalog producer's steps: see
 * native/producer.ts' SteppedCatalog), each into chunks of its own, so a
 * part's points can be dropped as soon as they are written. The families
 * are then served whole after the reader's own ({@link SerializeOptions.rendered}).
 *
 * @internal
 */
export class SteppedFamilies {
  private readonly _families = new Map<string, SteppedFamily>();
  private readonly _openMetrics: boolean;
  private readonly _created: boolean;
  private readonly _escaping: EscapingScheme | undefined;

  constructor(
    options: Pick<SerializeOptions, 'format' | 'created' | 'escaping'>,
    private readonly _chunkBytes: number,
    private readonly _allocate: (size: number) => Buffer,
  ) {
    this._openMetrics = options.format === 'openmetrics';
    this._created = this._openMetrics && options.created === true;
    this._escaping = options.escaping === 'underscores' ? undefined : options.escaping;
  }

  /** Writes one part's metrics into their families. */
  add(metrics: readonly MetricData[]): void {
    const escaping = this._escaping;
    for (const family of groupFamilies([{ metrics }], { warn: warnFamily, escaping }).values()) {
      let stepped = this._families.get(family.name);
      if (stepped === undefined) {
        const first = family.metrics[0]!;
        stepped = {
          writer: new ChunkWriter(this._chunkBytes, this._allocate),
          writing: familyWriting(family, escaping, this._created, false, true),
          type: family.type,
          placeholder: { ...first, dataPoints: [] } as MetricData,
        };
        this._families.set(family.name, stepped);
      } else if (stepped.type !== family.type) continue;
      for (const metric of family.metrics) {
        // Written whole: the chunks stay with the family until it is served.
        for (const _ of writeMetric(stepped.writer, stepped.writing, metric, this._openMetrics, escaping));
      }
    }
  }

  /** The families written, to serve. */
  finish(): RenderedFamilies {
    const chunks = new Map<MetricData, Buffer[]>();
    for (const { writer, placeholder } of this._families.values()) {
      const last = writer.take();
      chunks.set(placeholder, last === undefined ? writer.full : [...writer.full, last]);
    }
    this._families.clear();
    return new RenderedFamilies(chunks);
  }
}

/** Families written ahead (by {@link SteppedFamilies}): each one's stand-in metric and chunks. @internal */
export class RenderedFamilies {
  /** Stand-ins of the families, in the order they were first written. */
  readonly placeholders: MetricData[];

  /** Every chunk of every family. */
  readonly chunks: readonly Buffer[];

  constructor(private readonly _chunks: ReadonlyMap<MetricData, readonly Buffer[]>) {
    this.placeholders = [..._chunks.keys()];
    this.chunks = [..._chunks.values()].flat();
  }

  /**
   * The chunks of `family` when it is one of these alone; undefined for a
   * family of the reader's. Throws for one of these merged with the
   * reader's (coordinator.ts' readCatalog checks before writing any).
   */
  chunksOf(family: { readonly metrics: readonly MetricData[] }): readonly Buffer[] | undefined {
    const found = family.metrics.length === 1 ? this._chunks.get(family.metrics[0]!) : undefined;
    if (found === undefined && family.metrics.some((metric) => this._chunks.has(metric))) throw new Error("a family written ahead was merged with another one: coordinator.ts' servedAlone() checks first");
    return found;
  }
}
