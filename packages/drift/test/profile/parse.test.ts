import { describe, expect, it } from 'vitest';
import { buildProfile } from '../../src/profile/build.js';
import { parseProfile, ProfileError } from '../../src/profile/parse.js';

const valid = () => JSON.parse(JSON.stringify(buildProfile({ columns: { x: [1, 2, 3, 4], c: ['a', 'b', 'a', 'a'] } }, { bins: 2 })));

describe('parseProfile', () => {
  it('accepts what buildProfile writes, after a JSON round trip', () => {
    expect(parseProfile(valid())).toEqual(valid());
  });

  it('names the field that is wrong', () => {
    const cases: [mutate: (p: any) => void, message: string][] = [
      [(p) => (p.format = 'other'), 'profile: "format" must be "inferometer-drift-profile"; got "other". Build one with inferometer-profile data.csv > reference.json'],
      [(p) => (p.version = 2), 'profile: format version 2 is newer than this @inferometer/drift reads (1); upgrade @inferometer/drift'],
      [(p) => (p.version = '1'), 'profile: "version" must be 1; got "1"'],
      [(p) => (p.features = []), 'profile: "features" must be a non-empty array; got []'],
      [(p) => (p.features[0].edges = [3, 2]), 'profile.features[0] (x).edges: must be strictly increasing; edge 1 (2) is not above edge 0 (3)'],
      [(p) => (p.features[0].proportions = [0.4, 0.4]), 'profile.features[0] (x).proportions: shares must sum to 1; they sum to 0.8'],
      [(p) => (p.features[0].proportions = [1]), 'profile.features[0] (x).proportions: must have edges.length + 1 = 2 entries; got 1'],
      [(p) => (p.features[1].type = 'text'), 'profile.features[1] (c).type: must be "numeric" or "categorical"; got "text"'],
      [(p) => (p.features[1].categories = ['a', 'a']), 'profile.features[1] (c).categories: must not repeat a category'],
      [(p) => (p.features[1].name = 'x'), 'profile.features[1]: duplicate feature name "x"'],
      [(p) => (p.predictions = { class: p.features[0] }), 'profile.predictions.class: must be a categorical profile'],
    ];
    for (const [mutate, message] of cases) {
      const profile = valid();
      mutate(profile);
      expect(() => parseProfile(profile)).toThrow(new ProfileError(message));
    }
    expect(() => parseProfile('{}')).toThrow('profile: must be an object; got "{}"');
  });

  it('refuses more features or categories than the limits allow', () => {
    const wide = buildProfile({ columns: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`f${i}`, [1, 2]])) });
    expect(() => parseProfile(wide, { maxFeatures: 10 })).toThrow('profile: 12 features is more than the limit of 10 (option limits.maxFeatures); profile fewer columns');
    const cats = buildProfile({ columns: { c: ['a', 'b', 'c'] } });
    expect(() => parseProfile(cats, { maxCategories: 2 })).toThrow(
      'profile.features[0] (c).categories: 3 categories is more than the limit of 2 (option limits.maxCategories); profile the column as numeric, or leave it out',
    );
  });
});
