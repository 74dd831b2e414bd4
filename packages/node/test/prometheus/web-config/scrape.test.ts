import { createServer, type Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { metrics } from '@opentelemetry/api';
import { startPrometheusWithConfig } from '@inferometer/testing';
import bcrypt from 'bcryptjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../../src/config/env.js';
import { start, type InferometerHandle } from '../../../src/start.js';
import { makeCertificates, type TestCertificates } from '../../helpers/certificates.js';

let certs: TestCertificates;
let webConfig: string;
beforeAll(() => {
  certs = makeCertificates();
  webConfig = join(certs.dir, 'web-config.yml');
  writeFileSync(
    webConfig,
    `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\nbasic_auth_users:\n  prometheus: ${bcrypt.hashSync('scrape-secret', 10)}\n`,
  );
});
afterAll(() => certs.remove());

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  metrics.disable();
});

async function started(options: Parameters<typeof start>[0]): Promise<InferometerHandle> {
  const handle = await start({ runtimeMetrics: false, ...options });
  closers.push(() => handle.shutdown());
  return handle;
}

describe('start() with a web configuration file', () => {
  it('a real Prometheus scrapes over HTTPS with basic auth: up 1 and the exact count; a wrong password: up 0', async () => {
    const handle = await started({ env: { INFEROMETER_PROMETHEUS_WEB_CONFIG_FILE: webConfig }, prometheus: { host: '127.0.0.1', port: 0 } });
    expect(handle.metricsUrl).toMatch(/^https:\/\//);
    const counter = handle.meterProvider.getMeter('e2e').createCounter('ml_secure_predictions');
    counter.add(7, { model_name: 'iris' });
    const target = new URL(handle.metricsUrl!).host;
    const job = (name: string, password: string): string =>
      [
        `  - job_name: ${name}`,
        '    scheme: https',
        '    tls_config:',
        `      ca_file: ${certs.caCert}`,
        '    basic_auth:',
        '      username: prometheus',
        `      password: ${password}`,
        '    static_configs:',
        `      - targets: ['${target}']`,
      ].join('\n');
    const prometheus = await startPrometheusWithConfig(
      ['global:', '  scrape_interval: 1s', 'scrape_configs:', job('secure', 'scrape-secret'), job('wrong', 'not-the-secret'), ''].join('\n'),
    );
    closers.push(() => prometheus.stop());
    expect(await prometheus.waitFor('up{job="secure"}', (value) => value === 1, 20_000)).toBe(1);
    expect(await prometheus.waitFor('up{job="wrong"}', (value) => value === 0, 20_000)).toBe(0);
    expect(await prometheus.waitFor('sum(ml_secure_predictions_total{job="secure",model_name="iris"})', (value) => value === 7, 10_000)).toBe(7);
    expect(await prometheus.query('ml_secure_predictions_total{job="wrong"}')).toHaveLength(0);
  }, 60_000);

  it('the option wins over the variable; a bad file fails start naming where it came from and the key', async () => {
    const bad = join(certs.dir, 'bad.yml');
    writeFileSync(bad, 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: Always\n');
    const fromVariable = start({ env: { INFEROMETER_PROMETHEUS_WEB_CONFIG_FILE: bad } });
    await expect(fromVariable).rejects.toBeInstanceOf(ConfigurationError);
    await expect(fromVariable).rejects.toMatchObject({ variable: 'INFEROMETER_PROMETHEUS_WEB_CONFIG_FILE', related: ['tls_server_config.client_auth_type'] });
    await expect(start({ env: { INFEROMETER_PROMETHEUS_WEB_CONFIG_FILE: webConfig }, prometheus: { webConfigFile: bad } })).rejects.toMatchObject({
      option: 'prometheus.webConfigFile',
    });
    await expect(start({ prometheus: { webConfigFile: join(certs.dir, 'absent.yml') } })).rejects.toMatchObject({ option: 'prometheus.webConfigFile' });
    // It secures the endpoint's own server: with none, it would silently not apply.
    await expect(start({ prometheus: { server: false, webConfigFile: webConfig } })).rejects.toMatchObject({ option: 'prometheus.webConfigFile', related: ['prometheus.server'] });
    // The global provider was never registered by the failed starts.
    const handle = await started({ prometheus: { port: 0, webConfigFile: webConfig } });
    expect(handle.metricsUrl).toMatch(/^https:\/\//);
  });

  it("leaves the handler mounted on the service's own server alone: their server, their TLS and auth", async () => {
    const handle = await started({ prometheus: { port: 0, webConfigFile: webConfig } });
    handle.meterProvider.getMeter('own').createCounter('ml_own_predictions').add(2);
    const own: Server = createServer((request, response) => handle.metricsHandler(request, response));
    await new Promise<void>((resolve) => own.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => own.close(resolve)));
    const response = await fetch(`http://127.0.0.1:${(own.address() as AddressInfo).port}/metrics`);
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/^ml_own_predictions_total(\{[^}]*\})? 2$/m);
  });
});
