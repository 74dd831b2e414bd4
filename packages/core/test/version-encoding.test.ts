import { describe, expect, it } from 'vitest';
import { encodeVersion } from '../src/version-encoding.js';

describe('encodeVersion', () => {
  it.each([
    ['3', 3],
    ['v12', 12],
    ['1.2.3', 1_002_003],
    ['v1.2', 1_002_000],
    ['10.0.999', 10_000_999],
  ])('%s -> %d', (version, expected) => {
    expect(encodeVersion(version)).toBe(expected);
  });

  it('keeps the order of versions', () => {
    const ordered = ['0.9.9', '1.0.0', '1.0.1', '1.2.0', '1.10.0', '2.0.0'].map(encodeVersion) as number[];
    expect([...ordered].sort((a, b) => a - b)).toEqual(ordered);
  });

  it.each(['blue', '2024-05-01', '1.2.3-rc.1', '1.2.3.4', '', '1.1000.0'])('has no encoding for %j', (version) => {
    expect(encodeVersion(version)).toBeUndefined();
  });
});
