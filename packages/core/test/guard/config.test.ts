import { afterEach, describe, expect, it } from 'vitest';
import { InferometerConfigError } from '../../src/errors.js';
import { configureGuards, guardConfig, GUARD_DEFAULTS } from '../../src/guard/config.js';
import { checkDeclaredKeys } from '../../src/guard/keys.js';
import { runtime } from '../../src/runtime.js';

// configureGuards is the public, process-wide call: these tests use the process's runtime and put its defaults back.
afterEach(() => runtime().guard.configure(GUARD_DEFAULTS));

describe('configureGuards', () => {
  it('has documented defaults', () => {
    expect(GUARD_DEFAULTS).toMatchObject({ maxValuesPerAttribute: 100, maxSeriesPerMetric: 2000, maxValueLength: 64 });
  });

  it.each([
    [{ maxValuesPerAttribute: 0 }, ['a whole number from 1 to 1000000'], 'option "maxValuesPerAttribute" must be a whole number from 1 to 1000000; got 0'],
    [{ maxSeriesPerMetric: 1 }, ['a whole number from 2 to 1000000'], 'option "maxSeriesPerMetric" must be a whole number from 2 to 1000000; got 1'],
    [{ maxValueLength: 1.5 }, ['a whole number from 1 to 1000000'], 'option "maxValueLength" must be a whole number from 1 to 1000000; got 1.5'],
    [{ maxValuesPerKey: { tier: -1 } }, ['a whole number from 1 to 1000000'], 'option "maxValuesPerKey.tier" must be a whole number'],
    [{ unboundedKeyPatterns: ['order'] }, ['an array of regular expressions'], 'option "unboundedKeyPatterns" must be an array of regular expressions'],
  ])('refuses %j, naming the option and what it accepts', (options, accepted, message) => {
    expect(() => configureGuards(options as never)).toThrow(message);
    // Code reads the blamed option, never the message.
    let thrown: unknown;
    try {
      configureGuards(options as never);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(InferometerConfigError);
    expect((thrown as InferometerConfigError).option).toBe(Object.keys(options)[0]!.replace(/^maxValuesPerKey$/, 'maxValuesPerKey.tier'));
    expect((thrown as InferometerConfigError).accepted).toEqual(accepted);
    expect(guardConfig()).toBe(GUARD_DEFAULTS);
  });

  it('checks keys declared earlier against patterns added later, and keeps the old limits if one is refused', () => {
    checkDeclaredKeys(['order_number'], 'ml_predictions_total', '@Instrument(options)');
    expect(() => configureGuards({ unboundedKeyPatterns: [/^order_number$/] })).toThrow(
      '@Instrument(options): attribute "order_number" on ml_predictions_total is unbounded by nature (it matches /^order_number$/)',
    );
    expect(guardConfig()).toBe(GUARD_DEFAULTS);
  });
});
