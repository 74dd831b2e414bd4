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
 * @internal
 */
export class NativeHistogram {
  readonly data: Float64Array;
  readonly offset: number;

  constructor(readonly boundaries: Float64Array) {
    const size = boundaries.length + 5;
    if (slab.length - used < size) {
      slab = new Float64Array(SLAB_DOUBLES);
      used = 0;
    }
    this.data = slab;
    this.offset = used;
    used += size;
    const n = boundaries.length;
    slab[this.offset + n + 3] = Number.POSITIVE_INFINITY;
    slab[this.offset + n + 4] = Number.NEGATIVE_INFINITY;
  }

  record(value: number): void {
    const boundaries = this.boundaries;
    const n = boundaries.length;
    let i = 0;
    // Linear: catalog histograms have about ten boundaries and most values
    // land in the first few, which beats a binary search's branches.
    while (i < n && value > boundaries[i]!) i++;
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

  get count(): number {
    return this.data[this.offset + this.boundaries.length + 2]!;
  }

  get min(): number {
    return this.data[this.offset + this.boundaries.length + 3]!;
  }

  get max(): number {
    return this.data[this.offset + this.boundaries.length + 4]!;
  }
}

/** Doubles per slab: 512 KiB, room for about 3,000 catalog histograms. */
const SLAB_DOUBLES = 65_536;
let slab = new Float64Array(SLAB_DOUBLES);
let used = 0;

/** Boundaries as a typed array, shared by every histogram of one metric configuration. @internal */
export function boundariesOf(list: readonly number[]): Float64Array {
  return Float64Array.from(list);
}
