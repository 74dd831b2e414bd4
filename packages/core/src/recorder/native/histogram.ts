/**
 * Explicit-bucket histogram state in typed arrays: recording is a short scan
 * over the boundaries and five field updates, with no allocation.
 *
 * Semantics match OpenTelemetry's explicit bucket histogram aggregation
 * (specification: metrics/sdk.md, "Explicit Bucket Histogram Aggregation"):
 * bucket i counts values in (boundaries[i-1], boundaries[i]], with one more
 * bucket for values above the last boundary; sum, count, min and max are
 * kept alongside.
 *
 * @internal
 */
export class NativeHistogram {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  constructor(readonly boundaries: Float64Array) {
    this.counts = new Float64Array(boundaries.length + 1);
  }

  record(value: number): void {
    const boundaries = this.boundaries;
    const n = boundaries.length;
    let i = 0;
    // Linear: catalog histograms have about ten boundaries and most values
    // land in the first few, which beats a binary search's branches.
    while (i < n && value > boundaries[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }
}

/** Boundaries as a typed array, shared by every histogram of one metric configuration. @internal */
export function boundariesOf(list: readonly number[]): Float64Array {
  return Float64Array.from(list);
}
