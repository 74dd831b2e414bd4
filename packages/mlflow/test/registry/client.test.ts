import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseModelUri } from '../../src/config/model-uri.js';
import { resolveConfig } from '../../src/config/resolve-config.js';
import type { MlflowModelOptions } from '../../src/config/options.js';
import { MAX_RESPONSE_BYTES, resolveModelVersion } from '../../src/registry/client.js';
import { startRegistryStandin, type Standin, type StandinOptions } from '../support/registry-standin.js';

let standin: Standin | undefined;
afterEach(async () => {
  // Every body the stand-in sent matched MLflow's message types.
  expect(standin?.schemaErrors ?? []).toEqual([]);
  await standin?.stop();
  standin = undefined;
});

async function registry(options: StandinOptions = {}): Promise<Standin> {
  standin = await startRegistryStandin(options);
  return standin;
}

const config = (s: Standin, options: MlflowModelOptions = {}) => resolveConfig({ trackingUri: s.url, env: {}, retries: 0, ...options });

describe('resolveModelVersion against the registry stand-in', () => {
  it('resolves an alias through GetModelVersionByAlias, with the run, source, aliases and stage', async () => {
    const s = await registry();
    s.createVersion('fraud', { run_id: 'a'.repeat(32), source: 's3://models/fraud/1' });
    s.createVersion('fraud', { run_id: 'b'.repeat(32), source: 's3://models/fraud/2', current_stage: 'Production' });
    s.setAlias('fraud', 'champion', '2');
    s.setAlias('fraud', 'blue', '2');
    const result = await resolveModelVersion(config(s), parseModelUri('models:/fraud@champion'));
    expect(result).toEqual({
      ok: true,
      version: { name: 'fraud', version: '2', runId: 'b'.repeat(32), source: 's3://models/fraud/2', aliases: ['champion', 'blue'], stage: 'Production', status: 'READY' },
    });
    expect(s.requests).toEqual([expect.objectContaining({ method: 'GET', path: '/api/2.0/mlflow/registered-models/alias', query: { name: 'fraud', alias: 'champion' } })]);
  });

  it('resolves a pinned version through GetModelVersion; names with spaces are encoded, a path prefix is kept', async () => {
    const s = await registry({ prefix: '/mlflow' });
    s.createVersion('fraud model');
    s.createVersion('fraud model', { run_id: 'c'.repeat(32) });
    const result = await resolveModelVersion(config(s, { trackingUri: `${s.url}/` }), parseModelUri('models:/fraud model/2'));
    expect(result).toMatchObject({ ok: true, version: { name: 'fraud model', version: '2', runId: 'c'.repeat(32), stage: 'None', aliases: [] } });
    expect(s.requests[0]).toMatchObject({ path: '/mlflow/api/2.0/mlflow/model-versions/get', query: { name: 'fraud model', version: '2' } });
  });

  it('a missing alias or model is not_found with MLflow error text, and is not retried', async () => {
    const s = await registry();
    s.createVersion('fraud');
    const missingAlias = await resolveModelVersion(config(s, { retries: 3 }), parseModelUri('models:/fraud@champion'));
    expect(missingAlias).toMatchObject({ ok: false, reason: 'not_found', status: 404, message: 'HTTP 404: RESOURCE_DOES_NOT_EXIST Registered model alias champion not found.' });
    const missingModel = await resolveModelVersion(config(s), parseModelUri('models:/nope/1'));
    expect(missingModel).toMatchObject({ ok: false, reason: 'not_found', status: 404 });
    expect(s.requests).toHaveLength(2);
  });

  it('sends Authorization: Bearer <MLFLOW_TRACKING_TOKEN>; a wrong token is unauthorized, not retried', async () => {
    const s = await registry({ token: 'tok-123' });
    s.createVersion('fraud');
    s.setAlias('fraud', 'champion', '1');
    const ok = await resolveModelVersion(resolveConfig({ env: { MLFLOW_TRACKING_URI: s.url, MLFLOW_TRACKING_TOKEN: 'tok-123' }, retries: 0 }), parseModelUri('models:/fraud@champion'));
    expect(ok).toMatchObject({ ok: true, version: { version: '1' } });
    expect(s.requests[0]!.headers.authorization).toBe('Bearer tok-123');
    const refused = await resolveModelVersion(resolveConfig({ env: { MLFLOW_TRACKING_URI: s.url, MLFLOW_TRACKING_TOKEN: 'wrong' }, retries: 3 }), parseModelUri('models:/fraud@champion'));
    expect(refused).toMatchObject({ ok: false, reason: 'unauthorized', status: 401 });
    expect(s.requests).toHaveLength(2);
  });

  it('sends Authorization: Basic base64(user:password) from MLFLOW_TRACKING_USERNAME / _PASSWORD (MLflow basic-auth app)', async () => {
    const s = await registry({ basic: { username: 'serving', password: 'pä:ss' } });
    s.createVersion('fraud');
    s.setAlias('fraud', 'champion', '1');
    const env = { MLFLOW_TRACKING_URI: s.url, MLFLOW_TRACKING_USERNAME: 'serving', MLFLOW_TRACKING_PASSWORD: 'pä:ss', MLFLOW_TRACKING_TOKEN: 'ignored-as-in-mlflow' };
    const ok = await resolveModelVersion(resolveConfig({ env, retries: 0 }), parseModelUri('models:/fraud@champion'));
    expect(ok).toMatchObject({ ok: true });
    expect(s.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('serving:pä:ss', 'utf8').toString('base64')}`);
    // Options win over the variables, as a whole.
    const viaOptions = await resolveModelVersion(resolveConfig({ env, token: 'from-options', retries: 0 }), parseModelUri('models:/fraud@champion'));
    expect(viaOptions).toMatchObject({ ok: false, reason: 'unauthorized' });
    expect(s.requests[1]!.headers.authorization).toBe('Bearer from-options');
  });

  it('retries 503 and 429 with pauses, then binds; gives up after `retries` with http_error', async () => {
    const s = await registry();
    s.createVersion('fraud');
    s.setAlias('fraud', 'champion', '1');
    let failures = 2;
    s.override = (_req, res) => {
      if (failures-- <= 0) return false;
      res.writeHead(failures === 1 ? 503 : 429, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error_code: 'TEMPORARILY_UNAVAILABLE', message: 'busy' }));
      return true;
    };
    expect(await resolveModelVersion(config(s, { retries: 2 }), parseModelUri('models:/fraud@champion'))).toMatchObject({ ok: true, version: { version: '1' } });
    expect(s.requests).toHaveLength(3);
    failures = 10;
    expect(await resolveModelVersion(config(s, { retries: 1 }), parseModelUri('models:/fraud@champion'))).toMatchObject({ ok: false, reason: 'http_error', status: 429 });
    expect(s.requests).toHaveLength(5);
  });

  it('a registry that is down is unreachable', async () => {
    const s = await registry();
    const dead = config(s);
    await s.stop();
    standin = undefined;
    expect(await resolveModelVersion(dead, parseModelUri('models:/fraud@champion'))).toMatchObject({ ok: false, reason: 'unreachable' });
  });
});

describe('hostile answers are bounded', () => {
  const hostile = async (override: Standin['override'], options: MlflowModelOptions = {}) => {
    const s = await registry();
    s.override = override;
    return resolveModelVersion(config(s, options), parseModelUri('models:/fraud@champion'));
  };
  const json = (body: unknown) => (_req: unknown, res: import('node:http').ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
    return true;
  };

  it('missing or mistyped fields: no version is invalid_response; other fields default', async () => {
    expect(await hostile(json({}))).toMatchObject({ ok: false, reason: 'invalid_response' });
    expect(await hostile(json({ model_version: { name: 'fraud' } }))).toMatchObject({ ok: false, reason: 'invalid_response' });
    expect(await hostile(json({ model_version: { version: '1; drop' } }))).toMatchObject({ ok: false, reason: 'invalid_response' });
    expect(await hostile(json({ model_version: { version: { toString: 1 } } }))).toMatchObject({ ok: false, reason: 'invalid_response' });
    expect(await hostile(json('not json'))).toMatchObject({ ok: false, reason: 'invalid_response' });
    expect(await hostile(json({ model_version: { version: 7, run_id: 42, aliases: 'champion', source: 'x'.repeat(10_000), current_stage: null } }))).toEqual({
      ok: true,
      version: { name: 'fraud', version: '7', runId: '', source: `${'x'.repeat(253)}...`, aliases: [], stage: 'None', status: '' },
    });
    expect(await hostile(json({ model_version: { version: '3', aliases: Array.from({ length: 1000 }, (_, i) => `a${i}`) } }))).toMatchObject({ ok: true, version: { aliases: expect.any(Array) } });
    const many = await hostile(json({ model_version: { version: '3', aliases: Array.from({ length: 1000 }, (_, i) => `a${i}`) } }));
    expect(many.ok && many.version.aliases.length).toBe(16);
  });

  it('a body past the cap is too_large, whether declared or streamed', async () => {
    const declared = await hostile((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(MAX_RESPONSE_BYTES + 1) });
      res.write('{"model_version":');
      return true;
    });
    expect(declared).toMatchObject({ ok: false, reason: 'too_large' });
    let written = 0;
    const streamed = await hostile((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = (): void => {
        // Bounded: stops once the client has hung up or far past the cap.
        while (!res.destroyed && written < 8 * MAX_RESPONSE_BYTES) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
      };
      res.on('close', () => (written = Infinity));
      pump();
      return true;
    });
    expect(streamed).toMatchObject({ ok: false, reason: 'too_large' });
  });

  it('a server that never answers, or drips its answer, is cut at timeoutSeconds', async () => {
    const silent = await hostile(() => true, { timeoutSeconds: 0.2 });
    expect(silent).toMatchObject({ ok: false, reason: 'timeout' });
    let timer: NodeJS.Timeout | undefined;
    const drip = await hostile(
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        timer = setInterval(() => res.write(' '), 20);
        res.on('close', () => clearInterval(timer));
        return true;
      },
      { timeoutSeconds: 0.3 },
    );
    clearInterval(timer);
    expect(drip).toMatchObject({ ok: false, reason: 'timeout' });
  });

  it('a connection cut mid-answer is unreachable; a redirect is not followed', async () => {
    const cut = await hostile((_req, res, socket) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"model_version"', () => socket.destroy());
      return true;
    });
    expect(cut).toMatchObject({ ok: false, reason: 'unreachable' });
    const redirect = await hostile((_req, res) => {
      res.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' });
      res.end();
      return true;
    });
    expect(redirect).toMatchObject({ ok: false, reason: 'http_error', status: 302 });
  });
});

describe('TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'inferometer-mlflow-tls-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  // A self-signed certificate for 127.0.0.1, made here with the system's openssl.
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const tls = { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };

  it('verifies the server: a self-signed certificate fails, unless MLFLOW_TRACKING_INSECURE_TLS or a CA bundle says otherwise', async () => {
    const s = await registry({ tls });
    s.createVersion('fraud');
    s.setAlias('fraud', 'champion', '1');
    const uri = parseModelUri('models:/fraud@champion');
    expect(await resolveModelVersion(resolveConfig({ env: { MLFLOW_TRACKING_URI: s.url }, retries: 0 }), uri)).toMatchObject({ ok: false, reason: 'unreachable' });
    expect(await resolveModelVersion(resolveConfig({ env: { MLFLOW_TRACKING_URI: s.url, MLFLOW_TRACKING_INSECURE_TLS: 'TRUE' }, retries: 0 }), uri)).toMatchObject({ ok: true });
    expect(await resolveModelVersion(resolveConfig({ env: { MLFLOW_TRACKING_URI: s.url, MLFLOW_TRACKING_SERVER_CERT_PATH: cert }, retries: 0 }), uri)).toMatchObject({ ok: true });
  });
});
