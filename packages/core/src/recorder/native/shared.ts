/**
 * A worker thread's series, readable by the main thread without asking the
 * thread: what makes a call that returned in a thread count even when the
 * thread is terminated a microsecond later (piscina destroying an idle
 * thread, `worker.terminate()`), with nothing sent per call.
 *
 * - In a worker thread every number a series holds (its counts, explicit
 *   histogram buckets, error-type and finish-reason counts) lives in the
 *   runtime's slabs, which there are SharedArrayBuffers (HistogramSlab's
 *   `shared`). A thread is the single writer of its slabs; the main thread
 *   only reads them.
 * - What is where (a series' attributes, and the offsets of its numbers) is
 *   sent as a {@link SeriesLayout} when it changes: when the series is made,
 *   and on the rare first use of a histogram, an error type or a reason;
 *   never on a call once the series has its shape. It is posted before any
 *   value lands in the new place, and a MessagePort delivers every message
 *   posted before its thread ended, before its 'close'
 *   (https://nodejs.org/api/worker_threads.html#event-close, checked by
 *   packages/node/test/cluster/threads.test.ts), so the main thread always
 *   knows every place a terminated thread wrote to.
 * - The main thread's {@link SharedSeriesMirror} keeps the layouts and reads
 *   the numbers at each collection, through the same point builder as the
 *   thread's own collector (collector.ts `pushSeries`).
 *
 * Exponential histograms, exemplars and the recorder's own counters are not
 * shared: they keep reaching the main thread through its collect requests
 * and the thread's goodbye (packages/node/src/cluster/threads.ts).
 *
 * Reads race with the thread's writes: the JavaScript memory model allows a
 * read of a Float64 being written to return another value
 * (https://tc39.es/ecma262/#sec-isnotearconfiguration), which 64-bit
 * platforms do not do for aligned doubles; a collection may see a histogram
 * whose count is one ahead of its buckets for a call in progress, as a
 * scrape of any in-process registry can. Once the thread ended the numbers
 * are final.
 *
 * @internal
 */
import type { Attributes } from '@opentelemetry/api';
import { FINISH_REASONS } from '../../catalog.js';
import { Batch, pushSeries, seriesMetrics, type CollectedMetric, type ExtrasReading, type SeriesReading } from './collector.js';
import type { GenerationReading } from './generation.js';
import { NativeHistogram } from './histogram.js';
import { COUNT_CANCELLED, COUNT_ERRORS, COUNT_IN_FLIGHT, COUNT_SUCCESSES, type HrTimeLike, type NativeSeries } from './series.js';

/** A place in a shared slab: its buffer and the offset (in doubles) of the first number. */
export type SharedPlace = readonly [buffer: SharedArrayBuffer, at: number];

/** Where a histogram's explicit buckets are, and their boundaries. */
export type SharedHistogramPlace = readonly [buffer: SharedArrayBuffer, at: number, boundaries: readonly number[]];

/** Where one series' numbers are: what the main thread needs to read them. */
export interface SeriesLayout {
  /** Unique within the thread; the same series keeps its id. */
  readonly id: number;
  /** model_name, model_version, then the user's. */
  readonly attributes: Attributes;
  /** successes, errors, in flight, cancelled (series.ts COUNT_*). */
  readonly counts: SharedPlace;
  /** The explicit buckets of each histogram that has them (an exponential-only one has none). */
  readonly latency?: SharedHistogramPlace;
  readonly confidence?: SharedHistogramPlace;
  readonly batchSize?: SharedHistogramPlace;
  readonly timeToFirstItem?: SharedHistogramPlace;
  readonly streamItems?: SharedHistogramPlace;
  readonly errorTypes?: readonly (readonly [type: string, buffer: SharedArrayBuffer, at: number])[];
  readonly generation?: {
    readonly finishes: SharedPlace;
    readonly tokens: readonly (SharedHistogramPlace | null)[];
    readonly timePerOutputToken?: SharedHistogramPlace;
    readonly phases: readonly (SharedHistogramPlace | null)[];
  };
}

/** One change to a thread's series: a series' (new) layout, or a series gone (its version released). */
export type SharedRecord = { readonly series: SeriesLayout } | { readonly gone: number };

/**
 * The thread's side: the current layout of every registered series, and
 * the listener that forwards changes to the main thread. One per runtime in
 * a worker thread (Runtime.directory).
 *
 * @internal
 */
export class SharedDirectory {
  private readonly _ids = new WeakMap<NativeSeries, number>();
  private _nextId = 1;
  private readonly _layouts = new Map<number, SeriesLayout>();
  /** Receives every change as it happens (the thread's port to the main thread); unset, changes are only kept. */
  listener: ((record: SharedRecord) => void) | undefined = undefined;

  /** The series' layout, new or changed: kept, and sent on. */
  publish(series: NativeSeries): void {
    if (!series.handle.registered) return;
    let id = this._ids.get(series);
    if (id === undefined) this._ids.set(series, (id = this._nextId++));
    const layout = layoutOf(id, series);
    if (layout === undefined) return;
    this._layouts.set(id, layout);
    this.listener?.({ series: layout });
  }

  /** The series left the recorder (its version was released). */
  remove(series: NativeSeries): void {
    const id = this._ids.get(series);
    if (id === undefined || !this._layouts.delete(id)) return;
    this.listener?.({ gone: id });
  }

  /** Every registered series' layout: what a main thread that joins now starts from. */
  snapshot(): SeriesLayout[] {
    return [...this._layouts.values()];
  }
}

function sharedBuffer(data: Float64Array): SharedArrayBuffer | undefined {
  const buffer = data.buffer;
  return buffer instanceof SharedArrayBuffer ? buffer : undefined;
}

function histogramPlace(histogram: NativeHistogram | undefined): SharedHistogramPlace | undefined {
  if (histogram === undefined || !histogram.explicit) return undefined;
  const buffer = sharedBuffer(histogram.data);
  return buffer === undefined ? undefined : [buffer, histogram.offset, Array.from(histogram.boundaries)];
}

/** The series' layout; undefined when its numbers are not in shared slabs (a runtime made before sharing). */
function layoutOf(id: number, series: NativeSeries): SeriesLayout | undefined {
  const counts = sharedBuffer(series.counts);
  if (counts === undefined) return undefined;
  const extras = series.extras;
  const layout: { -readonly [K in keyof SeriesLayout]: SeriesLayout[K] } = { id, attributes: series.attributes, counts: [counts, series.at] };
  const latency = histogramPlace(series.latency);
  if (latency !== undefined) layout.latency = latency;
  if (extras === undefined) return layout;
  const confidence = histogramPlace(extras.confidence);
  if (confidence !== undefined) layout.confidence = confidence;
  const batchSize = histogramPlace(extras.batchSize);
  if (batchSize !== undefined) layout.batchSize = batchSize;
  const timeToFirstItem = histogramPlace(extras.timeToFirstItem);
  if (timeToFirstItem !== undefined) layout.timeToFirstItem = timeToFirstItem;
  const streamItems = histogramPlace(extras.streamItems);
  if (streamItems !== undefined) layout.streamItems = streamItems;
  if (extras.errorTypes !== undefined) {
    const types: [string, SharedArrayBuffer, number][] = [];
    for (const [type, cell] of extras.errorTypes) {
      const buffer = sharedBuffer(cell.data);
      if (buffer !== undefined) types.push([type, buffer, cell.at]);
    }
    layout.errorTypes = types;
  }
  const generation = extras.generation;
  const finishes = generation === undefined ? undefined : sharedBuffer(generation.finishes);
  if (generation !== undefined && finishes !== undefined) {
    const timePerOutputToken = histogramPlace(generation.timePerOutputToken);
    layout.generation = {
      finishes: [finishes, generation.finishesAt],
      tokens: generation.tokens.map((h) => histogramPlace(h) ?? null),
      ...(timePerOutputToken === undefined ? {} : { timePerOutputToken }),
      phases: generation.phases.map((h) => histogramPlace(h) ?? null),
    };
  }
  return layout;
}

/**
 * The main thread's side, one per worker thread: the thread's layouts, and
 * its series' cumulative points read straight from its slabs.
 *
 * @internal
 */
export class SharedSeriesMirror {
  private readonly _series = new Map<number, MirroredSeries>();
  /** One typed array per shared buffer (a thread's slabs are few and large). */
  private readonly _arrays = new WeakMap<SharedArrayBuffer, Float64Array>();
  /** One boundaries array per configuration, so serializers' per-array caches hold. */
  private readonly _boundaries = new Map<string, Float64Array>();

  constructor(
    /** Start of the thread's cumulative data. */
    private readonly _startTime: HrTimeLike,
  ) {}

  /** Series mirrored now. */
  get size(): number {
    return this._series.size;
  }

  /** Applies one change from the thread; anything malformed is ignored (the record came from another thread, not from the user). */
  apply(record: SharedRecord): void {
    if ('gone' in record) {
      this._series.delete(record.gone);
      return;
    }
    const layout = record.series;
    const series = this._mirror(layout);
    if (series !== undefined) this._series.set(layout.id, series);
  }

  /** The mirrored series' cumulative points, explicit histograms only, as of now. */
  collect(endTime: HrTimeLike): CollectedMetric[] {
    const batch = new Batch();
    for (const series of this._series.values()) {
      if (series.successes === 0 && series.errors === 0 && series.cancelled === 0 && series.inFlight === 0) continue;
      pushSeries(batch, series, this._startTime, endTime, this._startTime, undefined, 'explicit');
    }
    const out: CollectedMetric[] = [];
    seriesMetrics(out, batch, 'cumulative');
    return out;
  }

  private _array(buffer: SharedArrayBuffer): Float64Array {
    let array = this._arrays.get(buffer);
    if (array === undefined) this._arrays.set(buffer, (array = new Float64Array(buffer)));
    return array;
  }

  private _histogram(place: SharedHistogramPlace | null | undefined): NativeHistogram | undefined {
    if (place === null || place === undefined) return undefined;
    const [buffer, at, list] = place;
    const key = list.join(',');
    let boundaries = this._boundaries.get(key);
    if (boundaries === undefined) this._boundaries.set(key, (boundaries = Float64Array.from(list)));
    return NativeHistogram.over(boundaries, this._array(buffer), at);
  }

  private _mirror(layout: SeriesLayout): MirroredSeries | undefined {
    if (!(layout.counts[0] instanceof SharedArrayBuffer)) return undefined;
    const latency = this._histogram(layout.latency) ?? NativeHistogram.over(EMPTY_BOUNDARIES, EMPTY_COUNTS, -1);
    const errorTypes = new Map<string, { readonly value: number }>();
    for (const [type, buffer, at] of layout.errorTypes ?? []) errorTypes.set(type, new SharedCell(this._array(buffer), at));
    let generation: GenerationReading | undefined;
    if (layout.generation !== undefined) {
      const { finishes, tokens, timePerOutputToken, phases } = layout.generation;
      const data = this._array(finishes[0]);
      const at = finishes[1];
      generation = {
        tokens: tokens.map((place) => this._histogram(place)),
        timePerOutputToken: this._histogram(timePerOutputToken),
        phases: phases.map((place) => this._histogram(place)),
        finished: (i: number) => (i < FINISH_REASONS.length ? data[at + i]! : 0),
      };
    }
    const extras: ExtrasReading = {
      errorTypes: errorTypes.size > 0 ? errorTypes : undefined,
      confidence: this._histogram(layout.confidence),
      batchSize: this._histogram(layout.batchSize),
      timeToFirstItem: this._histogram(layout.timeToFirstItem),
      streamItems: this._histogram(layout.streamItems),
      generation,
    };
    return new MirroredSeries(layout.attributes, this._array(layout.counts[0]), layout.counts[1], latency, extras);
  }
}

const EMPTY_BOUNDARIES = new Float64Array(0);
const EMPTY_COUNTS = new Float64Array(0);

class SharedCell {
  constructor(
    private readonly _data: Float64Array,
    private readonly _at: number,
  ) {}

  get value(): number {
    return this._data[this._at]!;
  }
}

/** A thread's series, as its numbers are now. */
class MirroredSeries implements SeriesReading {
  readonly exemplars = undefined;

  constructor(
    readonly attributes: Attributes,
    private readonly _counts: Float64Array,
    private readonly _at: number,
    readonly latency: NativeHistogram,
    readonly extras: ExtrasReading,
  ) {}

  get successes(): number {
    return this._counts[this._at + COUNT_SUCCESSES]!;
  }

  get errors(): number {
    return this._counts[this._at + COUNT_ERRORS]!;
  }

  get inFlight(): number {
    return this._counts[this._at + COUNT_IN_FLIGHT]!;
  }

  get cancelled(): number {
    return this._counts[this._at + COUNT_CANCELLED]!;
  }
}
