import { afterEach, describe, expect, it } from 'vitest';
import { GUARD_DEFAULTS, instrument } from '@inferometer/core';
import { applyGuards, MAX_UNBOUNDED_KEY_PATTERN_LENGTH, MAX_UNBOUNDED_KEY_PATTERNS, MAX_UNBOUNDED_KEY_PATTERNS_LENGTH } from '../../src/config/guards.js';
import { blame } from '../helpers/blame.js';

// The guard's limits are process-wide; put them back after each test.
afterEach(() => applyGuards({}, { ...GUARD_DEFAULTS, unboundedKeyPatterns: [] }));

describe('cardinality guard configuration at start', () => {
  it.each([
    [{ INFEROMETER_MAX_ATTRIBUTE_VALUES: '0' }, 'INFEROMETER_MAX_ATTRIBUTE_VALUES', 'a whole number from 1 to 1000000'],
    [{ INFEROMETER_MAX_SERIES_PER_METRIC: 'lots' }, 'INFEROMETER_MAX_SERIES_PER_METRIC', 'a whole number from 2 to 1000000'],
    [{ INFEROMETER_MAX_ATTRIBUTE_LENGTH: '-3' }, 'INFEROMETER_MAX_ATTRIBUTE_LENGTH', 'a whole number from 1'],
    [{ INFEROMETER_ATTRIBUTE_VALUE_CAPS: 'region:30' }, 'INFEROMETER_ATTRIBUTE_VALUE_CAPS', 'region=30,tier=5'],
    [{ INFEROMETER_ATTRIBUTE_VALUE_CAPS: 'region=2000000' }, 'INFEROMETER_ATTRIBUTE_VALUE_CAPS', 'a whole number from 1 to 1000000'],
    [{ INFEROMETER_UNBOUNDED_KEY_PATTERNS: 'order_(' }, 'INFEROMETER_UNBOUNDED_KEY_PATTERNS', `at most ${MAX_UNBOUNDED_KEY_PATTERNS} regular expressions`],
    [{ INFEROMETER_UNBOUNDED_KEY_PATTERNS: 'x'.repeat(MAX_UNBOUNDED_KEY_PATTERN_LENGTH + 1) }, 'INFEROMETER_UNBOUNDED_KEY_PATTERNS', `${MAX_UNBOUNDED_KEY_PATTERN_LENGTH} characters`],
    [{ INFEROMETER_UNBOUNDED_KEY_PATTERNS: 'a'.repeat(70_000) }, 'INFEROMETER_UNBOUNDED_KEY_PATTERNS', `${MAX_UNBOUNDED_KEY_PATTERNS_LENGTH} in all`],
  ])('refuses %j, naming the variable', (env, variable, accepted) => {
    const error = blame(() => applyGuards(env, undefined));
    expect([error.variable, error.option]).toEqual([variable, undefined]);
    expect(error.accepted).toContain(accepted);
  });

  it('refuses at start a pattern too large to compile, so instrument() never meets it', () => {
    // V8 checks syntax at `new RegExp` and reports "Regular expression too large" only on first use.
    const huge = new RegExp(`^(?:${'a'.repeat(70_000)})$`, 'i');
    expect(() => huge.test('tier')).toThrow(SyntaxError);
    const error = blame(() => applyGuards({}, { unboundedKeyPatterns: [huge] }));
    expect(error.option).toBe('guards.unboundedKeyPatterns[0]');
    expect(() => instrument(() => 1, { model: 'after-refused-patterns', attributes: { tier: () => 'gold' } })).not.toThrow();
  });

  it('refuses guard options given in code, naming the option path', () => {
    expect(blame(() => applyGuards({}, { maxSeriesPerMetric: 1 })).option).toBe('guards.maxSeriesPerMetric');
    expect(blame(() => applyGuards({}, { maxValuesPerKey: { region: 0 } })).option).toBe('guards.maxValuesPerKey.region');
    expect(blame(() => applyGuards({}, { unboundedKeyPatterns: ['order_id' as never] })).option).toBe('guards.unboundedKeyPatterns[0]');
  });

  it('refuses at start a key declared earlier that an added pattern calls unbounded', () => {
    instrument(() => 1, { model: 'orders', attributes: { order_number: (_s: unknown, args: unknown[]) => String(args[0]) } });
    const error = blame(() => applyGuards({ INFEROMETER_UNBOUNDED_KEY_PATTERNS: 'order_number' }, undefined));
    expect(error.variable).toBe('INFEROMETER_UNBOUNDED_KEY_PATTERNS');
    expect(error.message).toContain('attribute "order_number" on ml_predictions_total');
  });

  it('takes the option over the variable', () => {
    expect(() => applyGuards({ INFEROMETER_MAX_SERIES_PER_METRIC: 'x' }, { maxSeriesPerMetric: 10 })).not.toThrow();
    expect(blame(() => applyGuards({ INFEROMETER_MAX_SERIES_PER_METRIC: 'x' }, undefined)).variable).toBe('INFEROMETER_MAX_SERIES_PER_METRIC');
    expect(() => applyGuards({ INFEROMETER_MAX_SERIES_PER_METRIC: '5' }, { maxSeriesPerMetric: 10 })).not.toThrow();
  });
});
