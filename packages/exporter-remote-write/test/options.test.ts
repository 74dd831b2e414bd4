import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RemoteWriteExporter } from '../src/exporter.js';
import { resolveOptions } from '../src/options.js';
import { PACKAGE_NAME, VERSION } from '../src/version.js';

describe('RemoteWriteExporter options', () => {
  it.each([
    [{}, 'RemoteWriteExporter: url is required, e.g. http://localhost:9090/api/v1/write'],
    [{ url: 'not a url' }, 'RemoteWriteExporter: url "not a url" is not a URL; expected e.g. http://localhost:9090/api/v1/write'],
    [{ url: 'ftp://host/write' }, 'RemoteWriteExporter: url "ftp://host/write" must be http:// or https://'],
    [{ url: 'http://u:p@host/write' }, 'RemoteWriteExporter: put credentials in basicAuth, not in the url'],
    [{ url: 'http://h/w', bearerToken: 'a', basicAuth: { username: 'u', password: 'p' } }, 'RemoteWriteExporter: set basicAuth or bearerToken, not both'],
    [{ url: 'http://h/w', headers: { 'Content-Type': 'x' } }, 'RemoteWriteExporter: header Content-Type is set by the exporter and cannot be replaced in headers'],
    [{ url: 'http://h/w', bearerToken: 't', headers: { authorization: 'x' } }, 'RemoteWriteExporter: header authorization is set by the exporter'],
    [{ url: 'http://h/w', headers: { 'bad header': 'x' } }, 'RemoteWriteExporter: header name "bad header" is not a valid HTTP header name'],
    [{ url: 'http://h/w', maxQueueSamples: 0 }, 'RemoteWriteExporter: maxQueueSamples must be a whole number from 1 to'],
    [{ url: 'http://h/w', maxQueueBytes: 10 }, 'RemoteWriteExporter: maxQueueBytes must be a whole number from 1024 to'],
    [{ url: 'http://h/w', minBackoffMillis: 100, maxBackoffMillis: 10 }, 'RemoteWriteExporter: maxBackoffMillis (10) must not be below minBackoffMillis (100)'],
    [{ url: 'http://h/w', requestTimeoutMillis: 1.5 }, 'RemoteWriteExporter: requestTimeoutMillis must be a whole number from 1 to 2147483647; got 1.5'],
  ])('refuses %j at construction, naming the option', (options, message) => {
    expect(() => new RemoteWriteExporter(options as never)).toThrow(message);
  });

  it('fills in defaults and keeps the protocol headers', () => {
    const resolved = resolveOptions({ url: 'http://localhost:9090/api/v1/write', headers: { 'X-Scope-OrgID': 'a' } });
    expect(resolved).toMatchObject({ maxSamples: 100_000, maxBytes: 16 * 1024 * 1024, maxSamplesPerRequest: 2000, minBackoffMillis: 30, maxBackoffMillis: 5000, flushTimeoutMillis: 5000 });
    expect(resolved.headers).toEqual({
      'X-Scope-OrgID': 'a',
      'Content-Encoding': 'snappy',
      'Content-Type': 'application/x-protobuf',
      'X-Prometheus-Remote-Write-Version': '0.1.0',
      'User-Agent': `${PACKAGE_NAME}/${VERSION}`,
    });
  });

  it('reports the version package.json has', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name: string; version: string };
    expect([PACKAGE_NAME, VERSION]).toEqual([pkg.name, pkg.version]);
  });
});
