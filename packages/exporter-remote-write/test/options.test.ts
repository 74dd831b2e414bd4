import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InferometerConfigError } from '@inferometer/core';
import { RemoteWriteExporter } from '../src/exporter.js';
import { RemoteWriteOptionsError, resolveOptions } from '../src/options.js';
import { PACKAGE_NAME, VERSION } from '../src/version.js';

describe('RemoteWriteExporter options', () => {
  it.each([
    [{}, 'url', 'is not a string'],
    [{ url: 'not a url' }, 'url', 'is not a URL'],
    [{ url: 'ftp://host/write' }, 'url', 'is not an http:// or https:// URL'],
    [{ url: 'http://u:p@host/write' }, 'url', 'carries credentials'],
    [{ url: 'http://host/\nwrite' }, 'url', 'contains a control character'],
    [{ url: 'http://h/w', bearerToken: 'a', basicAuth: { username: 'u', password: 'p' } }, 'bearerToken', 'is set together with basicAuth'],
    [{ url: 'http://h/w', headers: { 'Content-Type': 'x' } }, 'headers.Content-Type', '(header Content-Type) is set by the exporter and cannot be replaced in headers'],
    [{ url: 'http://h/w', bearerToken: 't', headers: { authorization: 'x' } }, 'headers.authorization', '(header authorization) is set by the exporter'],
    [{ url: 'http://h/w', headers: { 'bad header': 'x' } }, 'headers.bad header', '"bad header" is not a valid HTTP header name'],
    [{ url: 'http://h/w', headers: { tenant: 'a\u0001b' } }, 'headers.tenant', 'the value of header tenant contains a control character (U+0001)'],
    [{ url: 'http://h/w', bearerToken: 'tok\nen' }, 'bearerToken', 'contains a control character (U+000A)'],
    [{ url: 'http://h/w', bearerToken: '' }, 'bearerToken', 'is empty'],
    [{ url: 'http://h/w', basicAuth: { username: 'u', password: '' } }, 'basicAuth.password', 'is empty'],
    [{ url: 'http://h/w', basicAuth: { username: 'a:b', password: 'p' } }, 'basicAuth.username', 'contains a colon'],
    [{ url: 'http://h/w', maxQueueSamples: 0 }, 'maxQueueSamples', 'must be a whole number from 1 to'],
    [{ url: 'http://h/w', maxQueueBytes: 10 }, 'maxQueueBytes', 'must be a whole number from 1024 to'],
    [{ url: 'http://h/w', minBackoffMillis: 100, maxBackoffMillis: 10 }, 'maxBackoffMillis', '(10) must not be below minBackoffMillis (100)'],
    [{ url: 'http://h/w', requestTimeoutMillis: 1.5 }, 'requestTimeoutMillis', 'must be a whole number from 1 to 2147483647; got 1.5'],
  ])('refuses %j at construction, naming the option', (options, option, problem) => {
    let thrown: unknown;
    try {
      new RemoteWriteExporter(options as never);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(RemoteWriteOptionsError);
    expect(thrown).toBeInstanceOf(TypeError);
    expect(thrown).toBeInstanceOf(InferometerConfigError);
    const error = thrown as RemoteWriteOptionsError;
    expect(error.option).toBe(option);
    expect(error.accepted.length).toBeGreaterThan(0);
    expect(error.message).toContain(`RemoteWriteExporter: ${option} ${problem}`);
  });

  it('never puts a secret in the message', () => {
    expect(() => new RemoteWriteExporter({ url: 'http://h/w', bearerToken: 'sekrit\r\n' })).toThrow(RemoteWriteOptionsError);
    expect(() => new RemoteWriteExporter({ url: 'http://h/w', bearerToken: 'sekrit\r\n' })).not.toThrow(/sekrit/);
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
