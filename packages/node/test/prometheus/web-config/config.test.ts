import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError, option, variable } from '../../../src/config/env.js';
import { loadWebConfig } from '../../../src/prometheus/web-config/index.js';
import { makeCertificates, type TestCertificates } from '../../helpers/certificates.js';

let certs: TestCertificates;
let hash: string;
beforeAll(() => {
  certs = makeCertificates();
  hash = bcrypt.hashSync('s3cret', 4);
});
afterAll(() => certs.remove());

let files = 0;
function file(yaml: string): string {
  const path = join(certs.dir, `web-${files++}.yml`);
  writeFileSync(path, yaml);
  return path;
}

const source = variable('INFEROMETER_PROMETHEUS_WEB_CONFIG_FILE');

function failure(path: string, from = source): ConfigurationError {
  try {
    loadWebConfig(path, from);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigurationError);
    return err as ConfigurationError;
  }
  throw new Error('loadWebConfig accepted the file');
}

describe('loadWebConfig', () => {
  it('reads TLS, mutual TLS, headers and users, with paths relative to the file', () => {
    const config = loadWebConfig(
      file(
        [
          'tls_server_config:',
          '  cert_file: server.crt',
          `  key_file: ${certs.serverKey}`,
          '  client_ca_file: ca.crt',
          '  client_auth_type: RequireAndVerifyClientCert',
          '  client_allowed_sans: [scraper]',
          '  min_version: TLS13',
          '  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]',
          '  curve_preferences: [X25519, CurveP256]',
          'http_server_config:',
          '  http2: true',
          '  headers:',
          '    X-Frame-Options: deny',
          '    Strict-Transport-Security: max-age=31536000',
          'basic_auth_users:',
          `  prometheus: ${hash}`,
        ].join('\n'),
      ),
      source,
    );
    expect(config.tls?.options).toMatchObject({ requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', ecdhCurve: 'X25519:P-256' });
    expect(config.tls?.options.ciphers).toContain('ECDHE-ECDSA-AES128-GCM-SHA256');
    expect(config.tls?.options.cert).toEqual(certs.read(certs.serverCert));
    expect(config.tls?.options.ca).toEqual(certs.read(certs.caCert));
    expect(config.tls?.allowedSans).toEqual(['scraper']);
    expect(config.headers).toEqual({ 'X-Frame-Options': 'deny', 'Strict-Transport-Security': 'max-age=31536000' });
    expect([...config.users]).toEqual([['prometheus', hash]]);
  });

  it('accepts basic auth without TLS, and an empty file', () => {
    expect(loadWebConfig(file(`basic_auth_users:\n  u: ${hash.replace('$2b$', '$2y$')}\n`), source).tls).toBeUndefined();
    expect(loadWebConfig(file(''), source).users.size).toBe(0);
  });

  it('blames the variable or the option for a file that does not exist', () => {
    const missing = failure(join(certs.dir, 'nope.yml'));
    expect(missing.variable).toBe('INFEROMETER_PROMETHEUS_WEB_CONFIG_FILE');
    expect(missing.message).toContain('no such file');
    const fromOption = failure(join(certs.dir, 'nope.yml'), option('prometheus.webConfigFile'));
    expect(fromOption.option).toBe('prometheus.webConfigFile');
    expect(fromOption.variable).toBeUndefined();
  });

  it('refuses YAML that does not parse, and duplicate keys', () => {
    expect(failure(file('tls_server_config: [unclosed')).message).toContain('is not valid YAML');
    expect(failure(file(`basic_auth_users:\n  u: ${hash}\n  u: ${hash}\n`)).message).toContain('is not valid YAML');
  });

  it.each([
    ['tls_config:\n  cert_file: x', 'tls_config'],
    ['rate_limit:\n  interval: 1s\n  burst: 5', 'rate_limit'],
    [`tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth: RequireAndVerifyClientCert`, 'tls_server_config.client_auth'],
    ['http_server_config:\n  headers:\n    X-Powered-By: me', 'http_server_config.headers.X-Powered-By'],
  ])('names an unsupported key: %s', (yaml, key) => {
    const error = failure(file(yaml));
    expect(error.related).toEqual([key]);
    expect(error.message).toContain(`${key}: is not supported`);
  });

  it.each([
    ['  client_auth_type: RequireClientCert', 'tls_server_config.client_auth_type', 'RequireAndVerifyClientCert'],
    ['  min_version: TLS10', 'tls_server_config.min_version', 'TLS12, TLS13'],
    ['  cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]', 'tls_server_config.cipher_suites', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'],
    ['  curve_preferences: [CurveP224]', 'tls_server_config.curve_preferences', 'X25519'],
    ['  client_auth_type: VerifyClientCertIfGiven', 'tls_server_config.client_ca_file', 'CA file'],
    ['  client_ca_file: ca.crt', 'tls_server_config.client_auth_type', 'RequireAndVerifyClientCert'],
    ['  client_allowed_sans: [scraper]', 'tls_server_config.client_allowed_sans', 'RequireAnyClientCert'],
  ])('names an unsupported value: %s', (line, key, accepted) => {
    const error = failure(file(`tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n${line}\n`));
    expect(error.related).toEqual([key]);
    expect(error.accepted).toContain(accepted);
  });

  it('refuses a header value exporter-toolkit refuses, and a hash that is not bcrypt (without quoting it)', () => {
    expect(failure(file('http_server_config:\n  headers:\n    X-Frame-Options: allow-from x')).related).toEqual(['http_server_config.headers.X-Frame-Options']);
    const plain = failure(file('basic_auth_users:\n  prometheus: hunter2\n'));
    expect(plain.related).toEqual(['basic_auth_users.prometheus']);
    expect(plain.message).not.toContain('hunter2');
    expect(failure(file(`basic_auth_users:\n  "a:b": ${hash}\n`)).related).toEqual(['basic_auth_users.a:b']);
  });

  it('fails at load on a certificate or key that does not load, naming the key', () => {
    const garbage = join(certs.dir, 'garbage.pem');
    writeFileSync(garbage, '-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n');
    expect(failure(file(`tls_server_config:\n  cert_file: ${garbage}\n  key_file: server.key\n`)).related).toEqual(['tls_server_config.cert_file']);
    expect(failure(file('tls_server_config:\n  cert_file: server.crt\n  key_file: garbage.pem\n')).related).toEqual(['tls_server_config.key_file']);
    // A key that is not the certificate's.
    const mismatch = failure(file('tls_server_config:\n  cert_file: server.crt\n  key_file: client.key\n'));
    expect(mismatch.related).toEqual(['tls_server_config.key_file']);
    expect(mismatch.message).toMatch(/mismatch/i);
    const unreadable = failure(file('tls_server_config:\n  cert_file: missing.crt\n  key_file: server.key\n'));
    expect(unreadable.related).toEqual(['tls_server_config.cert_file']);
    expect(failure(file('tls_server_config:\n  key_file: server.key\n')).related).toEqual(['tls_server_config.cert_file']);
    expect(failure(file('tls_server_config:\n  cert_file: server.crt\n  cert: inline\n  key_file: server.key\n')).related).toEqual(['tls_server_config.cert_file']);
  });
});
