/**
 * Two-sample Kolmogorov-Smirnov statistic of binned distributions: the
 * largest gap between the two cumulative shares at a bin edge,
 *
 *   D = max_i | E(i) - A(i) |,  E(i) = e_0 + ... + e_i.
 *
 * With the reference's quantile bins this is the exact KS statistic
 * evaluated at the bin edges, so it never exceeds the exact one and equals it
 * when the largest gap falls on an edge. 0 to 1.
 *
 * @param expected - reference shares per bin, in bin order
 * @param actual - observed shares per bin, same bins
 * @example
 * ```ts
 * ksBinned([0.25, 0.25, 0.25, 0.25], [0.1, 0.2, 0.3, 0.4]); // 0.2 (at the second edge)
 * ```
 */
export function ksBinned(expected: ArrayLike<number>, actual: ArrayLike<number>): number {
  let e = 0;
  let a = 0;
  let d = 0;
  // The gap after the last bin is 0 when both sum to 1: stop one short.
  for (let i = 0; i < expected.length - 1; i++) {
    e += expected[i]!;
    a += actual[i]!;
    const gap = Math.abs(e - a);
    if (gap > d) d = gap;
  }
  return d;
}

/**
 * Exact two-sample Kolmogorov-Smirnov statistic of two samples: the largest
 * gap between their empirical distribution functions. For offline checks and
 * tests; the streaming monitor uses {@link ksBinned}.
 *
 * @example
 * ```ts
 * ksStatistic([1, 2, 3, 4, 5], [3, 4, 5, 6, 7]); // 0.4
 * ```
 */
export function ksStatistic(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  if (x.length === 0 || y.length === 0) return Number.NaN;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    // Step past every copy of the smaller value in both samples, so ties
    // move both functions together.
    const v = Math.min(x[i]!, y[j]!);
    while (i < x.length && x[i] === v) i++;
    while (j < y.length && y[j] === v) j++;
    const gap = Math.abs(i / x.length - j / y.length);
    if (gap > d) d = gap;
  }
  return d;
}

/**
 * Critical value of the two-sample KS statistic at significance `alpha`
 * for sample sizes `n` and `m` (asymptotic, e.g. 1.358 * sqrt((n + m) / (n m))
 * at 0.05): a D above it rejects "same distribution". Use it to choose a
 * threshold for `method="ks"` from the window size and the profile's rows.
 *
 * @example
 * ```ts
 * ksCriticalValue(1000, 150); // 0.1196 at alpha = 0.05
 * ```
 */
export function ksCriticalValue(n: number, m: number, alpha = 0.05): number {
  const c = Math.sqrt(-Math.log(alpha / 2) / 2);
  return c * Math.sqrt((n + m) / (n * m));
}
