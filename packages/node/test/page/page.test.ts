/**
 * The health page at `GET /` of the pull endpoint: its option and variable,
 * its cost when nobody looks, and the attacks `/metrics` withstands (basic
 * auth, concurrency, slow readers). The page in a real browser beside the
 * demo's traffic: test/e2e/health-page.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diag, DiagLogLevel, metrics } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import bcrypt from 'bcryptjs';
import { afterEach, describe, expect, it } from 'vitest';
import { instrument } from '@inferometer/core';
import { METRIC_PREDICTION_ERRORS, METRIC_PREDICTIONS } from '@inferometer/core/catalog';
import { METRIC_DATA_DRIFT_SCORE } from '@inferometer/drift/catalog';
import { ConfigurationError } from '../../src/config/env.js';
import { createHealthPageHandler } from '../../src/page/live.js';
import { MAX_PAGE_SERIES, MAX_RING_BYTES, PAGE_SAMPLES, SeriesRing } from '../../src/page/ring.js';
import { createPrometheusReader } from '../../src/prometheus/handler.js';
import { startMetricsServer } from '../../src/prometheus/server.js';
import { start, type InferometerHandle } from '../../src/start.js';

const closers: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  metrics.disable();
});

async function started(options: Parameters<typeof start>[0]): Promise<InferometerHandle> {
  const handle = await start({ runtimeMetrics: false, ...options });
  closers.push(() => handle.shutdown());
  return handle;
}

/** Resolves once `condition` holds, polling every 10 ms; fails after `bound` ms (a bound, not a margin: the condition is expected long before). */
async function until(condition: () => boolean, bound = 20_000): Promise<void> {
  const start = performance.now();
  while (!condition()) {
    if (performance.now() - start > bound) throw new Error(`condition not met within ${bound} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('start(): the health page', () => {
  it('is served at / of the pull endpoint, and its URL is on the handle', async () => {
    const handle = await started({ prometheus: { host: '127.0.0.1', port: 0 }, env: {} });
    expect(handle.healthPageUrl).toBe(handle.metricsUrl!.replace(/metrics$/, ''));
    const predict = instrument(async (x: number) => x * 2, { model: 'doubler', version: '1' });
    await predict(1);
    const response = await fetch(handle.healthPageUrl!);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await response.text();
    expect(html).toMatch(/<tr data-key="doubler\/1\/calls_total"><th scope="row">Calls since start<\/th><td class="v" data-value="1">/);
    // Still 404 elsewhere.
    expect((await fetch(new URL('/other', handle.healthPageUrl!))).status).toBe(404);
  });

  it.each([
    [{ prometheus: { healthPage: false } }, {}],
    [{}, { INFEROMETER_PROMETHEUS_HEALTH_PAGE: 'false' }],
    [{}, { INFEROMETER_PROMETHEUS_HEALTH_PAGE: 'FALSE' }],
  ])('is turned off by %o %o: / answers 404 and the handle has no URL', async (options, env) => {
    const handle = await started({ ...options, prometheus: { host: '127.0.0.1', port: 0, ...(options as { prometheus?: object }).prometheus }, env });
    expect(handle.healthPageUrl).toBeUndefined();
    expect((await fetch(handle.metricsUrl!.replace(/metrics$/, ''))).status).toBe(404);
  });

  it('refuses a bad option or variable at start, naming it', async () => {
    const byOption: unknown = await start({ prometheus: { healthPage: 'no' as unknown as boolean }, env: {} }).then((h) => h.shutdown(), (err: unknown) => err);
    expect(byOption).toBeInstanceOf(ConfigurationError);
    expect((byOption as ConfigurationError).option).toBe('prometheus.healthPage');
    const byVariable: unknown = await start({ env: { INFEROMETER_PROMETHEUS_HEALTH_PAGE: 'off' } }).then((h) => h.shutdown(), (err: unknown) => err);
    expect(byVariable).toBeInstanceOf(ConfigurationError);
    expect((byVariable as ConfigurationError).variable).toBe('INFEROMETER_PROMETHEUS_HEALTH_PAGE');
    expect((byVariable as ConfigurationError).accepted).toBe('true, false');
  });

  it('asks for basic auth credentials like /metrics (web configuration file)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'page-auth-'));
    closers.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'web-config.yml');
    writeFileSync(file, `basic_auth_users:\n  viewer: ${bcrypt.hashSync('look-secret', 4)}\n`);
    const handle = await started({ prometheus: { host: '127.0.0.1', port: 0, webConfigFile: file }, env: {} });
    const refused = await fetch(handle.healthPageUrl!);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect(await refused.text()).not.toContain('<html');
    const wrong = await fetch(handle.healthPageUrl!, { headers: { authorization: `Basic ${Buffer.from('viewer:nope').toString('base64')}` } });
    expect(wrong.status).toBe(401);
    const allowed = await fetch(handle.healthPageUrl!, { headers: { authorization: `Basic ${Buffer.from('viewer:look-secret').toString('base64')}` } });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain('<h1>Model health</h1>');
  });
});

/** A reader attached to a provider whose drift gauge has `features` series, so the page has that many rows. */
function wideSource(features: number): ReturnType<typeof createPrometheusReader> {
  const pull = createPrometheusReader();
  const provider = new MeterProvider({ readers: [pull.reader] });
  closers.push(() => provider.shutdown());
  const gauge = provider.getMeter('test').createObservableGauge(METRIC_DATA_DRIFT_SCORE.name);
  gauge.addCallback((result) => {
    for (let i = 0; i < features; i++) result.observe(0.01, { model_name: 'wide', model_version: '1', feature: `feature_${i}`, method: 'psi' });
  });
  return pull;
}

describe('the health page: no cost when nobody looks', () => {
  it('samples nothing until opened, then every interval, and stops (history let go) once idle', async () => {
    const pull = wideSource(3);
    const page = createHealthPageHandler({ reader: pull.reader, stats: pull.stats, limits: {} }, { intervalMillis: 20, idleMillis: 200 });
    const server = await startMetricsServer(pull.handler, '127.0.0.1', 0, undefined, false, page);
    closers.push(() => server.close());
    // Scrapes of /metrics do not start it.
    for (let i = 0; i < 3; i++) await (await fetch(server.url)).text();
    expect(page.sampler.running).toBe(false);
    expect(page.sampler.samples).toBe(0);
    expect(await (await fetch(server.pageUrl!)).text()).toContain('data-key="wide/1/drift/feature_0/psi"');
    expect(page.sampler.running).toBe(true);
    await until(() => page.sampler.samples >= 3);
    await until(() => !page.sampler.running);
    expect(page.sampler.ring.length).toBe(0);
    expect(page.sampler.ring.seriesCount).toBe(0);
    const stoppedAt = page.sampler.samples;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(page.sampler.samples).toBe(stoppedAt);
  });
});

describe('the health page when the collection fails', () => {
  it('still answers, saying the collections fail, and tells diag once', async () => {
    const told: unknown[] = [];
    diag.setLogger({ error: (...args: unknown[]) => told.push(args), warn: () => undefined, info: () => undefined, debug: () => undefined, verbose: () => undefined }, DiagLogLevel.ERROR);
    closers.push(() => diag.disable());
    const stats = { refused: 0, timedOut: 0, failed: 0, cutOff: 0, droppedFamilies: 0 };
    const page = createHealthPageHandler({ reader: { collect: () => Promise.reject(new Error('a producer broke')) }, stats: () => stats, limits: {} }, { intervalMillis: 20, idleMillis: 10_000 });
    closers.push(() => page.sampler.stop());
    const pull = createPrometheusReader();
    const server = await startMetricsServer(pull.handler, '127.0.0.1', 0, undefined, false, page);
    closers.push(() => server.close());
    const first = await fetch(server.pageUrl!);
    expect(first.status).toBe(200);
    expect(await first.text()).toContain('The last collection failed');
    await until(() => page.sampler.running && page.sampler.samples === 0 && told.length === 1 && /The last \d+ collections failed/.test(page.sampler.render('x')));
    expect(told).toHaveLength(1);
  });
});

describe('the health page under the attacks /metrics withstands', () => {
  it('serves 100 concurrent requests from one collection, refusing those past maxConcurrentScrapes with 503', async () => {
    const pull = wideSource(10);
    const page = createHealthPageHandler({ reader: pull.reader, stats: pull.stats, limits: { maxConcurrentScrapes: 8 } });
    closers.push(() => page.sampler.stop());
    const server = await startMetricsServer(pull.handler, '127.0.0.1', 0, undefined, false, page);
    closers.push(() => server.close());
    const answers = await Promise.all(Array.from({ length: 100 }, async () => {
      const response = await fetch(server.pageUrl!);
      await response.arrayBuffer();
      return { status: response.status, retry: response.headers.get('retry-after') };
    }));
    const ok = answers.filter((a) => a.status === 200).length;
    const refused = answers.filter((a) => a.status === 503);
    expect(ok + refused.length).toBe(100);
    expect(ok).toBeGreaterThanOrEqual(8);
    for (const a of refused) expect(a.retry).toBe('1');
    // The first request started the sampler; every other one waited on the same sample.
    expect(page.sampler.samples).toBe(1);
  });

  it('holds no response open for readers that never read: each is finished or cut off at writeTimeoutMillis, from one rendering', async () => {
    // 2,000 rows (the SDK's cardinality limit of one metric): close to a megabyte a page.
    const pull = wideSource(2_000);
    const page = createHealthPageHandler({ reader: pull.reader, stats: pull.stats, limits: { writeTimeoutMillis: 500, maxConcurrentScrapes: 100 } });
    closers.push(() => page.sampler.stop());
    const served = await serveToIdleReaders(pull, page, 50);
    expect(served.size).toBeGreaterThan(800_000);
    // Every response done with: handed whole to the kernel, or cut off by
    // the write timeout; none left waiting on its reader.
    await until(() => served.closed >= 51);
    console.log(`50 readers that never read a ${(served.size / 1024).toFixed(0)} KiB page: ${50 - served.cutOff} handed to the kernel whole, ${served.cutOff} cut off at the write timeout`);
    // One page rendered for them all (the sample's), not one each.
    expect(page.sampler.renders).toBe(1);
  }, 60_000);
});

describe('the health page against slow readers', () => {
  it('cuts off, at writeTimeoutMillis, readers that do not take a page larger than the kernel buffers', async () => {
    // 2,000 model versions (the SDK's cardinality limit) of about fifteen
    // rows each: megabytes of page, more than the sending socket's buffer
    // (tcp_wmem, 4 MiB at most) and the window of a reader that never reads.
    const pull = createPrometheusReader();
    const provider = new MeterProvider({ readers: [pull.reader] });
    closers.push(() => provider.shutdown());
    const counter = provider.getMeter('test').createCounter(METRIC_PREDICTIONS.name);
    const errors = provider.getMeter('test').createCounter(METRIC_PREDICTION_ERRORS.name);
    // Long model names (the guard allows 128 characters) make the page twice
    // the sending socket's largest buffer, so the kernel cannot take it whole
    // (a 5.6 MiB page sometimes fit, on Node 22.15 in CI).
    const model = (i: number): string => `model_${i}_${'x'.repeat(100)}`;
    for (let i = 0; i < 2_000; i++) {
      counter.add(1, { model_name: model(i), model_version: '1', status: 'error' });
      errors.add(1, { model_name: model(i), model_version: '1', error_type: 'TimeoutError' });
    }
    const page = createHealthPageHandler({ reader: pull.reader, stats: pull.stats, limits: { writeTimeoutMillis: 1_000 } });
    closers.push(() => page.sampler.stop());
    const served = await serveToIdleReaders(pull, page, 5);
    // Twice the largest send buffer the kernel gives a socket (tcp_wmem, 4 MiB).
    expect(served.size).toBeGreaterThan(8 * 1024 * 1024);
    await until(() => served.cutOff >= 5);
    console.log(`5 readers that never read a ${(served.size / 1048576).toFixed(1)} MiB page: all cut off at the write timeout`);
  }, 60_000);
});

describe('the ring buffer', () => {
  it(`holds ${MAX_PAGE_SERIES} series of ${PAGE_SAMPLES} samples within MAX_RING_BYTES, and refuses the next series`, () => {
    const ring = new SeriesRing();
    const values = new Map<string, number>();
    // Keys as long as charted ones may be (the bound counts them at full length).
    for (let i = 0; i < MAX_PAGE_SERIES + 10; i++) values.set(`model_${String(i).padStart(4, '0')}/1.0.0/drift/${'f'.repeat(200)}/psi`, i);
    for (let t = 0; t < PAGE_SAMPLES * 2 + 7; t++) ring.push(t * 5000, values);
    expect(ring.seriesCount).toBe(MAX_PAGE_SERIES);
    expect(ring.refused).toBe(10);
    expect(ring.length).toBe(PAGE_SAMPLES);
    expect(ring.byteSize()).toBeLessThanOrEqual(MAX_RING_BYTES);
    expect(MAX_RING_BYTES).toBeLessThan(2 * 1024 * 1024);
    console.log(`ring at ${MAX_PAGE_SERIES} series x ${PAGE_SAMPLES} samples: ${ring.byteSize()} bytes (bound ${MAX_RING_BYTES})`);
    // Oldest first, the last PAGE_SAMPLES times.
    const times = ring.times();
    expect(times[0]).toBe((PAGE_SAMPLES + 7) * 5000);
    expect(times.at(-1)).toBe((PAGE_SAMPLES * 2 + 6) * 5000);
  });

  it('refuses keys longer than MAX_SERIES_KEY_LENGTH, and lets a series absent for a whole window go', () => {
    const ring = new SeriesRing(4, 10);
    ring.push(0, new Map([['a', 1], ['x'.repeat(300), 2]]));
    expect(ring.seriesCount).toBe(1);
    expect(ring.refused).toBe(1);
    for (let t = 1; t <= 8; t++) ring.push(t, new Map([['b', t]]));
    expect(ring.values('a')).toBeUndefined();
    expect(ring.values('b')).toEqual([5, 6, 7, 8]);
  });
});

/**
 * Serves `page` beside `pull`'s /metrics, counting responses closed and
 * those closed before they finished (cut off); learns the page's size from
 * one request whose body it leaves unread (reading megabytes may outlast the
 * handler's write timeout on a loaded machine); then opens `readers`
 * connections that ask for the page and never read.
 */
async function serveToIdleReaders(pull: Pick<ReturnType<typeof createPrometheusReader>, 'handler'>, page: ReturnType<typeof createHealthPageHandler>, readers: number): Promise<{ readonly size: number; readonly closed: number; readonly cutOff: number }> {
  const served = { size: 0, closed: 0, cutOff: 0 };
  const counted: typeof page = Object.assign(
    (request: Parameters<typeof page>[0], response: Parameters<typeof page>[1]) => {
      response.once('close', () => {
        served.closed++;
        if (!response.writableFinished) served.cutOff++;
      });
      page(request, response);
    },
    { sampler: page.sampler },
  );
  const server = await startMetricsServer(pull.handler, '127.0.0.1', 0, undefined, false, counted);
  closers.push(() => server.close());
  const first = await fetch(server.pageUrl!);
  served.size = Number(first.headers.get('content-length'));
  await first.body?.cancel();
  const url = new URL(server.pageUrl!);
  const sockets: Socket[] = [];
  for (let i = 0; i < readers; i++) {
    const socket = connect(Number(url.port), url.hostname);
    socket.on('error', () => undefined);
    socket.write(`GET / HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`);
    socket.pause(); // never reads
    sockets.push(socket);
  }
  closers.push(() => sockets.forEach((socket) => socket.destroy()));
  return served;
}
