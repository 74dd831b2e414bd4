import { describe, expect, it } from 'vitest';
import { blame } from '../helpers/blame.js';
import { resolveRemoteWriteOptions } from '../../src/config/remote-write.js';

describe('remote write configuration', () => {
  it('reads every INFEROMETER_REMOTE_WRITE_* variable', () => {
    expect(
      resolveRemoteWriteOptions({
        INFEROMETER_REMOTE_WRITE_URL: 'http://vm:8428/api/v1/write',
        INFEROMETER_REMOTE_WRITE_PROTOCOL: '2.0',
        INFEROMETER_REMOTE_WRITE_USERNAME: 'tenant',
        INFEROMETER_REMOTE_WRITE_PASSWORD: 's3cret',
        INFEROMETER_REMOTE_WRITE_HEADERS: 'X-Scope-OrgID=ml',
        INFEROMETER_REMOTE_WRITE_MAX_QUEUE_SAMPLES: '5000',
        INFEROMETER_REMOTE_WRITE_MAX_QUEUE_BYTES: '1048576',
        INFEROMETER_REMOTE_WRITE_MAX_SAMPLES_PER_REQUEST: '500',
        INFEROMETER_REMOTE_WRITE_TIMEOUT: '10000',
        INFEROMETER_REMOTE_WRITE_MIN_BACKOFF: '100',
        INFEROMETER_REMOTE_WRITE_MAX_BACKOFF: '2000',
        INFEROMETER_REMOTE_WRITE_FLUSH_TIMEOUT: '3000',
      }),
    ).toEqual({
      url: 'http://vm:8428/api/v1/write',
      protocol: '2.0',
      basicAuth: { username: 'tenant', password: 's3cret' },
      headers: { 'X-Scope-OrgID': 'ml' },
      maxQueueSamples: 5000,
      maxQueueBytes: 1048576,
      maxSamplesPerRequest: 500,
      requestTimeoutMillis: 10000,
      minBackoffMillis: 100,
      maxBackoffMillis: 2000,
      flushTimeoutMillis: 3000,
    });
    expect(resolveRemoteWriteOptions({ INFEROMETER_REMOTE_WRITE_URL: 'https://mimir/api/v1/push', INFEROMETER_REMOTE_WRITE_BEARER_TOKEN: 't' })).toEqual({
      url: 'https://mimir/api/v1/push',
      bearerToken: 't',
    });
  });

  it('takes options in code over variables', () => {
    expect(
      resolveRemoteWriteOptions({ INFEROMETER_REMOTE_WRITE_URL: 'http://env/w', INFEROMETER_REMOTE_WRITE_MAX_QUEUE_SAMPLES: '5' }, { url: 'http://code/w', maxQueueSamples: 7 }),
    ).toMatchObject({ url: 'http://code/w', maxQueueSamples: 7 });
  });

  it.each([
    [{}, 'INFEROMETER_REMOTE_WRITE_URL'],
    [{ INFEROMETER_REMOTE_WRITE_URL: 'vm:8428' }, 'INFEROMETER_REMOTE_WRITE_URL'],
    [{ INFEROMETER_REMOTE_WRITE_URL: 'http://u:p@vm/w' }, 'INFEROMETER_REMOTE_WRITE_URL'],
    [{ INFEROMETER_REMOTE_WRITE_URL: 'http://vm/w', INFEROMETER_REMOTE_WRITE_PASSWORD: 'p' }, 'INFEROMETER_REMOTE_WRITE_PASSWORD'],
    [{ INFEROMETER_REMOTE_WRITE_URL: 'http://vm/w', INFEROMETER_REMOTE_WRITE_USERNAME: 'u' }, 'INFEROMETER_REMOTE_WRITE_USERNAME'],
    [{ INFEROMETER_REMOTE_WRITE_URL: 'http://vm/w', INFEROMETER_REMOTE_WRITE_USERNAME: 'u', INFEROMETER_REMOTE_WRITE_PASSWORD: 'p', INFEROMETER_REMOTE_WRITE_BEARER_TOKEN: 't' }, 'INFEROMETER_REMOTE_WRITE_BEARER_TOKEN'],
    [{ INFEROMETER_REMOTE_WRITE_URL: 'http://vm/w', INFEROMETER_REMOTE_WRITE_BEARER_TOKEN: 'a\nb' }, 'INFEROMETER_REMOTE_WRITE_BEARER_TOKEN'],
    [{ INFEROMETER_REMOTE_WRITE_URL: 'http://vm/w', INFEROMETER_REMOTE_WRITE_MAX_QUEUE_SAMPLES: 'lots' }, 'INFEROMETER_REMOTE_WRITE_MAX_QUEUE_SAMPLES'],
    [{ INFEROMETER_REMOTE_WRITE_URL: 'http://vm/w', INFEROMETER_REMOTE_WRITE_MAX_QUEUE_BYTES: '100' }, 'INFEROMETER_REMOTE_WRITE_MAX_QUEUE_BYTES'],
    [{ INFEROMETER_REMOTE_WRITE_URL: 'http://vm/w', INFEROMETER_REMOTE_WRITE_HEADERS: 'tenant' }, 'INFEROMETER_REMOTE_WRITE_HEADERS'],
  ])('fails at start on %j, naming the variable', (env, variable) => {
    const error = blame(() => resolveRemoteWriteOptions(env));
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(variable);
  });

  it.each(['2', 'v2', '3.0', 'prw2'])('refuses INFEROMETER_REMOTE_WRITE_PROTOCOL=%s, listing the accepted versions', (value) => {
    const error = blame(() => resolveRemoteWriteOptions({ INFEROMETER_REMOTE_WRITE_URL: 'http://vm/w', INFEROMETER_REMOTE_WRITE_PROTOCOL: value }));
    expect(error.variable).toBe('INFEROMETER_REMOTE_WRITE_PROTOCOL');
    expect(error.accepted).toBe('1.0, 2.0');
    expect(error.message).toContain('1.0, 2.0');
  });

  it('takes remoteWrite.protocol over INFEROMETER_REMOTE_WRITE_PROTOCOL, and blames the option for a bad one', () => {
    expect(resolveRemoteWriteOptions({ INFEROMETER_REMOTE_WRITE_URL: 'http://vm/w', INFEROMETER_REMOTE_WRITE_PROTOCOL: '2.0' }, { protocol: '1.0' })).toMatchObject({ protocol: '1.0' });
    expect(resolveRemoteWriteOptions({ INFEROMETER_REMOTE_WRITE_URL: 'http://vm/w' })).not.toHaveProperty('protocol');
    const error = blame(() => resolveRemoteWriteOptions({ INFEROMETER_REMOTE_WRITE_URL: 'http://vm/w' }, { protocol: '2' as '2.0' }));
    expect([error.variable, error.option]).toEqual([undefined, 'remoteWrite.protocol']);
  });

  it('blames the option, not the variable, for a value given in code', () => {
    const error = blame(() => resolveRemoteWriteOptions({ INFEROMETER_REMOTE_WRITE_URL: 'http://vm/w' }, { bearerToken: 'a\rb' }));
    expect([error.variable, error.option]).toEqual([undefined, 'remoteWrite.bearerToken']);
  });
});
