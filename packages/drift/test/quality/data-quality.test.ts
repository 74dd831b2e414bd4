import { instrument, InferometerConfigError } from '@inferometer/core';
import { setupTestMetrics, type TestMetrics } from '@inferometer/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildProfile } from '../../src/profile/build.js';
import { METRIC_DATA_QUALITY_ISSUES, METRIC_DATA_QUALITY_ROWS } from '../../src/quality-catalog.js';
import { dataQualityMonitor } from '../../src/quality/data-quality.js';
import { combineObservers } from '../../src/quality/combine.js';
import { driftMonitor } from '../../src/monitor/drift-monitor.js';
import { METRIC_DATA_DRIFT_SCORE } from '../../src/catalog.js';

let m: TestMetrics;
let model: string;
let n = 0;
beforeEach(() => {
  m = setupTestMetrics();
  model = `dq_${++n}`;
});
afterEach(async () => m.shutdown());

// Reference: "size" numeric in [1, 10], "colour" categorical (red, green).
const reference = buildProfile({
  columns: {
    size: Float64Array.from({ length: 100 }, (_, i) => 1 + (i % 10)),
    colour: Array.from({ length: 100 }, (_, i) => (i % 3 === 0 ? 'green' : 'red')),
  },
});

const issues = async () => {
  const points = await m.points(METRIC_DATA_QUALITY_ISSUES.name, { model_name: model });
  return Object.fromEntries(points.filter((p) => p.value > 0).map((p) => [`${String(p.attributes.feature)}/${String(p.attributes.issue)}`, p.value]));
};

describe('dataQualityMonitor', () => {
  it('counts each issue per feature against the profile, exactly', async () => {
    const quality = dataQualityMonitor({ reference, features: (rows: unknown[][]) => rows });
    const predict = instrument((rows: unknown[][]) => rows.length, { model, version: '1', drift: quality });
    const rows: unknown[][] = [
      [5, 'red'], // clean
      [1, 'green'], // clean: the observed min is in range
      [10, 'red'], // clean: the observed max too
      [null, 'red'], // size missing
      [undefined, ''], // size missing, colour missing
      [Number.NaN, 'blue'], // size nan, colour unseen
      [Number.POSITIVE_INFINITY, 'red'], // size infinite
      [Number.NEGATIVE_INFINITY, 'red'], // size infinite
      [10.5, 'red'], // size out of range
      [-3, { colour: 'red' }], // size out of range, colour wrong type
      ['7', 'purple'], // size wrong type, colour unseen
      [7, ['red']], // colour wrong type
    ];
    expect(predict(rows)).toBe(12);
    expect(await issues()).toEqual({
      'size/missing': 2,
      'size/nan': 1,
      'size/infinite': 2,
      'size/out_of_range': 2,
      'size/wrong_type': 1,
      'colour/missing': 1,
      'colour/unseen_category': 2,
      'colour/wrong_type': 2,
    });
    expect(await m.value(METRIC_DATA_QUALITY_ROWS.name, { model_name: model })).toBe(12);
    // Every applicable (feature, issue) is reported from the start, zeros included, so rate() sees the first rise.
    expect((await m.points(METRIC_DATA_QUALITY_ISSUES.name, { model_name: model })).length).toBe(5 + 3);
  });

  it('takes a float32 tensor at the edges of the range as in range (6.9 reads 6.9000001 in float32)', async () => {
    const edges = buildProfile({ columns: { x: [1.1, 2, 6.9] } });
    const quality = dataQualityMonitor({ reference: edges, features: (t: unknown) => t });
    const predict = instrument((t: unknown) => t, { model, version: '1', drift: quality });
    predict({ data: Float32Array.from([1.1, 6.9, 6.95, 1.05]), dims: [4, 1] });
    expect(await issues()).toEqual({ 'x/out_of_range': 2 });
  });

  it('reads records and tensors like the drift monitor, and runs beside it from the same profile', async () => {
    const quality = dataQualityMonitor({ reference, features: (input: unknown) => input });
    const drift = driftMonitor({ reference, features: (input: Record<string, unknown>[] | Record<string, unknown>) => input, minRows: 1 });
    const predict = instrument((input: unknown) => input, { model, version: '1', drift: combineObservers(drift, quality) });
    predict([{ size: 50, colour: 'red' }, { size: 2, colour: 'teal' }]);
    predict({ size: 3, colour: 'green' });
    expect(await issues()).toEqual({ 'size/out_of_range': 1, 'colour/unseen_category': 1 });
    expect(await m.value(METRIC_DATA_QUALITY_ROWS.name, { model_name: model })).toBe(3);
    expect(await m.value(METRIC_DATA_DRIFT_SCORE.name, { model_name: model, feature: 'size', method: 'psi' })).toBeGreaterThan(0);
  });

  it('checks its options at build time', () => {
    expect(() => dataQualityMonitor({ reference, features: 'rows' as never })).toThrow(InferometerConfigError);
    expect(() => dataQualityMonitor({ reference: { format: 'nope' }, features: (r: unknown) => r })).toThrow(/not a usable profile/);
    expect(() => dataQualityMonitor({ reference, features: (r: unknown) => r, featureNames: ['size'] })).toThrow(/featureNames/);
  });
});
