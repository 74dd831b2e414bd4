import type { HistogramKind } from '../recorder.js';
import { ExponentialHistogram } from './exponential.js';

/**
 * Explicit-bucket histogram state kept in shared typed-array slabs: each
 * histogram is an offset into a large Float64Array, so a series costs its
 * counts and nothing else (a Float64Array of its own would add a few hundred
 * bytes of object overhead per histogram). Recording is a short scan over
 * the boundaries and index arithmetic, with no allocation.
 *
 * Layout at `offset`: `counts[0..n]` (n = boundaries.length), then sum,
 * count, min, max.
 *
 * Semantics match OpenTelemetry's explicit bucket histogram aggregation
 * (specification: metrics/sdk.md, "Explicit Bucket Histogram Aggregation"):
 * bucket i counts values in (boundaries[i-1], boundaries[i]], with one more
 * bucket for values above the last boundary.
 *
 * With kind `exponential` or `both` it also (or only) keeps a base-2
 * {@link ExponentialHistogram}; the kind is decided when the histogram is
 * made (and widened by {@link ensure} when a reader that needs the other
 * kind attaches), so recording tests two fields and never a setting.
 *
 * @internal
 */
export class NativeHistogram {
  data: Float64Array;
  /** Offset of the explicit buckets in `data`; -1 without explicit buckets. */
  offset = -1;
  exponential: ExponentialHistogram | undefined;

  /** The slab is not kept (8 bytes on every histogram): {@link ensure} is given it again. */
  constructor(
    readonly boundaries: Float64Array,
    slab: HistogramSlab,
    kind: HistogramKind = slab.defaultKind,
  ) {
    this.data = slab.data;
    this.exponential = kind === 'explicit' ? undefined : new ExponentialHistogram(slab.maxSize);
    if (kind !== 'exponential') this._takeExplicit(slab);
  }

  /**
   * A histogram over explicit buckets that already exist at `offset` of
   * `data` (a worker thread's shared slab, read by the main thread): reads
   * only, nothing is taken from a slab.
   */
  static over(boundaries: Float64Array, data: Float64Array, offset: number): NativeHistogram {
    const view = Object.create(NativeHistogram.prototype) as { -readonly [K in keyof NativeHistogram]: NativeHistogram[K] };
    view.boundaries = boundaries;
    view.data = data;
    view.offset = offset;
    view.exponential = undefined;
    return view as NativeHistogram;
  }

  /** Whether explicit buckets are kept. */
  get explicit(): boolean {
    return this.offset >= 0;
  }

  /** Adds the kinds `kind` names that this histogram lacks (they start empty). */
  ensure(kind: HistogramKind, slab: HistogramSlab): void {
    if (kind !== 'exponential' && this.offset < 0) this._takeExplicit(slab);
    if (kind !== 'explicit' && this.exponential === undefined) this.exponential = new ExponentialHistogram(slab.maxSize);
  }

  private _takeExplicit(slab: HistogramSlab): void {
    const at = slab.take(this.boundaries.length + 5);
    this.data = slab.data;
    this.offset = at;
    const n = this.boundaries.length;
    this.data[at + n + 3] = Number.POSITIVE_INFINITY;
    this.data[at + n + 4] = Number.NEGATIVE_INFINITY;
  }

  record(value: number): void {
    const exponential = this.exponential;
    if (exponential !== undefined) exponential.record(value);
    if (this.offset < 0) return;
    const boundaries = this.boundaries;
    const n = boundaries.length;
    let i = 0;
    if (n <= LINEAR_SEARCH_MAX) {
      // Linear below the crossover: catalog histograms have about ten
      // boundaries and most values land in the first few.
      while (i < n && value > boundaries[i]!) i++;
    } else {
      // Binary above it: the first index whose boundary is >= value, so
      // bucket i still counts (boundaries[i-1], boundaries[i]].
      let hi = n;
      while (i < hi) {
        const mid = (i + hi) >>> 1;
        if (value > boundaries[mid]!) i = mid + 1;
        else hi = mid;
      }
    }
    const data = this.data;
    const at = this.offset;
    data[at + i]!++;
    data[at + n + 1]! += value;
    data[at + n + 2]!++;
    if (value < data[at + n + 3]!) data[at + n + 3] = value;
    if (value > data[at + n + 4]!) data[at + n + 4] = value;
  }

  /** Bucket counts: n + 1 values. */
  bucket(i: number): number {
    return this.data[this.offset + i]!;
  }

  get buckets(): number {
    return this.boundaries.length + 1;
  }

  get sum(): number {
    return this.data[this.offset + this.boundaries.length + 1]!;
  }

  /** Values recorded: the explicit count, else the exponential one. */
  get count(): number {
    if (this.offset < 0) return this.exponential?.count ?? 0;
    return this.data[this.offset + this.boundaries.length + 2]!;
  }

  get min(): number {
    return this.data[this.offset + this.boundaries.length + 3]!;
  }

  get max(): number {
    return this.data[this.offset + this.boundaries.length + 4]!;
  }
}

/**
 * Most boundaries searched linearly; above it, binary search. Measured with
 * packages/core/scripts/bucket-search.mjs (Node 24, uniform values, ns per
 * lookup, linear / binary): 8 bounds 7.5 / 12.0, 16: 16.2 / 24.3,
 * 32: 13.9 / 26.8, 64: 28.6 / 32.3, 128: 63.0 / 31.6, 256: 213 / 103. The
 * crossover lies between 64 and 128 bounds, higher than client_golang's 35
 * (prometheus/client_golang#585, prometheus/histogram.go): V8's bounds-checked
 * typed-array loop is cheap and the binary search's branches mispredict.
 */
export const LINEAR_SEARCH_MAX = 64;

/** Doubles per slab: 512 KiB, room for about 3,000 catalog histograms. */
const SLAB_DOUBLES = 65_536;

/**
 * The shared typed arrays histograms live in, one per runtime. A full slab
 * is left to the histograms already in it and a new one started.
 *
 * @internal
 */
export class HistogramSlab {
  data: Float64Array;
  private _used = 0;
  /**
   * Kind of the histograms made from now on when their model does not name
   * one: the union of what the attached readers need (explicit until one
   * asks for exponential).
   */
  defaultKind: HistogramKind = 'explicit';
  /** Most buckets per sign of an exponential histogram. */
  maxSize = 160;

  /**
   * `shared`: slabs are SharedArrayBuffers, so another thread can read them
   * (a worker thread's numbers, read by the main thread: shared.ts). Plain
   * and shared typed arrays cost the same to write.
   */
  constructor(readonly shared = false) {
    this.data = this._allocate(SLAB_DOUBLES);
  }

  /** Reserves `size` doubles in the current slab (a new slab when it is full); returns their offset. */
  take(size: number): number {
    if (this.data.length - this._used < size) {
      this.data = this._allocate(Math.max(SLAB_DOUBLES, size));
      this._used = 0;
    }
    const at = this._used;
    this._used += size;
    return at;
  }

  private _allocate(doubles: number): Float64Array {
    return this.shared ? new Float64Array(new SharedArrayBuffer(doubles * Float64Array.BYTES_PER_ELEMENT)) : new Float64Array(doubles);
  }
}

/** Boundaries as a typed array, shared by every histogram of one metric configuration. @internal */
export function boundariesOf(list: readonly number[]): Float64Array {
  return Float64Array.from(list);
}
