import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferometerConfigError } from '@inferometer/core';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { MlflowModelOptions } from '../../src/config/options.js';
import { DEFAULTS, resolveConfig } from '../../src/config/resolve-config.js';

const URI = { MLFLOW_TRACKING_URI: 'http://mlflow:5000' };
const fails = (options: MlflowModelOptions): InferometerConfigError => {
  try {
    resolveConfig(options);
  } catch (err) {
    expect(err).toBeInstanceOf(InferometerConfigError);
    return err as InferometerConfigError;
  }
  throw new Error('expected a configuration error');
};

describe('resolveConfig: options, then MLflow variables', () => {
  it('reads MLFLOW_REGISTRY_URI before MLFLOW_TRACKING_URI, the option before both; keeps a path prefix', () => {
    expect(resolveConfig({ env: URI }).baseUrl).toBe('http://mlflow:5000');
    expect(resolveConfig({ env: { ...URI, MLFLOW_REGISTRY_URI: 'https://registry/mlflow/' } }).baseUrl).toBe('https://registry/mlflow');
    expect(resolveConfig({ env: { ...URI, MLFLOW_REGISTRY_URI: 'https://registry' }, trackingUri: 'http://opt:1' }).baseUrl).toBe('http://opt:1');
  });

  it('defaults: refresh 60 s, timeout 5 s, 2 retries, no auth, TLS verified', () => {
    expect(resolveConfig({ env: URI })).toMatchObject({ refreshMs: DEFAULTS.refreshSeconds * 1000, timeoutMs: 5000, retries: 2, authorization: undefined, rejectUnauthorized: true, ca: undefined });
  });

  it('token is Bearer; user and password are Basic and win over a token, as in MLflow; empty variables count as unset', () => {
    expect(resolveConfig({ env: { ...URI, MLFLOW_TRACKING_TOKEN: 't' } }).authorization).toBe('Bearer t');
    expect(resolveConfig({ env: { ...URI, MLFLOW_TRACKING_TOKEN: 't', MLFLOW_TRACKING_USERNAME: 'u', MLFLOW_TRACKING_PASSWORD: 'p' } }).authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
    expect(resolveConfig({ env: { ...URI, MLFLOW_TRACKING_TOKEN: '' } }).authorization).toBeUndefined();
    // Any auth option replaces the three variables.
    expect(resolveConfig({ env: { ...URI, MLFLOW_TRACKING_USERNAME: 'u', MLFLOW_TRACKING_PASSWORD: 'p' }, token: 'opt' }).authorization).toBe('Bearer opt');
  });

  it.each<[string, MlflowModelOptions, string, string[]?]>([
    ['no tracking URI', { env: {} }, 'MLFLOW_TRACKING_URI'],
    ['a file: store', { env: { MLFLOW_TRACKING_URI: 'file:///mlruns' } }, 'MLFLOW_TRACKING_URI'],
    ['databricks', { env: { MLFLOW_TRACKING_URI: 'databricks' } }, 'MLFLOW_TRACKING_URI'],
    ['a registry URI that is not a URL', { env: { ...URI, MLFLOW_REGISTRY_URI: 'sqlite:///db' } }, 'MLFLOW_REGISTRY_URI'],
    ['credentials in the URL', { trackingUri: 'http://u:p@mlflow', env: {} }, 'trackingUri'],
    ['a user name without password', { env: { ...URI, MLFLOW_TRACKING_USERNAME: 'u' } }, 'MLFLOW_TRACKING_PASSWORD'],
    ['a password option without user name', { env: URI, password: 'p' }, 'username'],
    ['a colon in the user name', { env: { ...URI, MLFLOW_TRACKING_USERNAME: 'a:b', MLFLOW_TRACKING_PASSWORD: 'p' } }, 'MLFLOW_TRACKING_USERNAME'],
    ['a line break in the token', { env: { ...URI, MLFLOW_TRACKING_TOKEN: 'a\r\nX-Injected: 1' } }, 'MLFLOW_TRACKING_TOKEN'],
    ['MLFLOW_TRACKING_INSECURE_TLS=yes', { env: { ...URI, MLFLOW_TRACKING_INSECURE_TLS: 'yes' } }, 'MLFLOW_TRACKING_INSECURE_TLS', ['true', 'false', '1', '0']],
    ['a missing CA file', { env: { ...URI, MLFLOW_TRACKING_SERVER_CERT_PATH: '/nonexistent/ca.pem' } }, 'MLFLOW_TRACKING_SERVER_CERT_PATH'],
    ['a client certificate', { env: { ...URI, MLFLOW_TRACKING_CLIENT_CERT_PATH: '/c.pem' } }, 'MLFLOW_TRACKING_CLIENT_CERT_PATH'],
    ['refreshSeconds 0.5', { env: URI, refreshSeconds: 0.5 }, 'refreshSeconds', ['a number from 1 to 86400']],
    ['timeoutSeconds 120', { env: URI, timeoutSeconds: 120 }, 'timeoutSeconds'],
    ['retries 1.5', { env: URI, retries: 1.5 }, 'retries', ['a whole number from 0 to 5']],
    ['an empty fallbackVersion', { env: URI, fallbackVersion: '' }, 'fallbackVersion'],
    ['onChange not a function', { env: URI, onChange: 'reload' as never }, 'onChange'],
    ['a typo', { env: URI, refreshSecond: 5 } as never, 'refreshSecond'],
  ])('%s fails, naming %s', (_what, options, option, accepted) => {
    const error = fails(options);
    expect(error.option).toBe(option);
    expect(error.accepted.length).toBeGreaterThan(0);
    if (accepted !== undefined) expect(error.accepted).toEqual(accepted);
  });

  it('suggests the near option for a typo', () => {
    const error = fails({ env: URI, refreshSecond: 5 } as never);
    expect([error.hint, error.code]).toEqual(['refreshSeconds', 'ERR_INFEROMETER_UNKNOWN_OPTION']);
    expect(error.message).toContain('did you mean "refreshSeconds"?');
  });

  it('insecure TLS and a CA bundle together fail, as in MLflow; a CA file is read once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'inferometer-mlflow-ca-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    expect(resolveConfig({ env: { ...URI, MLFLOW_TRACKING_SERVER_CERT_PATH: ca } }).ca).toContain('BEGIN CERTIFICATE');
    expect(fails({ env: { ...URI, MLFLOW_TRACKING_SERVER_CERT_PATH: ca, MLFLOW_TRACKING_INSECURE_TLS: '1' } }).option).toBe('MLFLOW_TRACKING_INSECURE_TLS');
    expect(resolveConfig({ env: { ...URI, MLFLOW_TRACKING_INSECURE_TLS: 'False' } }).rejectUnauthorized).toBe(true);
  });
});
