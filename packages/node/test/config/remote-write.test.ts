import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/config/env.js';
import { resolveRemoteWriteOptions } from '../../src/config/remote-write.js';

describe('remote write configuration', () => {
  it('reads every INFEROMETER_REMOTE_WRITE_* variable', () => {
    expect(
      resolveRemoteWriteOptions({
        INFEROMETER_REMOTE_WRITE_URL: 'http://vm:8428/api/v1/write',
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
    [{}, 'OTEL_METRICS_EXPORTER=prometheusremotewrite needs INFEROMETER_REMOTE_WRITE_URL'],
    [{ INFEROMETER_REMOTE_WRITE_URL: 'vm:8428' }, 'INFEROMETER_REMOTE_WRITE_URL="vm:8428" must be an http:// or https:// URL'],
    [{ INFEROMETER_REMOTE_WRITE_URL: 'http://u:p@vm/w' }, 'INFEROMETER_REMOTE_WRITE_URL: put credentials in INFEROMETER_REMOTE_WRITE_USERNAME / INFEROMETER_REMOTE_WRITE_PASSWORD'],
    [{ INFEROMETER_REMOTE_WRITE_URL: 'http://vm/w', INFEROMETER_REMOTE_WRITE_PASSWORD: 'p' }, 'INFEROMETER_REMOTE_WRITE_PASSWORD is set without INFEROMETER_REMOTE_WRITE_USERNAME'],
    [
      { INFEROMETER_REMOTE_WRITE_URL: 'http://vm/w', INFEROMETER_REMOTE_WRITE_USERNAME: 'u', INFEROMETER_REMOTE_WRITE_BEARER_TOKEN: 't' },
      'set basic auth (INFEROMETER_REMOTE_WRITE_USERNAME / INFEROMETER_REMOTE_WRITE_PASSWORD) or a bearer token (INFEROMETER_REMOTE_WRITE_BEARER_TOKEN), not both',
    ],
    [{ INFEROMETER_REMOTE_WRITE_URL: 'http://vm/w', INFEROMETER_REMOTE_WRITE_MAX_QUEUE_SAMPLES: 'lots' }, 'INFEROMETER_REMOTE_WRITE_MAX_QUEUE_SAMPLES="lots": expected a whole number from 1 to'],
    [{ INFEROMETER_REMOTE_WRITE_URL: 'http://vm/w', INFEROMETER_REMOTE_WRITE_MAX_QUEUE_BYTES: '100' }, 'INFEROMETER_REMOTE_WRITE_MAX_QUEUE_BYTES="100": expected a whole number from 1024 to'],
    [{ INFEROMETER_REMOTE_WRITE_URL: 'http://vm/w', INFEROMETER_REMOTE_WRITE_HEADERS: 'tenant' }, 'INFEROMETER_REMOTE_WRITE_HEADERS: "tenant" is not header=value'],
  ])('fails at start on %j, naming the variable', (env, message) => {
    expect(() => resolveRemoteWriteOptions(env)).toThrow(ConfigurationError);
    expect(() => resolveRemoteWriteOptions(env)).toThrow(message);
  });
});
