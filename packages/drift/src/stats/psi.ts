import { EMPTY_BIN_SHARE } from './epsilon.js';

/**
 * Population Stability Index between a reference distribution and an actual
 * one over the same bins:
 *
 *   PSI = sum_i (a_i - e_i) * ln(a_i / e_i)
 *
 * where `e_i` and `a_i` are the shares of bin `i` (a share of 0 counts as
 * {@link EMPTY_BIN_SHARE}). PSI is the symmetric Kullback-Leibler divergence
 * (Jeffreys) of the binned distributions: 0 for identical ones, growing
 * without bound. The bands 0.1 (moderate shift) and 0.25 (significant shift)
 * are an industry convention from credit scoring, not a statistical test.
 *
 * @param expected - reference shares per bin (sum 1)
 * @param actual - observed shares per bin (sum 1), same length
 * @example
 * ```ts
 * psi([0.5, 0.5], [0.5, 0.5]); // 0
 * psi([0.5, 0.5], [0.7, 0.3]); // 0.1695
 * ```
 */
export function psi(expected: ArrayLike<number>, actual: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i]!, EMPTY_BIN_SHARE);
    const a = Math.max(actual[i]!, EMPTY_BIN_SHARE);
    sum += (a - e) * Math.log(a / e);
  }
  return sum;
}
