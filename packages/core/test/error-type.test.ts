import { describe, expect, it } from 'vitest';
import { errorType } from '../src/error-type.js';

describe('errorType', () => {
  it('is the class name of what was thrown', () => {
    class ModelNotLoadedError extends Error {}
    expect(errorType(new ModelNotLoadedError('x'))).toBe('ModelNotLoadedError');
    expect(errorType(new TypeError('x'))).toBe('TypeError');
  });

  it('is the typeof of a thrown non-object', () => {
    expect(errorType('oops')).toBe('string');
    expect(errorType(undefined)).toBe('undefined');
    expect(errorType(42)).toBe('number');
    expect(errorType(null)).toBe('null');
  });

  it('never carries free text: odd characters replaced, length capped', () => {
    const Weird = { ['bad name with spaces and "quotes"']: class extends Error {} }['bad name with spaces and "quotes"']!;
    expect(errorType(new Weird())).toBe('bad_name_with_spaces_and__quotes_');
    const Long = { ['X'.repeat(100)]: class {} }['X'.repeat(100)]!;
    expect(errorType(new Long())).toHaveLength(64);
  });

  it('survives hostile objects', () => {
    const hostile = new Proxy({}, {
      get() {
        throw new Error('trap');
      },
      getPrototypeOf() {
        throw new Error('trap');
      },
    });
    expect(errorType(hostile)).toBe('object');
    expect(errorType(Object.create(null))).toBe('object');
  });
});
