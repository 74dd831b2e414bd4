import { beforeEach, describe, expect, it } from 'vitest';
import { resolveGuardOptions, type GuardOptions } from '../../src/guard/config.js';
import { IDENTIFIER_MARKER, OVERFLOW_VALUE, TOO_LONG_MARKER } from '../../src/guard/patterns.js';
import { ValueGuard } from '../../src/guard/registry.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';

let rt: Runtime;
beforeEach(() => {
  rt = createRuntime();
});
const configureGuards = (options: GuardOptions) => rt.guard.configure(resolveGuardOptions(options));

const counts = () => Object.fromEntries([...rt.guard.rejectionCounts()].map((r) => [`${r.attributes.metric}/${r.attributes.attribute}/${r.attributes.reason}`, r.count]));

describe('ValueGuard', () => {
  it('passes bounded values, replaces identifiers and long values, and caps distinct values', () => {
    configureGuards({ maxValuesPerKey: { tier: 2 }, maxValueLength: 10 });
    const guard = new ValueGuard(rt.guard, 'm', 'tier');
    expect([guard.admit('gold'), guard.admit('free'), guard.admit('gold'), guard.admit('silver')]).toEqual(['gold', 'free', 'gold', OVERFLOW_VALUE]);
    expect(guard.admit('550e8400-e29b-41d4-a716-446655440000')).toBe(IDENTIFIER_MARKER);
    expect(guard.admit('x'.repeat(11))).toBe(TOO_LONG_MARKER);
    expect(guard.admit(3)).toBe(OVERFLOW_VALUE);
    expect(guard.admit(undefined)).toBeUndefined();
    expect(guard.admit({ not: 'a value' })).toBeUndefined();
    expect(counts()).toEqual({ 'm/tier/value_overflow': 2, 'm/tier/identifier': 1, 'm/tier/too_long': 1, 'm/tier/invalid_type': 1 });
  });

  it('keeps no memory for refused values under attack', () => {
    const guard = new ValueGuard(rt.guard, 'm', 'note');
    for (let i = 0; i < 10_000; i++) guard.admit(`free text number ${i}`);
    expect((guard as unknown as { _seen: Set<string> })._seen.size).toBe(100);
  });

  it('skips shape checks for versions (a git sha is a fine version)', () => {
    const guard = new ValueGuard(rt.guard, 'm', 'model_version', false);
    expect(guard.admit('3f2a9c1d8e7b6a5f4e3d2c1b')).toBe('3f2a9c1d8e7b6a5f4e3d2c1b');
  });
});

describe('admitSeries', () => {
  it('admits cap - 1 label sets, leaving one for the overflow series', () => {
    configureGuards({ maxSeriesPerMetric: 5 });
    const admitted = Array.from({ length: 10 }, () => rt.guard.admitSeries('m'));
    expect(admitted.filter(Boolean)).toHaveLength(4);
  });
});
