import { EMPTY_BIN_SHARE } from './epsilon.js';

/**
 * Pearson's chi-squared goodness-of-fit statistic of observed counts against
 * the reference shares:
 *
 *   X2 = sum_i (O_i - E_i)^2 / E_i,  E_i = n * e_i,  n = sum_i O_i
 *
 * A reference share of 0 (a category never seen in training) counts as
 * {@link EMPTY_BIN_SHARE} when something was observed there, and the bin is
 * left out when nothing was (nothing expected, nothing seen). The statistic
 * grows with `n`; compare it with {@link chiSquaredCritical} for `bins - 1`
 * degrees of freedom, or read {@link chiSquaredPValue}. The monitor reports
 * {@link cohensW} instead, which does not grow with `n`.
 *
 * @example
 * ```ts
 * // A die rolled 60 times (Pearson's test, the textbook example): X2 = 13.4
 * chiSquared([1/6, 1/6, 1/6, 1/6, 1/6, 1/6], [5, 8, 9, 8, 10, 20]);
 * ```
 */
export function chiSquared(expected: ArrayLike<number>, observed: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < observed.length; i++) n += observed[i]!;
  if (n === 0) return 0;
  let sum = 0;
  for (let i = 0; i < expected.length; i++) {
    if (expected[i] === 0 && observed[i] === 0) continue;
    const e = n * Math.max(expected[i]!, EMPTY_BIN_SHARE);
    const d = observed[i]! - e;
    sum += (d * d) / e;
  }
  return sum;
}

/**
 * Cohen's w, the effect size of a chi-squared goodness-of-fit test:
 *
 *   w = sqrt(X2 / n) = sqrt( sum_i (a_i - e_i)^2 / e_i )
 *
 * with `a_i` the observed shares. Unlike X2 it does not grow with the number
 * of rows, so one threshold means the same for every window size: Cohen
 * (1988, *Statistical Power Analysis for the Behavioral Sciences*, ch. 7)
 * calls 0.1 small, 0.3 medium and 0.5 large. w squared is the second-order
 * approximation of PSI, so w = 0.5 is the shift PSI = 0.25 flags. The
 * monitor reports it as `method="chi2"`. Under no drift, n w^2 follows a
 * chi-squared distribution with `bins - 1` degrees of freedom: the noise of
 * a healthy window is about sqrt((bins - 1) / n).
 *
 * @example
 * ```ts
 * cohensW([0.5, 0.5], [70, 30]); // 0.4
 * ```
 */
export function cohensW(expected: ArrayLike<number>, observed: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < observed.length; i++) n += observed[i]!;
  return n === 0 ? 0 : Math.sqrt(chiSquared(expected, observed) / n);
}

/**
 * Upper-tail probability of the chi-squared distribution with `df` degrees
 * of freedom: the p-value of a statistic `x`. Regularized upper incomplete
 * gamma Q(df/2, x/2), by series or continued fraction (Numerical Recipes 6.2).
 *
 * @example
 * ```ts
 * chiSquaredPValue(3.841, 1); // 0.05
 * ```
 */
export function chiSquaredPValue(x: number, df: number): number {
  if (!(df > 0)) return Number.NaN;
  if (x <= 0) return 1;
  return gammaQ(df / 2, x / 2);
}

/**
 * The statistic above which a chi-squared test with `df` degrees of freedom
 * rejects at level `alpha` (e.g. 3.841 for df 1, 11.070 for df 5 at 0.05):
 * a threshold for `method="chi2"` of a categorical feature with `df + 1`
 * categories. Found by bisection on {@link chiSquaredPValue}.
 *
 * @example
 * ```ts
 * chiSquaredCritical(2); // 5.991
 * ```
 */
export function chiSquaredCritical(df: number, alpha = 0.05): number {
  let lo = 0;
  let hi = Math.max(10, df * 10);
  while (chiSquaredPValue(hi, df) > alpha) hi *= 2;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (chiSquaredPValue(mid, df) > alpha) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

function gammaQ(a: number, x: number): number {
  return x < a + 1 ? 1 - gammaSeries(a, x) : gammaContinuedFraction(a, x);
}

function gammaSeries(a: number, x: number): number {
  let term = 1 / a;
  let sum = term;
  for (let n = 1; n < 1000; n++) {
    term *= x / (a + n);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
  }
  return sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
}

function gammaContinuedFraction(a: number, x: number): number {
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
}

/** ln Gamma(z), Lanczos approximation (g = 7, n = 9), about 15 significant digits. */
function logGamma(z: number): number {
  const g = 7;
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - logGamma(1 - z);
  const zz = z - 1;
  let x = c[0]!;
  for (let i = 1; i < g + 2; i++) x += c[i]! / (zz + i);
  const t = zz + g + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (zz + 0.5) * Math.log(t) - t + Math.log(x);
}
