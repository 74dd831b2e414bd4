import { expect } from 'vitest';
import { ConfigurationError } from '../../src/config/env.js';

/** The ConfigurationError `fn` throws (failing the test when it throws nothing or something else). */
export function blame(fn: () => unknown): ConfigurationError {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(ConfigurationError);
  return thrown as ConfigurationError;
}

/** The ConfigurationError `promise` rejects with. */
export async function blameAsync(promise: Promise<unknown>): Promise<ConfigurationError> {
  let thrown: unknown;
  try {
    await promise;
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(ConfigurationError);
  return thrown as ConfigurationError;
}
