import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jensenShannon } from '../../src/stats/jensen-shannon.js';

const distribution = (length: number) =>
  fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: length, maxLength: length })
    .filter((w) => w.reduce((a, b) => a + b, 0) > 1e-6)
    .map((w) => w.map((x) => x / w.reduce((a, b) => a + b, 0)));

describe('jensenShannon (distance, base 2)', () => {
  it('is 0 for identical and 1 for disjoint distributions: its bounds', () => {
    expect(jensenShannon([0.2, 0.8], [0.2, 0.8])).toBe(0);
    expect(jensenShannon([1, 0], [0, 1])).toBe(1);
    expect(jensenShannon([0.5, 0.5, 0, 0], [0, 0, 0.5, 0.5])).toBe(1);
  });

  it('matches a hand-worked example', () => {
    // m = (0.75, 0.25); KL(p||m) = log2(4/3) = 0.415037; KL(q||m) = 0.5 log2(2/3) + 0.5 log2(2) = 0.207519
    // JSD = 0.311278 bits; distance = sqrt = 0.557920
    expect(jensenShannon([1, 0], [0.5, 0.5])).toBeCloseTo(0.55792, 5);
  });

  it('stays finite and tiny for subnormal probabilities (a counterexample fast-check found)', () => {
    // (5e-324 + 0) / 2 underflows to 0: the mixture must not be computed that way.
    expect(jensenShannon([1, 5e-324], [1, 0])).toBeLessThan(1e-150);
    expect(jensenShannon([1, 4.940656e-318], [1, 0])).toBeLessThan(1e-150);
    expect(jensenShannon([1, 0], [1, 5e-324])).toBeLessThan(1e-150);
  });

  it('is symmetric, within [0, 1], and a metric (triangle inequality) (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 8 }).chain((k) => fc.tuple(distribution(k), distribution(k), distribution(k))), ([p, q, r]) => {
        const pq = jensenShannon(p, q);
        expect(pq).toBeGreaterThanOrEqual(0);
        expect(pq).toBeLessThanOrEqual(1);
        expect(pq).toBeCloseTo(jensenShannon(q, p), 12);
        expect(jensenShannon(p, r)).toBeLessThanOrEqual(pq + jensenShannon(q, r) + 1e-9);
      }),
    );
  });
});
