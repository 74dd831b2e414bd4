import { describe, expect, it } from 'vitest';
import { FeatureEncoder } from '../../src/monitor/encoder.js';
import { ingestClasses, ingestConfidence, ingestFeatures, UNSUPPORTED } from '../../src/monitor/ingest.js';
import type { FeatureProfile } from '../../src/profile/format.js';
import { CountWindow } from '../../src/window/count-window.js';

const a: FeatureProfile = { name: 'a', type: 'numeric', count: 2, missing: 0, min: 0, max: 1, edges: [0.5], proportions: [0.5, 0.5] };
const b: FeatureProfile = { name: 'b', type: 'categorical', count: 2, missing: 0, categories: ['x', 'y'], proportions: [0.5, 0.5] };

function setup() {
  const encoder = new FeatureEncoder([a, b]);
  const window = new CountWindow(encoder, 100);
  const slots = new Uint16Array(2);
  // Slots: a = [low, high, missing] at 0..2, b = [x, y, other, missing] at 3..6.
  return { encoder, window, slots, totals: () => [...window.totals()] };
}

describe('ingestFeatures', () => {
  it('reads rows, a single row, records, and one record', () => {
    const s = setup();
    expect(ingestFeatures([[0.1, 'x'], [0.9, 'y']], s.encoder, s.window, s.slots)).toBe(0);
    expect(ingestFeatures([0.2, 'z'], s.encoder, s.window, s.slots)).toBe(0);
    expect(ingestFeatures([{ a: 0.7, b: 'x' }], s.encoder, s.window, s.slots)).toBe(0);
    expect(ingestFeatures({ b: 'y' }, s.encoder, s.window, s.slots)).toBe(0);
    expect(s.totals()).toEqual([2, 2, 1, 2, 2, 1, 0]);
  });

  it('reads a [rows, features] tensor in place', () => {
    const s = setup();
    const tensor = { data: Float32Array.from([0.1, 0, 0.8, 1]), dims: [2, 2] };
    expect(ingestFeatures(tensor, new FeatureEncoder([a, a]), new CountWindow(new FeatureEncoder([a, a]), 10), s.slots)).toBe(0);
    expect(ingestFeatures({ data: Float32Array.from([0.1, 0.2, 0.3]), dims: [1, 3] }, s.encoder, s.window, s.slots)).toBe(1);
    expect(ingestFeatures({ data: new Float32Array(8), dims: [2, 2, 2] }, s.encoder, s.window, s.slots)).toBe(UNSUPPORTED);
  });

  it('drops rows of the wrong width and counts them; refuses what it cannot read', () => {
    const s = setup();
    expect(ingestFeatures([[0.1, 'x'], [0.2], [0.3, 'y', 5]], s.encoder, s.window, s.slots)).toBe(2);
    expect(ingestFeatures([0.1, 'x', 3], s.encoder, s.window, s.slots)).toBe(1);
    expect(ingestFeatures('rows', s.encoder, s.window, s.slots)).toBe(UNSUPPORTED);
    expect(ingestFeatures(42, s.encoder, s.window, s.slots)).toBe(UNSUPPORTED);
    expect(s.window.rows()).toBe(1);
  });
});

describe('ingestClasses and ingestConfidence', () => {
  const cls: FeatureProfile = { name: 'class', type: 'categorical', count: 2, missing: 0, categories: ['cat', 'dog'], proportions: [0.5, 0.5] };
  const conf: FeatureProfile = { name: 'confidence', type: 'numeric', count: 2, missing: 0, min: 0.5, max: 1, edges: [0.75], proportions: [0.5, 0.5] };

  it('reads one class, a list, or a label tensor (int64 as bigint)', () => {
    const encoder = new FeatureEncoder([cls], ['cat', 'dog']);
    const window = new CountWindow(encoder, 100);
    const slots = new Uint16Array(1);
    ingestClasses('dog', encoder, window, slots);
    ingestClasses(['cat', 'dog', 'cow'], encoder, window, slots);
    ingestClasses({ data: BigInt64Array.from([0n, 1n, 1n]), dims: [3] }, encoder, window, slots);
    expect([...window.totals()]).toEqual([2, 4, 1, 0]);
    expect(ingestClasses({}, encoder, window, slots)).toBe(UNSUPPORTED);
  });

  it('reads confidence with core\'s rule: a number, a vector (its max), rows of vectors, a [rows, classes] tensor', () => {
    const encoder = new FeatureEncoder([conf]);
    const window = new CountWindow(encoder, 100);
    const slots = new Uint16Array(1);
    ingestConfidence(0.6, encoder, window, slots); // low
    ingestConfidence([0.1, 0.9], encoder, window, slots); // one row: 0.9, high
    ingestConfidence([[0.7, 0.3], [0.2, 0.8]], encoder, window, slots); // low, high
    ingestConfidence({ data: Float32Array.from([0.6, 0.4, 0.05, 0.95]), dims: [2, 2] }, encoder, window, slots); // low, high
    ingestConfidence(1.5, encoder, window, slots); // not a confidence: missing
    expect([...window.totals()]).toEqual([3, 3, 1]);
  });
});
