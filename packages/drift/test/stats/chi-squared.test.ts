import { describe, expect, it } from 'vitest';
import { chiSquared, chiSquaredCritical, chiSquaredPValue, cohensW } from '../../src/stats/chi-squared.js';

const fair = new Array(6).fill(1 / 6);

describe('chiSquared', () => {
  it('gives 13.4 for the textbook die: 60 rolls observed 5, 8, 9, 8, 10, 20', () => {
    // Expected 10 each: (25 + 4 + 1 + 4 + 0 + 100) / 10.
    expect(chiSquared(fair, [5, 8, 9, 8, 10, 20])).toBeCloseTo(13.4, 10);
  });

  it('is 0 when the counts are the expected ones, and for no observations', () => {
    expect(chiSquared([0.25, 0.75], [25, 75])).toBe(0);
    expect(chiSquared([0.25, 0.75], [0, 0])).toBe(0);
  });

  it('treats a category the reference never had as a share of 1e-4', () => {
    // 10 observations all in the unseen bin: E = 10 * 1e-4 = 0.001 there, 10 * 1 = 10 in the other.
    expect(chiSquared([1, 0], [0, 10])).toBeCloseTo(10 + (10 - 0.001) ** 2 / 0.001, 6);
  });
});

describe('cohensW', () => {
  it('is sqrt(X2 / n): 0.4726 for the textbook die', () => {
    expect(cohensW(fair, [5, 8, 9, 8, 10, 20])).toBeCloseTo(Math.sqrt(13.4 / 60), 10);
  });

  it('does not grow with the number of rows for the same shares', () => {
    // The statistic doubles with the counts; the effect size stays.
    expect(chiSquared([0.5, 0.5], [140, 60])).toBeCloseTo(2 * chiSquared([0.5, 0.5], [70, 30]), 10);
    expect(cohensW([0.5, 0.5], [140, 60])).toBeCloseTo(cohensW([0.5, 0.5], [70, 30]), 10);
    // Cohen (1988), section 7.2: w = sqrt(sum (p1 - p0)^2 / p0) = sqrt(0.04/0.5 * 2) = 0.4.
    expect(cohensW([0.5, 0.5], [70, 30])).toBeCloseTo(0.4, 10);
  });

  it('is 0 for no observations', () => {
    expect(cohensW([0.5, 0.5], [0, 0])).toBe(0);
  });
});

describe('chiSquaredPValue and chiSquaredCritical', () => {
  it('match the published table of the chi-squared distribution', () => {
    // Upper-tail critical values at 0.05 and 0.01 (NIST/SEMATECH e-Handbook, table 1.3.6.7.4).
    const table: [df: number, p05: number, p01: number][] = [
      [1, 3.841, 6.635],
      [2, 5.991, 9.21],
      [5, 11.07, 15.086],
      [10, 18.307, 23.209],
      [30, 43.773, 50.892],
    ];
    for (const [df, p05, p01] of table) {
      expect(chiSquaredPValue(p05, df)).toBeCloseTo(0.05, 4);
      expect(chiSquaredPValue(p01, df)).toBeCloseTo(0.01, 4);
      expect(chiSquaredCritical(df)).toBeCloseTo(p05, 2);
      expect(chiSquaredCritical(df, 0.01)).toBeCloseTo(p01, 2);
    }
  });

  it('gives the die example a p-value of about 0.02 (5 degrees of freedom)', () => {
    expect(chiSquaredPValue(13.4, 5)).toBeCloseTo(0.0199, 4);
  });

  it('has the closed form exp(-x/2) for 2 degrees of freedom', () => {
    for (const x of [0.1, 1, 4, 20]) expect(chiSquaredPValue(x, 2)).toBeCloseTo(Math.exp(-x / 2), 12);
    expect(chiSquaredPValue(0, 3)).toBe(1);
  });
});
