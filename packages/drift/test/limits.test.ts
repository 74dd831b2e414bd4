import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_CATEGORIES, DEFAULT_MAX_FEATURES, resolveLimits } from '../src/limits.js';

describe('resolveLimits', () => {
  it('fills in the defaults and accepts raised caps up to the hard limits', () => {
    expect(resolveLimits('w', undefined)).toEqual({ maxFeatures: DEFAULT_MAX_FEATURES, maxCategories: DEFAULT_MAX_CATEGORIES });
    expect(resolveLimits('w', { maxFeatures: 1000, maxCategories: 5 })).toEqual({ maxFeatures: 1000, maxCategories: 5 });
  });

  it('refuses caps past the hard limits, naming the option', () => {
    expect(() => resolveLimits('w', { maxCategories: 1001 })).toThrow('w: option "limits.maxCategories" must be a whole number from 1 to 1000; got 1001');
    expect(() => resolveLimits('w', { maxFeatures: 0 })).toThrow('w: option "limits.maxFeatures" must be a whole number from 1 to 1000; got 0');
    expect(() => resolveLimits('w', 'big' as never)).toThrow('w: option "limits" must be an object such as { maxFeatures: 200, maxCategories: 100 }');
  });
});
