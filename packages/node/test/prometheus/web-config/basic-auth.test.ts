import type { IncomingMessage } from 'node:http';
import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { BasicAuth, MAX_CACHED_CREDENTIALS, MAX_PENDING_VERIFICATIONS } from '../../../src/prometheus/web-config/index.js';

const request = (credentials?: string): IncomingMessage =>
  ({ headers: credentials === undefined ? {} : { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` } }) as IncomingMessage;

describe('BasicAuth', () => {
  const hash = bcrypt.hashSync('pw', 4);

  it('pays bcrypt once for a scraper that comes back, and every time for a wrong password', async () => {
    const auth = new BasicAuth(new Map([['prometheus', hash]]));
    for (let i = 0; i < 20; i++) expect(await auth.check(request('prometheus:pw'))).toBe('ok');
    expect(auth.comparisons).toBe(1);
    for (let i = 0; i < 3; i++) expect(await auth.check(request('prometheus:nope'))).toBe('unauthorized');
    expect(auth.comparisons).toBe(4);
    // An unknown user is compared too (against a fixed hash), so it takes as long as a wrong password.
    expect(await auth.check(request('nobody:pw'))).toBe('unauthorized');
    expect(auth.comparisons).toBe(5);
    expect(await auth.check(request())).toBe('unauthorized');
    expect(await auth.check(request('no colon'))).toBe('unauthorized');
    expect(auth.comparisons).toBe(5);
  });

  it('shares one comparison among concurrent requests with the same credentials', async () => {
    const auth = new BasicAuth(new Map([['prometheus', hash]]));
    const results = await Promise.all(Array.from({ length: 10 }, () => auth.check(request('prometheus:pw'))));
    expect(results).toEqual(new Array(10).fill('ok'));
    expect(auth.comparisons).toBe(1);
  });

  it(`keeps at most ${MAX_CACHED_CREDENTIALS} verified credentials, the oldest going first`, async () => {
    const users = new Map(Array.from({ length: MAX_CACHED_CREDENTIALS + 1 }, (_, i) => [`u${i}`, hash] as const));
    const auth = new BasicAuth(users);
    for (let i = 0; i <= MAX_CACHED_CREDENTIALS; i++) expect(await auth.check(request(`u${i}:pw`))).toBe('ok');
    expect(auth.comparisons).toBe(MAX_CACHED_CREDENTIALS + 1);
    expect(await auth.check(request(`u${MAX_CACHED_CREDENTIALS}:pw`))).toBe('ok');
    expect(auth.comparisons).toBe(MAX_CACHED_CREDENTIALS + 1);
    expect(await auth.check(request('u0:pw'))).toBe('ok'); // evicted: compared again
    expect(auth.comparisons).toBe(MAX_CACHED_CREDENTIALS + 2);
  });

  it(`answers busy beyond ${MAX_PENDING_VERIFICATIONS} comparisons at once, still serving cached credentials`, async () => {
    const auth = new BasicAuth(new Map([['prometheus', hash]]));
    expect(await auth.check(request('prometheus:pw'))).toBe('ok');
    const guesses = Array.from({ length: MAX_PENDING_VERIFICATIONS + 3 }, (_, i) => auth.check(request(`prometheus:guess${i}`)));
    expect(await auth.check(request('prometheus:pw'))).toBe('ok');
    const results = await Promise.all(guesses);
    expect(results.filter((r) => r === 'busy')).toHaveLength(3);
    expect(results.filter((r) => r === 'unauthorized')).toHaveLength(MAX_PENDING_VERIFICATIONS);
  });
});
