import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quantileEdges, binOf } from '../../src/profile/quantile-edges.js';
import { ksBinned, ksCriticalValue, ksStatistic } from '../../src/stats/ks.js';
import { normalCdf, normalQuantile, normalShares } from '../helpers/normal.js';

describe('ksStatistic (exact, two samples)', () => {
  it('matches hand-worked examples', () => {
    // F_a - F_b is largest at 2: 2/5 - 0/5.
    expect(ksStatistic([1, 2, 3, 4, 5], [3, 4, 5, 6, 7])).toBeCloseTo(0.4, 12);
    // Ties move both functions together: at 1, 2/3 vs 1/3.
    expect(ksStatistic([1, 1, 2], [1, 2, 2])).toBeCloseTo(1 / 3, 12);
    expect(ksStatistic([1, 2, 3], [1, 2, 3])).toBe(0);
    expect(ksStatistic([1, 2], [3, 4])).toBe(1);
  });

  it('gives the published distance between N(0,1) and N(0.5,1): 2 Phi(0.25) - 1 = 0.1974', () => {
    const n = 20_000;
    const a = Float64Array.from({ length: n }, (_, i) => normalQuantile((i + 0.5) / n));
    const b = a.map((x) => x + 0.5);
    expect(ksStatistic(a, b)).toBeCloseTo(2 * normalCdf(0.25) - 1, 3);
    expect(2 * normalCdf(0.25) - 1).toBeCloseTo(0.19741, 5);
  });
});

describe('ksBinned', () => {
  it('is the largest gap of the cumulative shares at the edges', () => {
    expect(ksBinned([0.25, 0.25, 0.25, 0.25], [0.1, 0.2, 0.3, 0.4])).toBeCloseTo(0.2, 12);
    expect(ksBinned([0.5, 0.5], [0.5, 0.5])).toBe(0);
  });

  it('approaches the exact statistic over decile bins of a normal (0.19741, Python math.erf)', () => {
    const edges = Array.from({ length: 9 }, (_, i) => normalQuantile((i + 1) / 10));
    expect(ksBinned(new Array(10).fill(0.1), normalShares(edges, 0.5))).toBeCloseTo(0.197412, 5);
  });

  it('never exceeds the exact statistic of the samples the bins came from (property)', () => {
    const sample = fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 5, maxLength: 80 });
    fc.assert(
      fc.property(sample, sample, fc.integer({ min: 2, max: 12 }), (a, b, bins) => {
        const sorted = Float64Array.from(a).sort();
        const edges = Float64Array.from(quantileEdges(sorted, bins));
        const share = (values: number[]) => {
          const counts = new Array(edges.length + 1).fill(0);
          for (const v of values) counts[binOf(edges, 0, edges.length, v)]++;
          return counts.map((c) => c / values.length);
        };
        expect(ksBinned(share(a), share(b))).toBeLessThanOrEqual(ksStatistic(a, b) + 1e-12);
      }),
    );
  });
});

describe('ksCriticalValue', () => {
  it('uses the tabled coefficient 1.358 at alpha 0.05 and 1.628 at 0.01', () => {
    expect(ksCriticalValue(100, 100)).toBeCloseTo(1.3581 * Math.sqrt(200 / 10_000), 4);
    expect(ksCriticalValue(100, 100, 0.01)).toBeCloseTo(1.6276 * Math.sqrt(200 / 10_000), 4);
  });
});
