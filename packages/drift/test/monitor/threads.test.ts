import { ATTR_MODEL_NAME } from '@inferometer/core/catalog';
import { describe, expect, it } from 'vitest';
import { mergeThreadParts, scoreWindow, scratchFor, type ScoredFeature, type WindowContribution } from '../../src/monitor/threads.js';
import { METRIC_DATA_DRIFT_SCORE, METRIC_PREDICTION_DRIFT_SCORE } from '../../src/catalog.js';
import { psi } from '../../src/stats/psi.js';
import { jensenShannon } from '../../src/stats/jensen-shannon.js';

const feature: ScoredFeature = {
  offset: 0,
  bins: 4,
  expected: Float64Array.from([0.25, 0.25, 0.25, 0.25]),
  methods: ['psi', 'js'],
  attributes: [{ [ATTR_MODEL_NAME]: 'm', method: 'psi' }, { [ATTR_MODEL_NAME]: 'm', method: 'js' }],
};
const window = (key: string, totals: number[], minRows = 10): WindowContribution => ({ key, gauge: 'data', minRows, rows: totals.slice(0, 4).reduce((a, b) => a + b, 0), totals, features: [feature] });
const end: [number, number] = [1, 0];

function scores(totals: number[]): number[] {
  const out: number[] = [];
  scoreWindow(totals, [feature], scratchFor([feature]), (value) => out.push(value));
  return out;
}

describe('drift windows across threads', () => {
  it('scores the sum of the windows of one key: the union window', () => {
    // Two threads' windows (the fifth slot is the feature's missing-value slot: not scored).
    const merged = mergeThreadParts([[window('k', [10, 0, 5, 1, 2])], [window('k', [2, 8, 5, 9, 0])]], end);
    const data = merged.gauges.find((g) => g.name === METRIC_DATA_DRIFT_SCORE.name)!;
    const shares = Float64Array.from([12, 8, 10, 10], (v) => v / 40);
    expect(data.points.map((p) => p.value)).toEqual([psi(feature.expected, shares), jensenShannon(feature.expected, shares)]);
    expect(data.points.map((p) => p.value)).toEqual(scores([12, 8, 10, 10, 2]));
    expect(merged.gauges.find((g) => g.name === METRIC_PREDICTION_DRIFT_SCORE.name)!.points).toEqual([]);
    expect(merged.replaces).toEqual([METRIC_DATA_DRIFT_SCORE.name, METRIC_PREDICTION_DRIFT_SCORE.name]);
  });

  it('reports nothing below minRows, and NaN once a reported union falls below it', () => {
    const key = `nan-${Math.random()}`;
    expect(mergeThreadParts([[window(key, [1, 1, 1, 1], 10)]], end).gauges[0]!.points).toEqual([]);
    expect(mergeThreadParts([[window(key, [3, 3, 3, 3], 10)]], end).gauges[0]!.points.every((p) => Number.isFinite(p.value))).toBe(true);
    expect(mergeThreadParts([[window(key, [1, 1, 1, 1], 10)]], end).gauges[0]!.points.map((p) => p.value)).toEqual([Number.NaN, Number.NaN]);
  });

  it('ignores what is not a window, and windows whose slots disagree with their key', () => {
    const merged = mergeThreadParts([null, 'x', [{ key: 1 }, window('k2', [10, 10, 10, 10])], [window('k2', [1, 2, 3])], [{ ...window('k2', [1, 1, 1, 1]), features: [{ ...feature, expected: [0.25] }] }]], end);
    expect(merged.gauges[0]!.points.map((p) => p.value)).toEqual(scores([10, 10, 10, 10]));
  });
});
