import { metrics } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { closestKey } from '../../src/config/options.js';
import { start } from '../../src/start.js';
import { blameAsync } from '../helpers/blame.js';

afterEach(() => metrics.disable());

describe('unknown keys in start() options', () => {
  it.each([
    [{ prometheus: { prot: 1 } }, 'prometheus.prot', 'prometheus.port'],
    [{ exportIntervalMilis: 1000 }, 'exportIntervalMilis', 'exportIntervalMillis'],
    [{ otlp: { endpont: 'http://c:4318' } }, 'otlp.endpont', 'otlp.endpoint'],
    [{ remoteWrite: { basicAuth: { user: 'u', password: 'p' } } }, 'remoteWrite.basicAuth.user', undefined],
    [{ guards: { maxSeriesPerMetrics: 5 } }, 'guards.maxSeriesPerMetrics', 'guards.maxSeriesPerMetric'],
    [{ serviceNmae: 'iris' }, 'serviceNmae', 'serviceName'],
    [{ completelyDifferent: true }, 'completelyDifferent', undefined],
  ])('%j fails at start naming the key and the closest accepted one', async (options, path, closest) => {
    const error = await blameAsync(start({ ...(options as object), env: {} }));
    expect(error.option).toBe(path);
    expect(error.variable).toBeUndefined();
    expect(error.related).toEqual(closest === undefined ? [] : [closest]);
    if (closest !== undefined) expect(error.message).toContain(`did you mean ${closest}?`);
  });

  it('refuses a nested option that is not an object', async () => {
    expect((await blameAsync(start({ prometheus: 9464 as never, env: {} }))).option).toBe('prometheus');
  });

  it('accepts free keys where they are data (headers, env, maxValuesPerKey)', async () => {
    const handle = await start({ exporters: ['none'], env: { ANYTHING: 'x' }, otlp: { headers: { 'x-any': '1' } } });
    await handle.shutdown();
  });

  it('suggests only near keys', () => {
    expect(closestKey('prot', ['host', 'port', 'server'])).toBe('port');
    expect(closestKey('xyz', ['host', 'port', 'server'])).toBeUndefined();
  });
});
