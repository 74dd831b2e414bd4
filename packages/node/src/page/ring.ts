/**
 * The health page's history: one Float64Array ring per figure, all sharing
 * one ring of sample times. Bounded: {@link PAGE_SAMPLES} samples per series
 * and {@link MAX_PAGE_SERIES} series of at most {@link MAX_SERIES_KEY_LENGTH}
 * characters of key, so the structure never holds more than
 * {@link MAX_RING_BYTES}; a figure beyond the bound is shown without a
 * chart and counted in {@link SeriesRing.refused}.
 */

/** Milliseconds between two samples of the live page. */
export const PAGE_SAMPLE_INTERVAL_MILLIS = 5_000;
/** Samples kept per series: 15 minutes at one every 5 s. */
export const PAGE_SAMPLES = (15 * 60 * 1000) / PAGE_SAMPLE_INTERVAL_MILLIS;
/** Series the ring holds at most (figures charted over time). */
export const MAX_PAGE_SERIES = 1_000;
/** Longest series key charted (a figure's model, version, feature and method). */
export const MAX_SERIES_KEY_LENGTH = 256;
/**
 * Upper bound of {@link SeriesRing.byteSize}: the sample rings
 * (8 bytes a sample), the time ring, and the keys (2 bytes a character).
 * 1,000 series: 1,441,440 + 512,000 bytes, under 2 MB.
 */
export const MAX_RING_BYTES = (MAX_PAGE_SERIES + 1) * PAGE_SAMPLES * Float64Array.BYTES_PER_ELEMENT + MAX_PAGE_SERIES * MAX_SERIES_KEY_LENGTH * 2;

/** Fixed-size history of many series sampled together. */
export class SeriesRing {
  private readonly _times: Float64Array;
  private readonly _series = new Map<string, Float64Array>();
  /** Index of the next write. */
  private _head = 0;
  private _count = 0;
  /** Series turned away (too many, or a key too long) by the latest sample. */
  private _refused = 0;

  constructor(
    readonly capacity: number = PAGE_SAMPLES,
    readonly maxSeries: number = MAX_PAGE_SERIES,
  ) {
    this._times = new Float64Array(capacity);
  }

  /** Samples held (at most `capacity`). */
  get length(): number {
    return this._count;
  }

  /** Series the latest sample could not chart: beyond `maxSeries`, or a key longer than {@link MAX_SERIES_KEY_LENGTH}. */
  get refused(): number {
    return this._refused;
  }

  get seriesCount(): number {
    return this._series.size;
  }

  /**
   * Appends one sample: `at` (ms since the epoch) and each series' value;
   * series not given read NaN (a gap) at this time. A series absent for the
   * whole window is let go, so a retired model version frees its room.
   */
  push(at: number, values: ReadonlyMap<string, number | undefined>): void {
    const slot = this._head;
    this._times[slot] = at;
    for (const ring of this._series.values()) ring[slot] = Number.NaN;
    this._refused = 0;
    for (const [key, value] of values) {
      let ring = this._series.get(key);
      if (ring === undefined) {
        if (this._series.size >= this.maxSeries || key.length > MAX_SERIES_KEY_LENGTH) {
          this._refused++;
          continue;
        }
        ring = new Float64Array(this.capacity).fill(Number.NaN);
        this._series.set(key, ring);
      }
      ring[slot] = value ?? Number.NaN;
    }
    this._head = (slot + 1) % this.capacity;
    this._count = Math.min(this._count + 1, this.capacity);
    if (this._head === 0) this._dropEmpty();
  }

  /** Sample times, oldest first. */
  times(): number[] {
    return this._ordered(this._times);
  }

  /** A series' values, oldest first, aligned with {@link times}; undefined when not held. */
  values(key: string): number[] | undefined {
    const ring = this._series.get(key);
    return ring === undefined ? undefined : this._ordered(ring);
  }

  /** Empties the ring and lets go of every series (the sampler stopped). */
  clear(): void {
    this._series.clear();
    this._refused = 0;
    this._head = 0;
    this._count = 0;
  }

  /**
   * Bytes the structure holds for samples and keys, computed from the typed
   * arrays' sizes and the keys' lengths: deterministic, unlike the heap or
   * RSS (Map entries and object headers come on top, a few dozen bytes a series).
   */
  byteSize(): number {
    let bytes = this._times.byteLength;
    for (const [key, ring] of this._series) bytes += ring.byteLength + key.length * 2;
    return bytes;
  }

  private _ordered(ring: Float64Array): number[] {
    const out: number[] = [];
    const start = this._count < this.capacity ? 0 : this._head;
    for (let i = 0; i < this._count; i++) out.push(ring[(start + i) % this.capacity]!);
    return out;
  }

  private _dropEmpty(): void {
    for (const [key, ring] of this._series) if (ring.every(Number.isNaN)) this._series.delete(key);
  }
}
