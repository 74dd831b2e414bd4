import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binOf, quantileEdges } from '../../src/profile/quantile-edges.js';

describe('quantileEdges', () => {
  it('puts edges halfway below the quantile values', () => {
    // Ranks floor(i * 10 / 4) = 2, 5, 7 hold 3, 6, 8; edges go halfway to the value below.
    expect(quantileEdges([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 4)).toEqual([2.5, 5.5, 7.5]);
  });

  it('never cuts a tie block, and merges edges that would repeat', () => {
    // Ranks 2, 4, 6 hold 1 (the minimum: no edge), 2 and 3.
    expect(quantileEdges([1, 1, 1, 1, 2, 2, 3, 3], 4)).toEqual([1.5, 2.5]);
    expect(quantileEdges([5, 5, 5, 5], 10)).toEqual([]);
  });

  it('keeps a value rounded to float32 in its reference bin', () => {
    const values = [4.8, 5.0, 5.1, 5.1, 5.1, 5.4, 5.8, 6.0];
    const edges = Float64Array.from(quantileEdges(values, 4));
    for (const v of values) expect(binOf(edges, 0, edges.length, Math.fround(v))).toBe(binOf(edges, 0, edges.length, v));
  });

  it('gives strictly increasing edges on no reference value, and no empty bin (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -20, max: 20 }), { minLength: 1, maxLength: 200 }), fc.integer({ min: 2, max: 20 }), (raw, bins) => {
        const sorted = Float64Array.from(raw).sort();
        const edges = quantileEdges(sorted, bins);
        expect(edges.length).toBeLessThan(bins);
        edges.forEach((e, i) => {
          if (i > 0) expect(e).toBeGreaterThan(edges[i - 1]!);
          expect(raw).not.toContain(e);
        });
        const counts = new Array(edges.length + 1).fill(0);
        const array = Float64Array.from(edges);
        for (const v of sorted) counts[binOf(array, 0, edges.length, v)]++;
        expect(counts.every((c) => c > 0)).toBe(true);
      }),
    );
  });
});

describe('binOf', () => {
  it('counts the edges at or below the value', () => {
    const edges = Float64Array.from([1, 2, 3]);
    expect([-Infinity, 0.5, 1, 1.5, 2, 3, 99, Infinity].map((v) => binOf(edges, 0, 3, v))).toEqual([0, 0, 1, 1, 2, 3, 3, 3]);
    expect(binOf(Float64Array.from([9, 9, 1, 2]), 2, 2, 1.5)).toBe(1);
  });
});
