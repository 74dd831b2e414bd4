import { describe, expect, it } from 'vitest';
import { InferometerConfigError } from '@inferometer/core';
import { resolveWindow } from '../../src/window/window.js';

describe('resolveWindow', () => {
  it('defaults to the last 1000 rows and accepts count or time windows', () => {
    expect(resolveWindow('w', undefined, 4)).toEqual({ kind: 'count', count: 1000 });
    expect(resolveWindow('w', { seconds: 300 }, 4)).toEqual({ kind: 'time', seconds: 300, slices: 10 });
    expect(resolveWindow('w', { seconds: 6, slices: 3 }, 4)).toEqual({ kind: 'time', seconds: 6, slices: 3 });
  });

  it('refuses bad windows naming the option and the accepted values', () => {
    expect(() => resolveWindow('w', { count: 5 }, 4)).toThrow('w: option "window.count" must be a whole number of rows from 10 to 1000000; got 5');
    expect(() => resolveWindow('w', { seconds: 0 }, 4)).toThrow('w: option "window.seconds" must be a number of seconds from 1 to 86400; got 0');
    expect(() => resolveWindow('w', { seconds: 10, slices: 1 }, 4)).toThrow('w: option "window.slices" must be a whole number from 2 to 120; got 1');
    expect(() => resolveWindow('w', { count: 10, seconds: 1 } as never, 4)).toThrow('w: option "window" must have either "count" or "seconds"');
    expect(() => resolveWindow('w', { count: 1_000_000 }, 100)).toThrow(
      'w: option "window.count" of 1000000 rows x 100 features is more than 16777216 cells; use fewer rows or a time window { seconds }',
    );
  });

  it('throws a configuration error carrying the option and the accepted forms (still a TypeError)', () => {
    let thrown: unknown;
    try {
      resolveWindow('w', { seconds: 10, slices: 1 }, 4);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(InferometerConfigError);
    expect(thrown).toBeInstanceOf(TypeError);
    const error = thrown as InferometerConfigError;
    expect([error.option, error.accepted, error.code]).toEqual(['window.slices', ['a whole number from 2 to 120'], 'ERR_INFEROMETER_INVALID_OPTION']);
  });
});
