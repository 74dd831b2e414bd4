import { request as httpsRequest } from 'node:https';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import bcrypt from 'bcryptjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { variable } from '../../src/config/env.js';
import { createPrometheusReader } from '../../src/prometheus/handler.js';
import { startMetricsServer, type MetricsServer } from '../../src/prometheus/server.js';
import { loadWebConfig } from '../../src/prometheus/web-config/index.js';
import { makeCertificates, type TestCertificates } from '../helpers/certificates.js';

let certs: TestCertificates;
let hash: string;
beforeAll(() => {
  certs = makeCertificates();
  hash = bcrypt.hashSync('right horse', 4);
});
afterAll(() => certs.remove());

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A pull endpoint with one counter, served with the web configuration `yaml`. */
async function serve(yaml: string): Promise<MetricsServer> {
  const path = join(certs.dir, `web-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(path, yaml);
  const web = loadWebConfig(path, variable('INFEROMETER_PROMETHEUS_WEB_CONFIG_FILE'));
  const { reader, handler } = createPrometheusReader();
  const provider = new MeterProvider({ readers: [reader] });
  closers.push(() => provider.shutdown());
  provider.getMeter('t').createCounter('ml_predictions').add(3, { model_name: 'iris' });
  const server = await startMetricsServer(handler, '127.0.0.1', 0, web);
  closers.push(() => server.close());
  return server;
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** GET over HTTPS trusting the test CA, with optional credentials and client certificate. */
function get(url: string, extra: { auth?: string; cert?: string; key?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        ca: certs.read(certs.caCert),
        ...(extra.cert === undefined ? {} : { cert: certs.read(extra.cert), key: certs.read(extra.key!) }),
        ...(extra.auth === undefined ? {} : { headers: { Authorization: `Basic ${Buffer.from(extra.auth).toString('base64')}` } }),
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const TLS = `tls_server_config:\n  cert_file: ${'server.crt'}\n  key_file: server.key\n`;

describe('the pull endpoint with a web configuration file', () => {
  it('serves HTTPS; 401 with WWW-Authenticate without or with wrong credentials; the exposition with the right ones', async () => {
    const server = await serve(`${TLS}http_server_config:\n  headers:\n    X-Content-Type-Options: nosniff\nbasic_auth_users:\n  prometheus: ${hash}\n`);
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/metrics$/);

    const anonymous = await get(server.url);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toMatch(/^Basic realm="/);
    expect(anonymous.body).not.toContain('ml_predictions');
    expect(anonymous.headers['x-content-type-options']).toBe('nosniff');

    for (const auth of ['prometheus:wrong', 'someone:right horse', 'prometheus', 'prometheus:right horse ']) {
      const refused = await get(server.url, { auth });
      expect(refused.status, auth).toBe(401);
      expect(refused.body).not.toContain('ml_predictions');
    }
    const scraped = await get(server.url, { auth: 'prometheus:right horse' });
    expect(scraped.status).toBe(200);
    expect(scraped.body).toMatch(/^ml_predictions_total\{model_name="iris"[^}]*\} 3$/m);
    expect(scraped.headers['x-content-type-options']).toBe('nosniff');
    // Every path asks for credentials first, as exporter-toolkit does.
    expect((await get(server.url.replace('/metrics', '/other'))).status).toBe(401);
  });

  it('refuses plain HTTP on the HTTPS port', async () => {
    const server = await serve(TLS);
    const plain = server.url.replace('https://', 'http://');
    const outcome = await fetch(plain).then(
      (response) => response.status,
      () => 'failed',
    );
    expect(outcome === 'failed' || outcome === 400).toBe(true);
    expect((await get(server.url)).status).toBe(200);
  });

  it('RequireAndVerifyClientCert: only a client certificate signed by client_ca_file gets through', async () => {
    const server = await serve(`${TLS}  client_ca_file: ca.crt\n  client_auth_type: RequireAndVerifyClientCert\n`);
    await expect(get(server.url)).rejects.toThrow();
    await expect(get(server.url, { cert: certs.strangerCert, key: certs.strangerKey })).rejects.toThrow();
    expect((await get(server.url, { cert: certs.clientCert, key: certs.clientKey })).status).toBe(200);
  });

  it('VerifyClientCertIfGiven: no certificate passes, an untrusted one does not', async () => {
    const server = await serve(`${TLS}  client_ca_file: ca.crt\n  client_auth_type: VerifyClientCertIfGiven\n`);
    expect((await get(server.url)).status).toBe(200);
    expect((await get(server.url, { cert: certs.clientCert, key: certs.clientKey })).status).toBe(200);
    await expect(get(server.url, { cert: certs.strangerCert, key: certs.strangerKey })).rejects.toThrow();
  });

  it('RequireAnyClientCert: any certificate, but one; client_allowed_sans narrows it', async () => {
    const any = await serve(`${TLS}  client_auth_type: RequireAnyClientCert\n`);
    await expect(get(any.url)).rejects.toThrow();
    expect((await get(any.url, { cert: certs.strangerCert, key: certs.strangerKey })).status).toBe(200);
    const named = await serve(`${TLS}  client_ca_file: ca.crt\n  client_auth_type: RequireAndVerifyClientCert\n  client_allowed_sans: [prometheus]\n`);
    await expect(get(named.url, { cert: certs.clientCert, key: certs.clientKey })).rejects.toThrow();
    const scraper = await serve(`${TLS}  client_ca_file: ca.crt\n  client_auth_type: RequireAndVerifyClientCert\n  client_allowed_sans: [scraper]\n`);
    expect((await get(scraper.url, { cert: certs.clientCert, key: certs.clientKey })).status).toBe(200);
  });

  it('min_version TLS13 refuses a TLS 1.2 client', async () => {
    const server = await serve(`${TLS}  min_version: TLS13\n`);
    const tls12 = new Promise((resolve, reject) => {
      const req = httpsRequest(server.url, { ca: certs.read(certs.caCert), maxVersion: 'TLSv1.2', agent: false }, resolve);
      req.on('error', reject);
      req.end();
    });
    await expect(tls12).rejects.toThrow(/version|protocol|alert/i);
    expect((await get(server.url)).status).toBe(200);
  });
});
