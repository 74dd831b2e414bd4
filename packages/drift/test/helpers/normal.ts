/**
 * The standard normal distribution for the tests' reference values: the CDF
 * from the Maclaurin series of erf (accurate to about 1e-12 for |x| <= 5),
 * the quantile by bisection. Kept apart from the code under test.
 */
export function normalCdf(x: number): number {
  const z = x / Math.SQRT2;
  if (Math.abs(z) > 5) return z > 0 ? 1 : 0;
  let term = z;
  let sum = z;
  for (let n = 1; n < 200; n++) {
    term *= (-z * z) / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17) break;
  }
  return 0.5 * (1 + (2 / Math.sqrt(Math.PI)) * sum);
}

export function normalQuantile(p: number): number {
  let lo = -10;
  let hi = 10;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (normalCdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** `n` evenly spaced quantiles of N(mu, 1): a deterministic "sample" of that distribution. */
export function normalSample(n: number, mu = 0): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => mu + normalQuantile((i + 0.5) / n));
}

/** Shares of N(mu, 1) in the bins cut by `edges`. */
export function normalShares(edges: readonly number[], mu: number): number[] {
  const cdf = [0, ...edges.map((e) => normalCdf(e - mu)), 1];
  return cdf.slice(1).map((c, i) => c - cdf[i]!);
}
