/**
 * Quantile bin edges for a numeric feature, from its sorted reference values.
 *
 * Edge `i` of `bins` aims at the `i / bins` quantile, but is placed halfway
 * between the value at that rank and the next smaller distinct value, so no
 * edge sits on a reference value: a value that comes back rounded (float32
 * tensors carry 5.1 as 5.0999999) or with a tie block (iris measurements are
 * given to 0.1 cm) lands in the same bin it had in the reference. Edges that
 * would repeat (heavy ties) are merged, so a feature may end with fewer bins
 * than asked; every bin holds at least one reference value.
 *
 * @param sorted - finite reference values in ascending order
 * @param bins - bins wanted (2 or more)
 * @returns interior edges, strictly increasing (`bins - 1` at most)
 * @internal
 */
export function quantileEdges(sorted: ArrayLike<number>, bins: number): number[] {
  const n = sorted.length;
  const edges: number[] = [];
  for (let i = 1; i < bins; i++) {
    const rank = Math.floor((i * n) / bins);
    if (rank <= 0 || rank >= n) continue;
    const value = sorted[rank]!;
    // First index of this value's tie block: the edge goes below the block.
    let first = rank;
    let lo = 0;
    let hi = rank;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! < value) lo = mid + 1;
      else hi = mid;
    }
    first = lo;
    if (first === 0) continue; // the smallest value: nothing below to split from
    const below = sorted[first - 1]!;
    const edge = below + (value - below) / 2;
    if (edges.length === 0 || edge > edges[edges.length - 1]!) edges.push(edge);
  }
  return edges;
}

/**
 * The bin of `value` among `edges` (the number of edges `<= value`), by
 * binary search over `edges[offset .. offset + length)`. O(log bins), no
 * allocation: the per-observation hot path.
 *
 * @internal
 */
export function binOf(edges: Float64Array, offset: number, length: number, value: number): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (value < edges[offset + mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
