/**
 * The pull endpoint under Prometheus 3's negotiation: the escaping scheme a
 * scraper asks for decides how the service's own names come out, in every
 * format, echoed in the Content-Type; the catalog's names never change; and
 * the protobuf exposition carries each counter's and histogram's start
 * (`created_timestamp`), decoded here with the official metrics.proto
 * (prometheus/client_model, vendored). Prometheus 2.42, the one available
 * here, reads neither UTF-8 names nor created timestamps: the expected lines
 * are the text format specification's own syntax
 * (https://prometheus.io/docs/instrumenting/exposition_formats/#text-format-details).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { metrics } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { instrument } from '@inferometer/core';
import { createPrometheusReader, type ScrapeLimits } from '../../src/prometheus/handler.js';
import { ENDPOINT_CATALOG } from '../../src/prometheus/names.js';
import { PROTOBUF_CONTENT_TYPE } from '../../src/prometheus/protobuf/index.js';
import { decodeExposition, type DecodedTimestamp } from '../helpers/utf8-exposition.js';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  metrics.disable();
});

const PROTOBUF_ACCEPT = 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited';

/** A service with GenAI-style instruments of its own and the catalog (instrument()), served by the handler. */
async function service(limits: ScrapeLimits = {}) {
  const { reader, handler } = createPrometheusReader(limits);
  const provider = new MeterProvider({ readers: [reader] });
  metrics.setGlobalMeterProvider(provider);
  closers.push(() => provider.shutdown());
  const meter = provider.getMeter('genai');
  const attributes = { 'gen_ai.request.model': 'gpt-4o', 'http.request.method': 'GET' };
  meter.createCounter('http.server.requests').add(2, attributes);
  meter.createHistogram('gen_ai.client.operation.duration', { advice: { explicitBucketBoundaries: [0.1, 1] } }).record(0.05, attributes);
  meter.createGauge('queue.depth').record(3, attributes);
  instrument(() => 1, { model: 'utf8', version: '1' })();
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  const scrape = async (accept?: string) => {
    const response = await fetch(base, accept === undefined ? {} : { headers: { accept } });
    return { contentType: response.headers.get('content-type'), body: Buffer.from(await response.arrayBuffer()) };
  };
  return { reader, scrape };
}

/** An exposition without the endpoint's own families, which count the scrapes themselves and so differ between two scrapes. */
function withoutEndpointFamilies(text: string): string {
  const names = ENDPOINT_CATALOG.map((metric) => metric.prometheusName.replace(/_total$/, ''));
  const own = (line: string): boolean => names.some((name) => line.startsWith(name) || line.startsWith(`# HELP ${name}`) || line.startsWith(`# TYPE ${name}`));
  return text.split('\n').filter((line) => !own(line)).join('\n');
}

const CATALOG_LINE = /\nml_predictions_total\{model_name="utf8",model_version="1",status="success"\} 1\n/;

describe('the pull endpoint under the negotiated escaping', () => {
  it('serves UTF-8 names as they are, quoted, under allow-utf-8 (text 1.0.0), and the catalog unchanged', async () => {
    const { scrape } = await service();
    const { contentType, body } = await scrape('text/plain;version=1.0.0;escaping=allow-utf-8');
    expect(contentType).toBe('text/plain; version=1.0.0; charset=utf-8; escaping=allow-utf-8');
    const text = body.toString('utf8');
    expect(text).toContain('\n# TYPE "http.server.requests_total" counter\n{"http.server.requests_total","gen_ai.request.model"="gpt-4o","http.request.method"="GET"} 2\n');
    expect(text).toContain('\n{"gen_ai.client.operation.duration_bucket","gen_ai.request.model"="gpt-4o","http.request.method"="GET",le="0.1"} 1\n');
    expect(text).toContain('\n{"gen_ai.client.operation.duration_count","gen_ai.request.model"="gpt-4o","http.request.method"="GET"} 1\n');
    expect(text).toContain('\n{"queue.depth","gen_ai.request.model"="gpt-4o","http.request.method"="GET"} 3\n');
    expect(text).toMatch(CATALOG_LINE);
  });

  it('escapes them exactly as the values and dots schemes say, and writes today\'s names without an escaping parameter', async () => {
    const { scrape } = await service();
    const values = await scrape('text/plain;version=1.0.0;escaping=values');
    expect(values.contentType).toBe('text/plain; version=1.0.0; charset=utf-8; escaping=values');
    expect(values.body.toString()).toContain('\nU__http_2e_server_2e_requests__total{U__gen__ai_2e_request_2e_model="gpt-4o",U__http_2e_request_2e_method="GET"} 2\n');
    expect(values.body.toString()).toMatch(CATALOG_LINE);
    const dots = await scrape('text/plain;version=1.0.0;escaping=dots');
    expect(dots.body.toString()).toContain('\nhttp_dot_server_dot_requests__total{gen__ai_dot_request_dot_model="gpt-4o",http_dot_request_dot_method="GET"} 2\n');
    expect(dots.body.toString()).toMatch(CATALOG_LINE);
    const plain = await scrape();
    expect(plain.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(plain.body.toString()).toContain('\nhttp_server_requests_total{gen_ai_request_model="gpt-4o",http_request_method="GET"} 2\n');
    // underscores: the same body, said so.
    const underscores = await scrape('text/plain;version=1.0.0;escaping=underscores');
    expect(underscores.contentType).toBe('text/plain; version=1.0.0; charset=utf-8; escaping=underscores');
    expect(withoutEndpointFamilies(underscores.body.toString())).toBe(withoutEndpointFamilies(plain.body.toString()));
    expect(underscores.body.toString()).toContain('\ninferometer_scrape_requests_total{code="200",format="text"} 3\n');
  });

  it('writes OpenMetrics with UTF-8 names for Prometheus 3\'s default Accept, and scrapes of different escapings at once get their own bodies', async () => {
    const { scrape } = await service();
    const prometheus3 = 'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1';
    const [om, legacy] = await Promise.all([scrape(prometheus3), scrape('application/openmetrics-text;version=1.0.0')]);
    expect(om.contentType).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=allow-utf-8');
    const text = om.body.toString();
    expect(text).toContain('\n# TYPE "http.server.requests" counter\n{"http.server.requests_total","gen_ai.request.model"="gpt-4o","http.request.method"="GET"} 2\n');
    expect(text.endsWith('# EOF\n')).toBe(true);
    expect(legacy.contentType).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    expect(legacy.body.toString()).toContain('\n# TYPE http_server_requests counter\nhttp_server_requests_total{gen_ai_request_model="gpt-4o",http_request_method="GET"} 2\n');
  });

  it('carries the same names in the protobuf exposition, as they are', async () => {
    const { scrape } = await service();
    const { contentType, body } = await scrape(`${PROTOBUF_ACCEPT};escaping=allow-utf-8`);
    expect(contentType).toBe(`${PROTOBUF_CONTENT_TYPE}; escaping=allow-utf-8`);
    const families = decodeExposition(body);
    const requests = families.find((f) => f.name === 'http.server.requests_total')!;
    expect(requests.type).toBe('COUNTER');
    expect(requests.metric[0]!.label).toEqual([
      { name: 'gen_ai.request.model', value: 'gpt-4o' },
      { name: 'http.request.method', value: 'GET' },
    ]);
    expect(families.map((f) => f.name)).toContain('ml_predictions_total');
    const values = decodeExposition((await scrape(`${PROTOBUF_ACCEPT};escaping=values`)).body);
    expect(values.map((f) => f.name)).toContain('U__http_2e_server_2e_requests__total');
  });
});

const nanos = (t: DecodedTimestamp | undefined): bigint | undefined => (t === undefined ? undefined : BigInt(t.seconds ?? 0) * 1_000_000_000n + BigInt(t.nanos ?? 0));
const hrNanos = (t: readonly [number, number]): bigint => BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]);

describe('created_timestamp in the protobuf exposition', () => {
  it('is each counter\'s and histogram\'s start, catalog and SDK instruments alike; gauges have none', async () => {
    const { reader, scrape } = await service();
    const { resourceMetrics } = await reader.collect();
    const starts = new Map<string, bigint>();
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) for (const point of metric.dataPoints) starts.set(`${metric.descriptor.name}${JSON.stringify(point.attributes)}`, hrNanos(point.startTime));
    }
    const families = decodeExposition((await scrape(PROTOBUF_ACCEPT)).body);
    const counter = families.find((f) => f.name === 'http_server_requests_total')!.metric[0]!;
    expect(nanos(counter.counter!.createdTimestamp)).toBe(starts.get('http.server.requests{"gen_ai.request.model":"gpt-4o","http.request.method":"GET"}'));
    const histogram = families.find((f) => f.name === 'gen_ai_client_operation_duration')!.metric[0]!;
    expect(nanos(histogram.histogram!.createdTimestamp)).toBe(starts.get('gen_ai.client.operation.duration{"gen_ai.request.model":"gpt-4o","http.request.method":"GET"}'));
    const catalog = families.find((f) => f.name === 'ml_predictions_total')!.metric.find((m) => m.label?.some((l) => l.value === 'utf8'))!;
    expect(nanos(catalog.counter!.createdTimestamp)).toBe(starts.get('ml_predictions{"model_name":"utf8","model_version":"1","status":"success"}'));
    // Each instrument's own start: through the OpenTelemetry API (no catalog
    // producer here) the SDK starts the latency histogram and the count at
    // their own first records, which can fall in two milliseconds.
    const latency = families.find((f) => f.name === 'ml_prediction_latency_seconds')!.metric.find((m) => m.label?.some((l) => l.value === 'utf8'))!;
    const latencyStart = starts.get('ml_prediction_latency_seconds{"model_name":"utf8","model_version":"1"}');
    expect(latencyStart).toBeGreaterThan(0n);
    expect(nanos(latency.histogram!.createdTimestamp)).toBe(latencyStart);
    const gauge = families.find((f) => f.name === 'queue_depth')!.metric[0]!;
    expect(gauge.gauge).toBeDefined();
    expect(JSON.stringify(gauge)).not.toContain('createdTimestamp');
  });

  it('is left out with createdTimestamps: false', async () => {
    const { scrape } = await service({ createdTimestamps: false });
    const body = (await scrape(PROTOBUF_ACCEPT)).body;
    const families = decodeExposition(body);
    expect(families.find((f) => f.name === 'http_server_requests_total')!.metric[0]!.counter!.value).toBe(2);
    expect(JSON.stringify(families)).not.toContain('createdTimestamp');
  });
});
