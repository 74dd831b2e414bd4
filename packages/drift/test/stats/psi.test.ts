import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EMPTY_BIN_SHARE } from '../../src/stats/epsilon.js';
import { psi } from '../../src/stats/psi.js';
import { normalQuantile, normalShares } from '../helpers/normal.js';

const deciles = Array.from({ length: 9 }, (_, i) => normalQuantile((i + 1) / 10));
const tenth = new Array(10).fill(0.1);

describe('psi', () => {
  it('is 0 for identical distributions', () => {
    expect(psi([0.2, 0.3, 0.5], [0.2, 0.3, 0.5])).toBe(0);
    expect(psi(tenth, tenth)).toBe(0);
  });

  it('matches a hand-worked two-bin example', () => {
    // (0.7 - 0.5) ln(0.7/0.5) + (0.3 - 0.5) ln(0.3/0.5) = 0.067294 + 0.102165 = 0.16946
    expect(psi([0.5, 0.5], [0.7, 0.3])).toBeCloseTo(0.16946, 5);
  });

  it('floors an empty bin at EMPTY_BIN_SHARE (1e-4)', () => {
    // (1e-4 - 0.5) ln(1e-4 / 0.5) + (1 - 0.5) ln(1 / 0.5)
    const expected = (EMPTY_BIN_SHARE - 0.5) * Math.log(EMPTY_BIN_SHARE / 0.5) + 0.5 * Math.log(2);
    expect(psi([0.5, 0.5], [0, 1])).toBeCloseTo(expected, 12);
    expect(expected).toBeCloseTo(4.6043, 4);
  });

  it('gives the known score for a shift of half a standard deviation over decile bins', () => {
    // Reference N(0, 1) in deciles, actual N(0.5, 1): 0.237749, computed
    // independently with Python's math.erf.
    expect(psi(tenth, normalShares(deciles, 0.5))).toBeCloseTo(0.237749, 5);
    expect(psi(tenth, normalShares(deciles, 1))).toBeCloseTo(0.926142, 5);
  });

  it('tends to the Jeffreys divergence mu^2 of two unit normals as the bins get finer', () => {
    // PSI is the binned symmetric KL divergence; for N(0,1) vs N(mu,1) that is mu^2.
    const edges = Array.from({ length: 999 }, (_, i) => normalQuantile((i + 1) / 1000));
    const score = psi(new Array(1000).fill(0.001), normalShares(edges, 0.5));
    expect(score).toBeGreaterThan(0.25 * 0.98);
    expect(score).toBeLessThanOrEqual(0.25);
  });

  it('is non-negative and symmetric (property)', () => {
    const distribution = fc
      .array(fc.double({ min: 0.001, max: 1, noNaN: true }), { minLength: 2, maxLength: 20 })
      .map((w) => w.map((x) => x / w.reduce((a, b) => a + b, 0)));
    fc.assert(
      fc.property(distribution, fc.integer({ min: 0, max: 1_000_000 }), (p, seed) => {
        const q = p.map((_, i) => p[(i + seed) % p.length]!);
        const forward = psi(p, q);
        expect(forward).toBeGreaterThanOrEqual(-1e-12);
        expect(forward).toBeCloseTo(psi(q, p), 9);
      }),
    );
  });
});
