import { describe, expect, it } from 'vitest';
import { FeatureEncoder } from '../../src/monitor/encoder.js';
import type { FeatureProfile } from '../../src/profile/format.js';

const numeric: FeatureProfile = { name: 'x', type: 'numeric', count: 4, missing: 0, min: 0, max: 3, edges: [1, 2], proportions: [0.25, 0.25, 0.5] };
const categorical: FeatureProfile = { name: 'c', type: 'categorical', count: 4, missing: 0, categories: ['red', '7', 'true'], proportions: [0.5, 0.25, 0.25] };

describe('FeatureEncoder', () => {
  const encoder = new FeatureEncoder([numeric, categorical]);

  it('lays out bins, then a missing slot, per feature', () => {
    expect([...encoder.bins]).toEqual([3, 4]); // categorical: 3 categories + other
    expect([...encoder.offsets]).toEqual([0, 4]);
    expect(encoder.totalSlots).toBe(9);
    expect([...encoder.expected[1]!]).toEqual([0.5, 0.25, 0.25, 0]);
  });

  it('bins numbers, and sends NaN and non-numbers to the missing slot', () => {
    expect([0.5, 1, 1.5, 2, 99, -Infinity].map((v) => encoder.encode(0, v))).toEqual([0, 1, 1, 2, 2, 0]);
    expect([Number.NaN, '1.5', null, undefined].map((v) => encoder.encode(0, v))).toEqual([3, 3, 3, 3]);
  });

  it('finds categories as strings, numbers, bigints and booleans; others go to "other"', () => {
    expect(['red', '7', 7, 7n, true, 'true'].map((v) => encoder.encode(1, v))).toEqual([0, 1, 1, 1, 2, 2]);
    expect(['blue', 8, false].map((v) => encoder.encode(1, v))).toEqual([3, 3, 3]);
    expect([null, undefined, ''].map((v) => encoder.encode(1, v))).toEqual([4, 4, 4]);
  });

  it('maps integer class outputs to class names', () => {
    const classes: FeatureProfile = { name: 'class', type: 'categorical', count: 3, missing: 0, categories: ['virginica', 'setosa', 'versicolor'], proportions: [0.4, 0.3, 0.3] };
    const byIndex = new FeatureEncoder([classes], ['setosa', 'versicolor', 'virginica']);
    expect([0, 1, 2, 0n, 2n, 'setosa'].map((v) => byIndex.encode(0, v))).toEqual([1, 2, 0, 1, 0, 1]);
  });
});
