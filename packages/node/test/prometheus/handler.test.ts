import { createServer, get, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { parseStrict, sampleMap } from '@inferometer/testing';
import { diag, DiagLogLevel, metrics, ValueType } from '@opentelemetry/api';
import { emptyResource } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType, MeterProvider, type MetricData, type MetricProducer } from '@opentelemetry/sdk-metrics';
import express from 'express';
import Fastify from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { instrument, retireModelVersion } from '@inferometer/core';
import { SHARE_WINDOW_MILLIS } from '../../src/prometheus/coordinator.js';
import { createCatalogProducer, READ_ELSEWHERE, SERIES_PER_STEP } from '../../src/native/producer.js';
import { createPrometheusReader, WRITE_TURN_BYTES, writeBody } from '../../src/prometheus/handler.js';
import { serialize } from '../../src/prometheus/serializer.js';
import { ENDPOINT_CATALOG } from '../../src/prometheus/names.js';
import { parseUtf8Samples, sampleKeyOf, samplesByKey } from '../helpers/utf8-exposition.js';

/** Families of the endpoint's self-metrics. */
const SELF_METRICS = ENDPOINT_CATALOG.map((metric) => metric.prometheusName.replace(/_total$/, ''));

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  metrics.disable();
});

/** A service that already has its own MeterProvider, with our reader added. */
function serviceProvider() {
  const { reader, handler } = createPrometheusReader();
  const provider = new MeterProvider({ readers: [reader] });
  metrics.setGlobalMeterProvider(provider);
  closers.push(() => provider.shutdown());
  instrument(() => 1, { model: 'mounted', version: '3' })();
  return { provider, handler };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const expected = 'ml_predictions_total{model_name="mounted",model_version="3",status="success"} 1';

describe('createPrometheusReader: mounting /metrics on a server the service already runs', () => {
  it('node:http', async () => {
    const { handler } = serviceProvider();
    const base = await listen(
      createServer((req, res) => {
        if (req.url === '/metrics') handler(req, res);
        else res.end('model traffic');
      }),
    );
    expect(await (await fetch(`${base}/metrics`)).text()).toContain(expected);
    expect(await (await fetch(`${base}/predict`)).text()).toBe('model traffic');
  });

  it('Express', async () => {
    const { handler } = serviceProvider();
    const app = express();
    app.get('/metrics', handler);
    const base = await listen(createServer(app));
    expect(await (await fetch(`${base}/metrics`)).text()).toContain(expected);
  });

  it('Fastify', async () => {
    const { handler } = serviceProvider();
    const app = Fastify();
    app.get('/metrics', (request, reply) => {
      reply.hijack();
      handler(request.raw, reply.raw);
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    closers.push(() => app.close());
    const { port } = app.server.address() as AddressInfo;
    expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).toContain(expected);
  });

  it('answers a failed collection with 500, not a 200 that Prometheus would take as healthy', async () => {
    const { provider, handler } = serviceProvider();
    provider
      .getMeter('broken')
      .createObservableGauge('broken_gauge')
      .addCallback(() => {
        throw new Error('sensor unplugged');
      });
    const base = await listen(createServer(handler));
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(500);
    expect(await response.text()).toContain('sensor unplugged');
  });

  it('answers 500 when the reader is not attached to any MeterProvider', async () => {
    const { handler } = createPrometheusReader();
    const base = await listen(createServer(handler));
    expect((await fetch(`${base}/metrics`)).status).toBe(500);
  });

  it('refuses methods other than GET and HEAD', async () => {
    const { handler } = serviceProvider();
    const base = await listen(createServer(handler));
    const response = await fetch(`${base}/metrics`, { method: 'POST' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    const head = await fetch(`${base}/metrics`, { method: 'HEAD' });
    expect(head.status).toBe(200);
  });
});

describe('createPrometheusReader: scrapes share one collection', () => {
  it('collects once for scrapes that arrive while a collection runs, and again for a later one', async () => {
    const SCRAPES = 12;
    let collections = 0;
    // The collection runs until every scrape has reached the handler (an
    // event, not a sleep that a loaded machine may outlast before the last
    // request arrives).
    let arrived = 0;
    let allArrived!: () => void;
    const everyScrapeArrived = new Promise<void>((resolve) => (allArrived = resolve));
    const slow: MetricProducer = {
      async collect() {
        collections++;
        await everyScrapeArrived;
        return { resourceMetrics: { resource: emptyResource(), scopeMetrics: [] }, errors: [] };
      },
    };
    const { reader, handler } = createPrometheusReader({ metricProducers: [slow] });
    const provider = new MeterProvider({ readers: [reader] });
    closers.push(() => provider.shutdown());
    const base = await listen(
      createServer((request, response) => {
        handler(request, response);
        // After the handler has joined (or started) the collection: it joins synchronously.
        if (++arrived === SCRAPES) allArrived();
      }),
    );
    const statuses = await Promise.all(Array.from({ length: SCRAPES }, async (_, i) => (await fetch(`${base}/metrics`, { headers: { accept: i % 2 ? 'application/openmetrics-text;version=1.0.0' : 'text/plain' } })).status));
    expect(statuses).toEqual(new Array(SCRAPES).fill(200));
    expect(collections).toBe(1);
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
    expect(collections).toBe(2);
  });

  it('shares a collection still being sent to another scraper if it finished under 250 ms ago, and not later', async () => {
    let collections = 0;
    // Enough bytes that a reader that does not read keeps its response open
    // (about 8 MB, more than the loopback's socket buffers take); the same
    // attribute objects every time, as the SDK keeps them, so rendering is quick.
    const dataPoints = Array.from({ length: 50_000 }, (_, i) => ({ startTime: [0, 0] as [number, number], endTime: [0, 0] as [number, number], attributes: { series: `${'s'.repeat(150)}${i}` }, value: i }));
    const big: MetricProducer = {
      async collect() {
        collections++;
        return {
          resourceMetrics: {
            resource: emptyResource(),
            scopeMetrics: [{ scope: { name: 'big' }, metrics: [{ descriptor: { name: 'big', description: '', unit: '', valueType: 1 }, aggregationTemporality: 1, dataPointType: 2, dataPoints }] }],
          },
          errors: [],
        };
      },
    };
    // The stuck reader must not be cut off by the write timeout (10 s) while a loaded machine renders.
    const { reader, handler } = createPrometheusReader({ metricProducers: [big], writeTimeoutMillis: 600_000 });
    const provider = new MeterProvider({ readers: [reader] });
    closers.push(() => provider.shutdown());
    const base = await listen(createServer(handler));
    const { port } = new URL(base);
    // The coordinator dates collections with performance.now(): a clock the
    // test moves, so "under 250 ms ago" does not depend on how fast a loaded
    // machine renders 8 MB and answers the next request.
    let now = performance.now();
    const clock = vi.spyOn(performance, 'now').mockImplementation(() => now);
    closers.unshift(async () => clock.mockRestore());
    // A reader that never reads: its response stays in flight.
    const stuck = connect(Number(port), '127.0.0.1');
    // Before the server's close, which waits for its connections.
    closers.unshift(async () => void stuck.destroy());
    stuck.write('GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n');
    stuck.pause();
    await new Promise((resolve) => stuck.once('readable', resolve));
    expect(collections).toBe(1);
    const shared = await fetch(`${base}/metrics`);
    expect(shared.status).toBe(200);
    await shared.arrayBuffer();
    expect(collections).toBe(1);
    // Still within the window: shared again.
    now += SHARE_WINDOW_MILLIS - 1;
    await (await fetch(`${base}/metrics`)).arrayBuffer();
    expect(collections).toBe(1);
    // Past it (300 ms after the collection finished): a fresh collection.
    now += 300 - (SHARE_WINDOW_MILLIS - 1);
    const fresh = await fetch(`${base}/metrics`);
    await fresh.arrayBuffer();
    expect(collections).toBe(2);
    stuck.destroy();
  });

  it('refuses a scrape needing a body past maxConcurrentScrapes at once with 503 and Retry-After, and lets one sharing a body in', async () => {
    const { reader, handler, stats } = createPrometheusReader({ maxConcurrentScrapes: 2, metricProducers: [hanging()] });
    const provider = new MeterProvider({ readers: [reader] });
    closers.push(() => provider.shutdown());
    // The third scrape is sent once the two held ones have reached the handler.
    let arrived = 0;
    let bothArrived!: () => void;
    const bothHeld = new Promise<void>((resolve) => (bothArrived = resolve));
    const base = await listen(
      createServer((request, response) => {
        handler(request, response);
        if (++arrived === 2) bothArrived();
      }),
    );
    let heldAnswered = false;
    // Two bodies: the text format and OpenMetrics, of one collection.
    const timeout = { 'x-prometheus-scrape-timeout-seconds': '2' };
    const held = [
      fetch(`${base}/metrics`, { headers: { ...timeout, accept: 'text/plain;version=0.0.4' } }),
      fetch(`${base}/metrics`, { headers: { ...timeout, accept: 'application/openmetrics-text;version=1.0.0' } }),
    ];
    void Promise.allSettled(held).then(() => (heldAnswered = true));
    await bothHeld;
    // A third body (the protobuf exposition) is one too many.
    const refused = await fetch(`${base}/metrics`, { headers: { accept: 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited' } });
    // At once: answered while the two held scrapes still wait on the hung collection.
    expect(heldAnswered).toBe(false);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.text()).toMatch(/maxConcurrentScrapes/);
    expect(stats().refused).toBe(1);
    // A scrape of a body being answered joins it: the limit counts bodies, not sockets.
    const joined = fetch(`${base}/metrics`, { headers: { ...timeout, accept: 'text/plain;version=0.0.4' } });
    for (const response of await Promise.all([...held, joined])) expect(response.status).toBe(503);
    expect(stats()).toMatchObject({ refused: 1, timedOut: 3 });
  });
});

/** A producer whose collection never ends (as a service's own hung callback or a broken producer). */
function hanging(): MetricProducer {
  return { collect: () => new Promise(() => undefined) };
}

describe('createPrometheusReader: a collection that never finishes', () => {
  it("answers 503 with a message when the service's own observable callback hangs, tells diag once, and serves again once it is gone", async () => {
    const logged: string[] = [];
    const log = (message: string): void => void logged.push(message);
    diag.setLogger({ error: log, warn: log, info: () => undefined, debug: () => undefined, verbose: () => undefined }, DiagLogLevel.WARN);
    closers.push(async () => diag.disable());
    const { reader, handler, stats } = createPrometheusReader({ collectTimeoutMillis: 400 });
    const provider = new MeterProvider({ readers: [reader] });
    closers.push(() => provider.shutdown());
    const gauge = provider.getMeter('service').createObservableGauge('queue_depth');
    const hung = (): Promise<void> => new Promise(() => undefined);
    gauge.addCallback(hung);
    const base = await listen(createServer(handler));
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const response = await fetch(`${base}/metrics`);
      expect(performance.now() - t0).toBeLessThan(2_000);
      expect(response.status).toBe(503);
      expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(await response.text()).toBe('metrics collection did not finish within 0.4 s\n');
    }
    expect(stats().timedOut).toBe(3);
    expect(logged.filter((m) => m.includes('did not finish'))).toHaveLength(1);
    gauge.removeCallback(hung);
    gauge.addCallback((result) => result.observe(7));
    const healthy = await fetch(`${base}/metrics`);
    expect(healthy.status).toBe(200);
    expect(await healthy.text()).toContain('queue_depth 7');
  });

  it('honours X-Prometheus-Scrape-Timeout-Seconds less a margin over the configured timeout', async () => {
    const { reader, handler } = createPrometheusReader({ collectTimeoutMillis: 60_000, metricProducers: [hanging()] });
    const provider = new MeterProvider({ readers: [reader] });
    closers.push(() => provider.shutdown());
    const base = await listen(createServer(handler));
    const t0 = performance.now();
    const response = await fetch(`${base}/metrics`, { headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '1.5' } });
    const ms = performance.now() - t0;
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('within 1.0 s');
    // It waited the header's 1.5 s less the margin (the message says 1.0 s),
    // not the configured 60 s.
    expect(ms).toBeGreaterThanOrEqual(950);
    expect(ms).toBeLessThan(10_000);
  });

  it('starts no more collections while two hang, answering 503 at once', async () => {
    let started = 0;
    const producer: MetricProducer = {
      collect: () => {
        started++;
        return new Promise(() => undefined);
      },
    };
    const { reader, handler } = createPrometheusReader({ collectTimeoutMillis: 100, metricProducers: [producer] });
    const provider = new MeterProvider({ readers: [reader] });
    closers.push(() => provider.shutdown());
    const base = await listen(createServer(handler));
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await fetch(`${base}/metrics`)).status);
    expect(statuses).toEqual([503, 503, 503, 503, 503]);
    expect(started).toBe(2);
  });
});

describe('createPrometheusReader: content negotiation', () => {
  const PROMETHEUS_2_42_ACCEPT = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

  it('serves text 0.0.4 by default and OpenMetrics 1.0.0 to Prometheus, with the same samples, gzipped when asked', async () => {
    const { handler } = serviceProvider();
    const base = await listen(createServer(handler));
    const text = await fetch(`${base}/metrics`, { headers: { 'accept-encoding': 'identity' } });
    expect(text.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(text.headers.get('content-encoding')).toBeNull();
    expect(text.headers.get('vary')).toBe('Accept, Accept-Encoding');
    const textBody = await text.text();

    // Raw bytes (fetch would decompress silently): ask with node:http.
    const raw = await rawGet(`${base}/metrics`, { accept: PROMETHEUS_2_42_ACCEPT, 'accept-encoding': 'gzip' });
    expect(raw.headers['content-type']).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    expect(raw.headers['content-encoding']).toBe('gzip');
    expect(Number(raw.headers['content-length'])).toBe(raw.body.length);
    const om = gunzipSync(raw.body).toString('utf8');
    expect(om.endsWith('# EOF\n')).toBe(true);
    expect(om).toContain('# TYPE ml_predictions counter\n');
    expect(om).toMatch(/\nml_predictions_total\{[^}]*\} 1\n/);
    expect(om).not.toContain('_created');
    // The endpoint's own metrics move between the two scrapes (the first is counted in the second): compared apart from them.
    const model = (body: string) => sampleMap(parseStrict(body).samples.filter((sample) => !SELF_METRICS.some((name) => sample.name.startsWith(name))));
    expect(model(om)).toEqual(model(textBody));
    expect(parseStrict(om).samples.find((sample) => sample.name === 'inferometer_scrape_requests_total' && sample.labels.format === 'text')?.value).toBe(1);
  });

  it('writes _created samples when openMetricsCreated is on', async () => {
    const { reader, handler } = createPrometheusReader({ openMetricsCreated: true });
    const provider = new MeterProvider({ readers: [reader] });
    closers.push(() => provider.shutdown());
    provider.getMeter('m').createCounter('jobs').add(1);
    const base = await listen(createServer(handler));
    const om = await (await fetch(`${base}/metrics`, { headers: { accept: PROMETHEUS_2_42_ACCEPT } })).text();
    const created = /\njobs_created (\S+)\n/.exec(om);
    expect(Math.abs(Number(created?.[1]) - Date.now() / 1000)).toBeLessThan(60);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).not.toContain('_created');
  });

  it('does not gzip when gzip is off', async () => {
    const { reader, handler } = createPrometheusReader({ gzip: false });
    const provider = new MeterProvider({ readers: [reader] });
    closers.push(() => provider.shutdown());
    const base = await listen(createServer(handler));
    const raw = await rawGet(`${base}/metrics`, { 'accept-encoding': 'gzip' });
    expect(raw.headers['content-encoding']).toBeUndefined();
    expect(raw.body.toString('utf8')).toContain('target_info');
  });
});

describe('createPrometheusReader: the catalog read in steps', () => {
  const OPENMETRICS = 'application/openmetrics-text;version=1.0.0';
  const ESCAPED = 'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8';

  /**
   * A catalog producer beside the service's own instruments, with more
   * series than one step reads (SERIES_PER_STEP): the label sets of two
   * series collide in different steps (an empty value writes no label, so
   * the last step's `{a_b="x", c=""}` is written as `{a_b="x"}`, the set of
   * a series the first step wrote).
   */
  function catalogService(options: { clash?: boolean } = {}) {
    const catalog = createCatalogProducer('cumulative');
    closers.push(async () => catalog.close());
    const collect = vi.spyOn(catalog.producer, 'collect');
    const { reader, handler } = createPrometheusReader({ metricProducers: [catalog.producer] });
    const provider = new MeterProvider({ readers: [reader] });
    closers.push(() => provider.shutdown());
    const meter = provider.getMeter('service');
    meter.createCounter('requests').add(2, { route: '/predict' });
    // Same name and type as a catalog family: the two are one family, the service's points first.
    if (options.clash) meter.createCounter('ml_predictions').add(7, { model_name: 'steps', model_version: '1', shard: 's0', replica: 'r0', status: 'success' });
    const first = instrument((value: string) => value, { model: 'steps', version: '1', attributes: { a_b: (_self, [value]) => value } });
    // Two attributes of at most 50 values each: under the guard's default limit of values per attribute.
    const shards = instrument((i: number) => {
      if (i === 1) throw new Error('no');
      return i;
    }, { model: 'steps', version: '1', attributes: { shard: (_self, [i]) => `s${i % 50}`, replica: (_self, [i]) => `r${Math.floor(i / 50)}` } });
    const last = instrument((value: string) => value, { model: 'steps', version: '1', attributes: { a_b: (_self, [value]) => value, c: () => '' } });
    first('x');
    for (let i = 0; i < SERIES_PER_STEP * 2 + 10; i++) {
      try {
        shards(i);
      } catch {
        // Call 1 fails on purpose: an error series in the first step.
      }
    }
    for (let i = 0; i < 5; i++) last('x');
    return { reader, handler, collect };
  }

  /** The body one collection of the whole reader serializes to (the catalog's points with the rest). */
  async function wholeCollection(reader: ReturnType<typeof createPrometheusReader>['reader'], format: 'text' | 'openmetrics', escaping?: 'allow-utf-8') {
    return serialize((await reader.collect()).resourceMetrics, { format, ...(escaping ? { escaping } : {}) });
  }

  /** Samples apart from the endpoint's own (which move between scrapes); quoted UTF-8 names read too; a series twice throws. */
  const model = (body: string) => samplesByKey(parseUtf8Samples(body).filter((sample) => !SELF_METRICS.some((name) => sample.name.startsWith(name))));

  it('serves every sample one collection would, each series once, the first of two colliding label sets winning, in every text format, gzip or not', async () => {
    const { reader, handler, collect } = catalogService();
    const base = await listen(createServer(handler));
    for (const [accept, format, escaping] of [['text/plain', 'text'], [OPENMETRICS, 'openmetrics'], [ESCAPED, 'openmetrics', 'allow-utf-8']] as const) {
      collect.mockClear();
      const plain = (await rawGet(`${base}/metrics`, { accept, 'accept-encoding': 'identity' })).body.toString('utf8');
      // The reader's own collection got nothing of the catalog, only the scope standing where it goes: it was read in steps.
      expect(collect).toHaveBeenCalledTimes(1);
      expect((await collect.mock.results[0]!.value).resourceMetrics.scopeMetrics).toEqual([{ scope: READ_ELSEWHERE, metrics: [] }]);
      const zipped = gunzipSync((await rawGet(`${base}/metrics`, { accept, 'accept-encoding': 'gzip' })).body).toString('utf8');
      const whole = await wholeCollection(reader, format, escaping);
      expect(model(plain)).toEqual(model(whole));
      expect(model(zipped)).toEqual(model(whole));
      // Each family once (a repeated # TYPE would fail parseStrict), the catalog's after the service's.
      const types = [...plain.matchAll(/^# TYPE (\S+)/gm)].map((match) => match[1]);
      expect(new Set(types).size).toBe(types.length);
      const at = (prefix: string) => types.findIndex((name) => name!.startsWith(prefix));
      expect(at('requests')).toBeGreaterThanOrEqual(0);
      expect(at('requests')).toBeLessThan(at('ml_predictions'));
    }
    const text = parseUtf8Samples((await rawGet(`${base}/metrics`, { accept: 'text/plain' })).body.toString('utf8'));
    const value = (name: string, labels: Record<string, string>) => samplesByKey(text).get(sampleKeyOf({ name, labels: { model_name: 'steps', model_version: '1', ...labels } }));
    // {a_b="x"} (read in the first step) and {a_b="x", c=""} (in the last) write the same series: the first one's.
    expect(value('ml_predictions_total', { a_b: 'x', status: 'success' })).toBe(1);
    expect(value('ml_prediction_errors_total', { shard: 's1', replica: 'r0', error_type: 'Error' })).toBe(1);
    expect(text.filter((sample) => sample.name === 'ml_prediction_latency_seconds_count')).toHaveLength(SERIES_PER_STEP * 2 + 11);
  });

  it('serializes the catalog with the service\'s points when one of its instruments takes a catalog family\'s name, as one collection would', async () => {
    const { reader, handler } = catalogService({ clash: true });
    const base = await listen(createServer(handler));
    const text = (await rawGet(`${base}/metrics`, { accept: 'text/plain' })).body.toString('utf8');
    expect(model(text)).toEqual(model(await wholeCollection(reader, 'text')));
    // The service's point came first and stays; the catalog's series of the same label set is not written twice.
    const s0 = parseStrict(text).samples.filter((sample) => sample.name === 'ml_predictions_total' && sample.labels.shard === 's0' && sample.labels.replica === 'r0');
    expect(s0.map((sample) => sample.value)).toEqual([7]);
    expect(text.match(/^# TYPE ml_predictions_total counter/gm)).toHaveLength(1);
  });

  it('keeps the catalog where its producer stands among the producers: an earlier one keeps its family against a later producer\'s of the same name', async () => {
    const catalog = createCatalogProducer('cumulative');
    closers.push(async () => catalog.close());
    const other: MetricProducer = {
      collect: async () => ({
        resourceMetrics: {
          resource: emptyResource(),
          scopeMetrics: [
            {
              scope: { name: 'other' },
              metrics: [
                {
                  descriptor: { name: 'ml_model_info', description: '', unit: '', valueType: ValueType.DOUBLE },
                  aggregationTemporality: AggregationTemporality.CUMULATIVE,
                  dataPointType: DataPointType.SUM,
                  isMonotonic: true,
                  dataPoints: [{ startTime: [0, 0], endTime: [0, 0], attributes: {}, value: 999 }],
                } as MetricData,
              ],
            },
          ],
        },
        errors: [],
      }),
    };
    const { reader, handler } = createPrometheusReader({ metricProducers: [catalog.producer, other] });
    const provider = new MeterProvider({ readers: [reader] });
    closers.push(() => provider.shutdown());
    instrument(() => 1, { model: 'ordered', version: '1' })();
    const base = await listen(createServer(handler));
    const text = (await rawGet(`${base}/metrics`, { accept: 'text/plain' })).body.toString('utf8');
    expect(model(text)).toEqual(model(await wholeCollection(reader, 'text')));
    expect(text).toContain('# TYPE ml_model_info gauge\n');
    const samples = parseUtf8Samples(text);
    expect(samples.filter((sample) => sample.name === 'ml_model_info' && sample.labels.model_name === 'ordered').map((sample) => sample.value)).toEqual([1]);
    expect(samples.filter((sample) => sample.name === 'ml_model_info_total')).toEqual([]);
  });

  it.each([false, true])('exports a retired version once more with its points and then no more (with a clashing service instrument: %s)', async (clash) => {
    {
      const { handler } = catalogService({ clash });
      const base = await listen(createServer(handler));
      const model = `retiring_${clash}`;
      instrument(() => 1, { model, version: '1' })();
      retireModelVersion(model, '1');
      const info = async () =>
        parseUtf8Samples((await rawGet(`${base}/metrics`, { accept: 'text/plain' })).body.toString('utf8')).filter((sample) => sample.name === 'ml_model_info' && sample.labels.model_name === model);
      expect((await info()).map((sample) => sample.value)).toEqual([1]);
      expect(await info()).toEqual([]);
    }
  });

  it('leaves the catalog in every other collection of the reader made during a scrape (the health page\'s)', async () => {
    const { reader, handler } = catalogService();
    const base = await listen(createServer(handler));
    const scrape = rawGet(`${base}/metrics`, { accept: 'text/plain' });
    const [other] = await Promise.all([reader.collect(), scrape]);
    const names = other.resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics.map((metric) => metric.descriptor.name));
    expect(names).toContain('ml_predictions');
    expect((await scrape).body.toString('utf8')).toContain('ml_predictions_total{');
  });
});

function rawGet(url: string, headers: Record<string, string>): Promise<{ headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    }).on('error', reject);
  });
}

describe('writeBody: a reader that keeps up does not hold the event loop', () => {
  it('lets the event loop turn after every WRITE_TURN_BYTES, with every byte written in order', async () => {
    // A socket whose kernel buffer always has room (a fast reader on
    // loopback): every write completes at once. Without a yield the whole
    // body would be written in one turn, for every scraper.
    const received: Buffer[] = [];
    const socket = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        received.push(chunk);
        callback();
      },
    });
    const chunks = Array.from({ length: 64 }, (_, i) => Buffer.alloc(64 * 1024, i));
    let turns = 0;
    let done = false;
    const count = (): void => {
      if (done) return;
      turns++;
      setImmediate(count);
    };
    setImmediate(count);
    await writeBody(socket as never, chunks, 10_000, () => {
      throw new Error('not cut off');
    });
    done = true;
    const bytes = 64 * 64 * 1024;
    expect(turns).toBeGreaterThanOrEqual(bytes / WRITE_TURN_BYTES - 1);
    expect(Buffer.concat(received).equals(Buffer.concat(chunks))).toBe(true);
    expect(socket.writableEnded).toBe(true);
  });
});
