import { describe, expect, it } from 'vitest';
import { backoffDelay, parseRetryAfter } from '../../src/delivery/backoff.js';

describe('backoff', () => {
  it('doubles from min to max, with half of each delay random', () => {
    expect([1, 2, 3, 4, 10].map((n) => backoffDelay(n, 30, 5000, () => 1))).toEqual([30, 60, 120, 240, 5000]);
    expect([1, 2, 10].map((n) => backoffDelay(n, 30, 5000, () => 0))).toEqual([15, 30, 2500]);
    expect(backoffDelay(1000, 30, 5000, () => 1)).toBe(5000);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(' 0 ')).toBe(0);
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});
