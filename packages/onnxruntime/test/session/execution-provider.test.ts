import { describe, expect, it } from 'vitest';
import { requestedProvider } from '../../src/session/execution-provider.js';

describe('requestedProvider', () => {
  it('is the first provider requested, lower-cased, else cpu', () => {
    expect(requestedProvider(undefined)).toBe('cpu');
    expect(requestedProvider({ executionProviders: [] })).toBe('cpu');
    expect(requestedProvider({ executionProviders: ['CUDA', 'cpu'] })).toBe('cuda');
    expect(requestedProvider({ executionProviders: [{ name: 'dml' }] })).toBe('dml');
  });
});
