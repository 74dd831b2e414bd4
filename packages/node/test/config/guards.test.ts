import { afterEach, describe, expect, it } from 'vitest';
import { GUARD_DEFAULTS, instrument } from '@inferometer/core';
import { applyGuards } from '../../src/config/guards.js';

// The guard's limits are process-wide; put them back after each test.
afterEach(() => applyGuards({}, { ...GUARD_DEFAULTS, unboundedKeyPatterns: [] }));

describe('cardinality guard configuration at start', () => {
  it.each([
    [{ INFEROMETER_MAX_ATTRIBUTE_VALUES: '0' }, 'INFEROMETER_MAX_ATTRIBUTE_VALUES="0": expected a whole number from 1 to 1000000'],
    [{ INFEROMETER_MAX_SERIES_PER_METRIC: 'lots' }, 'INFEROMETER_MAX_SERIES_PER_METRIC="lots": expected a whole number from 2 to 1000000'],
    [{ INFEROMETER_MAX_ATTRIBUTE_LENGTH: '-3' }, 'INFEROMETER_MAX_ATTRIBUTE_LENGTH="-3"'],
    [{ INFEROMETER_ATTRIBUTE_VALUE_CAPS: 'region:30' }, 'INFEROMETER_ATTRIBUTE_VALUE_CAPS="region:30": "region:30" is not key=count'],
    [{ INFEROMETER_UNBOUNDED_KEY_PATTERNS: 'order_(' }, 'INFEROMETER_UNBOUNDED_KEY_PATTERNS: "order_(" is not a regular expression'],
  ])('refuses %j, naming the variable', (env, message) => {
    expect(() => applyGuards(env, undefined)).toThrow(message);
  });

  it('refuses at start a key declared earlier that an added pattern calls unbounded', () => {
    instrument(() => 1, { model: 'orders', attributes: { order_number: (_s: unknown, args: unknown[]) => String(args[0]) } });
    expect(() => applyGuards({ INFEROMETER_UNBOUNDED_KEY_PATTERNS: 'order_number' }, undefined)).toThrow(
      'INFEROMETER_UNBOUNDED_KEY_PATTERNS: instrument(fn, options): attribute "order_number" on ml_predictions_total',
    );
  });

  it('takes the option over the variable', () => {
    expect(() => applyGuards({ INFEROMETER_MAX_SERIES_PER_METRIC: 'x' }, { maxSeriesPerMetric: 10 })).toThrow('INFEROMETER_MAX_SERIES_PER_METRIC');
    expect(() => applyGuards({ INFEROMETER_MAX_SERIES_PER_METRIC: '5' }, { maxSeriesPerMetric: 10 })).not.toThrow();
  });
});
