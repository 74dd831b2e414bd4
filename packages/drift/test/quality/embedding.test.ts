import { instrument, InferometerConfigError } from '@inferometer/core';
import { setupTestMetrics, type TestMetrics } from '@inferometer/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { METRIC_EMBEDDING_CENTROID_DISTANCE, METRIC_EMBEDDING_ROWS, METRIC_OUTLIER_ROWS } from '../../src/quality-catalog.js';
import { buildEmbeddingReference, embeddingMonitor } from '../../src/quality/embedding.js';
import { seeded } from '../helpers/rng.js';

let m: TestMetrics;
let model: string;
let n = 0;
beforeEach(() => {
  m = setupTestMetrics();
  model = `emb_${++n}`;
});
afterEach(async () => m.shutdown());

const distance = (kind: string, source = 'output') => m.value(METRIC_EMBEDDING_CENTROID_DISTANCE.name, { model_name: model, source, distance: kind });

describe('buildEmbeddingReference', () => {
  it('gives the centroid and population standard deviation per dimension', () => {
    const reference = buildEmbeddingReference([[1, 10], [3, 10], [5, 10]]);
    expect(reference.mean).toEqual([3, 10]);
    expect(reference.std[0]).toBeCloseTo(Math.sqrt(8 / 3), 12);
    expect(reference.std[1]).toBe(0);
    expect(() => buildEmbeddingReference([[1, 2], [3]])).toThrow(/dimensions/);
  });
});

describe('embeddingMonitor', () => {
  it('reports the centroid distance (cosine, Euclidean) against an offline computation', async () => {
    const reference = buildEmbeddingReference([[1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 0]]); // centroid (0.5, 0.5, 0)
    const watch = embeddingMonitor({ reference, output: (r: { embedding: number[] }) => r.embedding, window: 200, minRows: 10 });
    const embed = instrument((x: number[]) => ({ embedding: x }), { model, version: '1', drift: watch });
    for (let i = 0; i < 9; i++) embed([1, 2, 2]);
    expect(await distance('euclidean')).toBeNaN(); // under minRows
    embed([1, 2, 2]);
    // Centroid (1, 2, 2) against (0.5, 0.5, 0).
    expect(await distance('euclidean')).toBeCloseTo(Math.sqrt(0.25 + 2.25 + 4), 12);
    expect(await distance('cosine')).toBeCloseTo(1 - 1.5 / (3 * Math.sqrt(0.5)), 12);
    expect(await m.value(METRIC_EMBEDDING_ROWS.name, { model_name: model, source: 'output' })).toBe(10);
  });

  it('forgets the older half: after a shift the centroid follows the new vectors', async () => {
    const reference = buildEmbeddingReference([[0, 0], [2, 2]]); // centroid (1, 1)
    const watch = embeddingMonitor({ reference, input: (rows: number[][]) => rows, window: 100, minRows: 10 });
    const predict = instrument((rows: number[][]) => rows.length, { model, version: '1', drift: watch });
    predict(Array.from({ length: 100 }, () => [1, 1]));
    expect(await distance('euclidean', 'input')).toBe(0);
    predict(Array.from({ length: 100 }, () => [4, 5])); // two halves of 50: the old rows are gone
    expect(await distance('euclidean', 'input')).toBeCloseTo(5, 12);
  });

  it('counts rows with a dimension beyond the z-score threshold, per row, exactly', async () => {
    const random = seeded(3);
    const train = Array.from({ length: 5000 }, () => [random() * 2 - 1, random() * 10]);
    const reference = buildEmbeddingReference(train);
    const watch = embeddingMonitor({ reference, input: (rows: number[][]) => rows, zThreshold: 3 });
    const predict = instrument((rows: number[][]) => rows.length, { model, version: '1', drift: watch });
    const rows = Array.from({ length: 1000 }, () => [random() * 8 - 4, random() * 30 - 10]);
    rows.push([Number.NaN, 5]);
    predict(rows);
    const z = (row: number[]) => Math.max(...row.map((x, k) => Math.abs(x - reference.mean[k]!) / reference.std[k]!));
    const expected = rows.filter((r) => !(z(r) <= 3)).length;
    expect(expected).toBeGreaterThan(100);
    expect(await m.value(METRIC_OUTLIER_ROWS.name, { model_name: model, source: 'input' })).toBe(expected);
    expect(await m.value(METRIC_EMBEDDING_ROWS.name, { model_name: model, source: 'input' })).toBe(1001);
  });

  it('checks its options at build time', () => {
    const reference = buildEmbeddingReference([[0, 1]]);
    expect(() => embeddingMonitor({ reference })).toThrow(InferometerConfigError);
    expect(() => embeddingMonitor({ reference: { mean: [1] } as never, input: (r: unknown) => r })).toThrow(/reference/);
    expect(() => embeddingMonitor({ reference, input: (r: unknown) => r, zThreshold: 0 })).toThrow(/zThreshold/);
    expect(() => embeddingMonitor({ reference, input: (r: unknown) => r, window: 10, minRows: 6 })).toThrow(/minRows/);
  });
});
