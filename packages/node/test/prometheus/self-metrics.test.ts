import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseStrict, type Sample } from '@inferometer/testing';
import { diag, metrics, ValueType } from '@opentelemetry/api';
import { emptyResource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  InstrumentType,
  MeterProvider,
  PeriodicExportingMetricReader,
  type MetricData,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics';
import bcrypt from 'bcryptjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { variable } from '../../src/config/env.js';
import { createPrometheusReader, type MetricsRequestHandler } from '../../src/prometheus/handler.js';
import {
  ENDPOINT_CATALOG,
  ERROR_CAUSES,
  METRIC_SCRAPE_COLLECT_DURATION,
  METRIC_SCRAPE_ENCODE_DURATION,
  METRIC_SCRAPE_ERRORS,
  METRIC_SCRAPE_REFUSALS,
  METRIC_SCRAPE_REQUESTS,
  REFUSAL_REASONS,
} from '../../src/prometheus/names.js';
import { startMetricsServer } from '../../src/prometheus/server.js';
import { loadWebConfig } from '../../src/prometheus/web-config/index.js';

// Each test builds its own reader and provider and registers the provider
// globally (where the endpoint records itself); afterEach unregisters it, so
// every test starts from counters at 0.
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  metrics.disable();
  vi.restoreAllMocks();
});

/** A reader on a fresh global provider, and a server that resolves `closed(n)` once n responses have closed (after the handler counted them). */
async function endpoint(options: Parameters<typeof createPrometheusReader>[0] = {}) {
  const { reader, handler, stats } = createPrometheusReader(options);
  const provider = new MeterProvider({ readers: [reader] });
  metrics.setGlobalMeterProvider(provider);
  closers.push(() => provider.shutdown());
  const tracked = track(handler);
  const server = createServer(tracked.listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  return { provider, stats, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`, ...tracked };
}

/** A count a test can wait on reaching `n`. */
function counter() {
  let count = 0;
  const waiters: { n: number; resolve: () => void }[] = [];
  return {
    add(): void {
      count++;
      for (const waiter of waiters.filter((w) => w.n <= count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    },
    reached: (n: number): Promise<void> => (count >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
  };
}

/**
 * Wraps a listener so a test can wait until `n` requests reached the handler
 * or `n` responses closed (the handler's own 'close' listener, which counts
 * the request, was registered first and ran first).
 */
function track(handler: (request: IncomingMessage, response: ServerResponse) => void) {
  const arrivals = counter();
  const closes = counter();
  const listener = (request: IncomingMessage, response: ServerResponse): void => {
    handler(request, response);
    arrivals.add();
    response.once('close', () => closes.add());
  };
  return { listener, arrived: arrivals.reached, closed: closes.reached };
}

function value(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${found.length} series`);
  return found[0]?.value;
}

async function scrape(url: string): Promise<Sample[]> {
  // Prometheus' timeout header wins over a test's short collectTimeoutMillis:
  // the reading scrape must not itself time out on a loaded machine.
  const response = await fetch(url, { headers: { 'x-prometheus-scrape-timeout-seconds': '30' } });
  expect(response.status).toBe(200);
  return parseStrict(await response.text()).samples;
}

const REQUESTS = METRIC_SCRAPE_REQUESTS.prometheusName;
const REFUSALS = METRIC_SCRAPE_REFUSALS.prometheusName;
const ERRORS = METRIC_SCRAPE_ERRORS.prometheusName;

describe("the pull endpoint's self-metrics", () => {
  it('count each failed collection once, by cause, and each 500 answer; the scrape shows the earlier scrapes, not itself', async () => {
    vi.spyOn(diag, 'error').mockImplementation(() => undefined);
    const { provider, url, closed } = await endpoint();
    let broken = true;
    provider
      .getMeter('service')
      .createObservableGauge('sensor_temperature')
      .addCallback((result) => {
        if (broken) throw new Error('sensor unplugged');
        result.observe(21);
      });
    const FAILURES = 3;
    for (let i = 0; i < FAILURES; i++) expect((await fetch(url)).status).toBe(500);
    await closed(FAILURES);
    broken = false;
    const first = await scrape(url);
    expect(value(first, ERRORS, { cause: ERROR_CAUSES.callback })).toBe(FAILURES);
    for (const cause of [ERROR_CAUSES.producer, ERROR_CAUSES.timeout, ERROR_CAUSES.encode]) expect(value(first, ERRORS, { cause }), cause).toBe(0);
    expect(value(first, REQUESTS, { format: 'text', code: '500' })).toBe(FAILURES);
    // Counted when done: this scrape is not in its own body.
    expect(value(first, REQUESTS, { format: 'text', code: '200' })).toBeUndefined();
    for (const reason of Object.values(REFUSAL_REASONS)) expect(value(first, REFUSALS, { reason }), reason).toBe(0);
    // Every collection timed, the failed ones included; the first success not yet.
    expect(value(first, `${METRIC_SCRAPE_COLLECT_DURATION.prometheusName}_count`)).toBe(FAILURES);
    await closed(FAILURES + 1);
    const second = await scrape(url);
    expect(value(second, REQUESTS, { format: 'text', code: '200' })).toBe(1);
    expect(value(second, ERRORS, { cause: ERROR_CAUSES.callback })).toBe(FAILURES);
    expect(value(second, `${METRIC_SCRAPE_COLLECT_DURATION.prometheusName}_count`)).toBe(FAILURES + 1);
    expect(value(second, `${METRIC_SCRAPE_ENCODE_DURATION.prometheusName}_count`, { format: 'text' })).toBe(1);
  });

  it('count a collection shared by concurrent scrapes once, and each of its 500 answers', async () => {
    vi.spyOn(diag, 'error').mockImplementation(() => undefined);
    const { provider, url, arrived, closed } = await endpoint();
    let release!: () => void;
    let gate = new Promise<void>((resolve) => (release = resolve));
    let broken = true;
    provider
      .getMeter('service')
      .createObservableGauge('sensor_temperature')
      .addCallback(async (result) => {
        await gate;
        if (broken) throw new Error('sensor unplugged');
        result.observe(21);
      });
    const SHARING = 3;
    const scrapes = Array.from({ length: SHARING }, () => fetch(url));
    await arrived(SHARING);
    release();
    for (const response of await Promise.all(scrapes)) {
      expect(response.status).toBe(500);
      await response.arrayBuffer();
    }
    await closed(SHARING);
    broken = false;
    gate = Promise.resolve();
    const samples = await scrape(url);
    expect(value(samples, ERRORS, { cause: ERROR_CAUSES.callback })).toBe(1);
    expect(value(samples, REQUESTS, { format: 'text', code: '500' })).toBe(SHARING);
    expect(value(samples, `${METRIC_SCRAPE_COLLECT_DURATION.prometheusName}_count`)).toBe(1);
  });

  it('count a producer that throws under cause="producer"', async () => {
    vi.spyOn(diag, 'error').mockImplementation(() => undefined);
    let broken = true;
    const producer: MetricProducer = {
      collect: async () => {
        if (broken) throw new Error('producer down');
        return { resourceMetrics: { resource: emptyResource(), scopeMetrics: [] }, errors: [] };
      },
    };
    const { url, closed } = await endpoint({ metricProducers: [producer] });
    for (let i = 0; i < 2; i++) expect((await fetch(url)).status).toBe(500);
    await closed(2);
    broken = false;
    const samples = await scrape(url);
    expect(value(samples, ERRORS, { cause: ERROR_CAUSES.producer })).toBe(2);
    expect(value(samples, ERRORS, { cause: ERROR_CAUSES.callback })).toBe(0);
  });

  it('count a body that cannot be rendered under cause="encode", once per body', async () => {
    vi.spyOn(diag, 'error').mockImplementation(() => undefined);
    let broken = true;
    // A histogram point without its buckets, as a faulty producer could hand over: the serializer throws on it.
    const malformed = {
      descriptor: { name: 'broken_histogram', description: '', unit: '', valueType: ValueType.DOUBLE, type: InstrumentType.HISTOGRAM },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.HISTOGRAM,
      dataPoints: [{ startTime: [0, 0], endTime: [1, 0], attributes: {}, value: null }],
    } as unknown as MetricData;
    const producer: MetricProducer = {
      collect: async () => ({
        resourceMetrics: { resource: emptyResource(), scopeMetrics: broken ? [{ scope: { name: 'faulty' }, metrics: [malformed] }] : [] },
        errors: [],
      }),
    };
    const { url, closed } = await endpoint({ metricProducers: [producer] });
    for (let i = 0; i < 2; i++) expect((await fetch(url)).status).toBe(500);
    await closed(2);
    broken = false;
    const samples = await scrape(url);
    expect(value(samples, ERRORS, { cause: ERROR_CAUSES.encode })).toBe(2);
    expect(value(samples, ERRORS, { cause: ERROR_CAUSES.producer })).toBe(0);
    expect(value(samples, REQUESTS, { format: 'text', code: '500' })).toBe(2);
  });

  it('count scrapes refused over maxConcurrentScrapes, and the held ones by format once answered', async () => {
    vi.spyOn(diag, 'error').mockImplementation(() => undefined);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const producer: MetricProducer = { collect: async () => (await gate, { resourceMetrics: { resource: emptyResource(), scopeMetrics: [] }, errors: [] }) };
    const { url, arrived, closed, stats } = await endpoint({ maxConcurrentScrapes: 2, metricProducers: [producer] });
    // Two bodies (the limit counts bodies, not sockets): OpenMetrics with
    // and without gzip; each refused scrape asks for a third (text).
    const openMetrics = (encoding: string) => ({ headers: { accept: 'application/openmetrics-text;version=1.0.0', 'accept-encoding': encoding } });
    const held = [fetch(url, openMetrics('gzip')), fetch(url, openMetrics('identity'))];
    await arrived(2);
    const REFUSED = 4;
    for (let i = 0; i < REFUSED; i++) {
      const response = await fetch(url);
      expect(response.status).toBe(503);
      await response.arrayBuffer();
    }
    expect(stats().refused).toBe(REFUSED);
    release();
    for (const response of await Promise.all(held)) {
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    }
    await closed(REFUSED + 2);
    const samples = await scrape(url);
    expect(value(samples, REFUSALS, { reason: REFUSAL_REASONS.concurrency })).toBe(REFUSED);
    // Negotiated before the limit is checked (a scrape joining a body being sent is let in).
    expect(value(samples, REQUESTS, { format: 'text', code: '503' })).toBe(REFUSED);
    expect(value(samples, REQUESTS, { format: 'openmetrics', code: '200' })).toBe(2);
    expect(value(samples, ERRORS, { cause: ERROR_CAUSES.timeout })).toBe(0);
  });

  it('count scrapes that time out (reason and cause "timeout", once per collection), then one refused while those collections hang', async () => {
    vi.spyOn(diag, 'error').mockImplementation(() => undefined);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let hung = 0;
    const settled = counter();
    const producer: MetricProducer = {
      collect: async () => {
        hung++;
        await gate;
        settled.add();
        return { resourceMetrics: { resource: emptyResource(), scopeMetrics: [] }, errors: [] };
      },
    };
    // The collection hangs until released: any timeout expires, however slow the machine.
    const { url, closed } = await endpoint({ collectTimeoutMillis: 50, metricProducers: [producer] });
    const TIMED_OUT = 2; // MAX_PENDING_COLLECTIONS: a third scrape is refused without a collection
    for (let i = 0; i < TIMED_OUT; i++) expect((await fetch(url)).status).toBe(503);
    expect((await fetch(url)).status).toBe(503);
    expect(hung).toBe(TIMED_OUT);
    release();
    await settled.reached(TIMED_OUT);
    await closed(TIMED_OUT + 1);
    const samples = await scrape(url);
    expect(value(samples, REFUSALS, { reason: REFUSAL_REASONS.timeout })).toBe(TIMED_OUT);
    expect(value(samples, ERRORS, { cause: ERROR_CAUSES.timeout })).toBe(TIMED_OUT);
    expect(value(samples, REFUSALS, { reason: REFUSAL_REASONS.collectionsPending })).toBe(1);
    // The refused one was negotiated before it was refused: text too.
    expect(value(samples, REQUESTS, { format: 'text', code: '503' })).toBe(TIMED_OUT + 1);
  });

  it('count methods other than GET and HEAD under reason="method"', async () => {
    const { url, closed } = await endpoint();
    for (const method of ['POST', 'PUT', 'DELETE']) expect((await fetch(url, { method })).status).toBe(405);
    await closed(3);
    const samples = await scrape(url);
    expect(value(samples, REFUSALS, { reason: REFUSAL_REASONS.method })).toBe(3);
    expect(value(samples, REQUESTS, { format: 'none', code: '405' })).toBe(3);
  });

  it('count requests with missing or wrong basic auth credentials (web configuration) under reason="unauthorized"', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inferometer-self-metrics-'));
    closers.push(async () => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'web.yml');
    writeFileSync(path, `basic_auth_users:\n  prometheus: ${bcrypt.hashSync('right horse', 4)}\n`);
    const web = loadWebConfig(path, variable('INFEROMETER_PROMETHEUS_WEB_CONFIG_FILE'));
    const { reader, handler } = createPrometheusReader();
    const provider = new MeterProvider({ readers: [reader] });
    metrics.setGlobalMeterProvider(provider);
    closers.push(() => provider.shutdown());
    const server = await startMetricsServer(handler, '127.0.0.1', 0, web);
    closers.push(() => server.close());
    const auth = (credentials: string) => ({ headers: { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` } });
    const WRONG = ['prometheus:wrong horse', 'someone:right horse', 'prometheus:'];
    expect((await fetch(server.url)).status).toBe(401);
    for (const credentials of WRONG) {
      const response = await fetch(server.url, auth(credentials));
      expect(response.status).toBe(401);
      await response.arrayBuffer();
    }
    // Each 401 was written, and its 'close' (which counts it) emitted, before
    // its client could read it, so before this request was sent.
    const first = await fetch(server.url, auth('prometheus:right horse'));
    expect(first.status).toBe(200);
    const samples = parseStrict(await first.text()).samples;
    expect(value(samples, REFUSALS, { reason: REFUSAL_REASONS.unauthorized })).toBe(WRONG.length + 1);
    expect(value(samples, REQUESTS, { format: 'none', code: '401' })).toBe(WRONG.length + 1);
    expect(value(samples, REFUSALS, { reason: REFUSAL_REASONS.authBusy })).toBe(0);
  });

  it('reach the other readers of the provider too (an OTLP exporter beside the endpoint)', async () => {
    const { reader, handler } = createPrometheusReader();
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const push = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const provider = new MeterProvider({ readers: [reader, push] });
    metrics.setGlobalMeterProvider(provider);
    closers.push(() => provider.shutdown());
    const { listener, closed } = track(handler as MetricsRequestHandler);
    const server = createServer(listener);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => server.close(resolve)));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
    await (await fetch(url)).arrayBuffer();
    expect((await fetch(url, { method: 'POST' })).status).toBe(405);
    await closed(2);
    await push.forceFlush();
    const exported = exporter.getMetrics().at(-1)!.scopeMetrics.flatMap((scope) => scope.metrics);
    const requests = exported.find((m) => m.descriptor.name === METRIC_SCRAPE_REQUESTS.name)!;
    const byKey = new Map(requests.dataPoints.map((p) => [`${String(p.attributes.format)} ${String(p.attributes.code)}`, p.value]));
    expect(byKey).toEqual(new Map([['text 200', 1], ['none 405', 1]]));
    for (const definition of ENDPOINT_CATALOG) expect(exported.some((m) => m.descriptor.name === definition.name), definition.name).toBe(true);
  });
});
