/**
 * The exposition is valid whatever the service names its instruments:
 * arbitrary names, units, descriptions and attributes go through the
 * serializer in both formats, into `promtool check metrics` (text) and into a
 * real Prometheus scraping both formats (up == 1, every sample stored).
 */
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseStrict, requireBinary, sampleMap, startPrometheus, type PrometheusServer } from '@inferometer/testing';
import { diag, ValueType, type Attributes } from '@opentelemetry/api';
import { emptyResource, resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType, MeterProvider, type MetricData, type MetricProducer, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ESCAPING_SCHEMES, isLegacyLabelName, isLegacyMetricName } from '@inferometer/core/prometheus';
import { createPrometheusReader } from '../../src/prometheus/handler.js';
import { encodeProtobufExposition } from '../../src/prometheus/protobuf/index.js';
import { serialize } from '../../src/prometheus/serializer.js';
import { parseUtf8Samples, protobufSamples, samplesByKey, unescapeSample } from '../helpers/utf8-exposition.js';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});
// Dropped families and exponential histograms are told to diag; not the subject here.
beforeAll(() => diag.disable());

/** Characters that have broken expositions: separators, quotes, escapes, newlines, non-ASCII. */
const awkward = fc.constantFrom('a', 'b', 'z', '_', '.', '-', '/', ':', '0', '9', ' ', '\n', '\r', '\t', '\\', '"', '{', '}', '=', ',', '#', 'ü', '€', '\u0000', '😀');
const text = (max: number) => fc.array(awkward, { maxLength: max }).map((chars) => chars.join(''));
// Not `up` or `scrape_*`: Prometheus writes those series itself beside the target's.
const names = fc.oneof(text(12), fc.constantFrom('target.info', 'x', 'x_count', 'x_total', 'x_created', 'x_bucket', 'le'));
const units = fc.oneof(text(6), fc.constantFrom('s', 'By', '1', '{request}', 'ms', 'seconds'));
const attributeValue = fc.oneof(text(8), fc.integer(), fc.boolean(), fc.double({ noNaN: true }), fc.array(text(3), { maxLength: 2 }));
const attributes: fc.Arbitrary<Attributes> = fc.dictionary(fc.oneof(text(6), fc.constantFrom('le', 'quantile', '__name__', 'job', 'instance')), attributeValue, { maxKeys: 4 });

const kinds = fc.constantFrom('counter', 'updowncounter', 'gauge', 'histogram');
const metric: fc.Arbitrary<MetricData> = fc
  .record({ kind: kinds, name: names, unit: units, description: text(10), points: fc.array(fc.record({ attributes, value: fc.double({ min: 0, max: 1e12, noNaN: true }) }), { minLength: 1, maxLength: 3 }) })
  .map(({ kind, name, unit, description, points }) => {
    const descriptor = { name, unit, description, valueType: ValueType.DOUBLE };
    const time: [number, number] = [1_700_000_000, 0];
    // One point per distinct label set: the SDK never gives two for the same attributes.
    const unique = [...new Map(points.map((p) => [JSON.stringify(p.attributes), p])).values()];
    const base = { startTime: time, endTime: time };
    if (kind === 'histogram') {
      return {
        descriptor,
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.HISTOGRAM,
        dataPoints: unique.map((p) => ({ ...base, attributes: p.attributes, value: { buckets: { boundaries: [1, 10], counts: [1, 0, 2] }, count: 3, sum: p.value, min: 0, max: p.value } })),
      } as MetricData;
    }
    if (kind === 'gauge') {
      return { descriptor, aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.GAUGE, dataPoints: unique.map((p) => ({ ...base, attributes: p.attributes, value: p.value })) } as MetricData;
    }
    return {
      descriptor,
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.SUM,
      isMonotonic: kind === 'counter',
      dataPoints: unique.map((p) => ({ ...base, attributes: p.attributes, value: p.value })),
    } as MetricData;
  });
const resourceMetrics: fc.Arbitrary<ResourceMetrics> = fc
  .record({ resource: attributes, metrics: fc.array(metric, { minLength: 1, maxLength: 6 }) })
  .map(({ resource, metrics }) => ({ resource: resourceFromAttributes(resource), scopeMetrics: [{ scope: { name: 'arbitrary' }, metrics }] }));

/** `promtool check metrics` on `exposition` (its stdin): exit status and output. */
function checkMetrics(promtool: string, exposition: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(promtool, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
    // An exit before reading all of stdin shows in the status, not as EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(exposition);
  });
}

describe('the exposition is valid for arbitrary instruments', () => {
  it('passes promtool check metrics (text) and gives the same samples in both formats', async () => {
    const promtool = requireBinary('promtool', 'prometheus', 'PROMTOOL_BIN');
    // promtool runs 60 times (a new seed every run; 150 cost 40 s of CPU a CI run): asynchronously, so that the worker answers
    // vitest (which gives up on a worker silent for a minute) on a loaded machine.
    await fc.assert(
      fc.asyncProperty(resourceMetrics, async (data) => {
        const textFormat = serialize(data);
        const openMetrics = serialize(data, { format: 'openmetrics' });
        const check = await checkMetrics(promtool, textFormat);
        // 0: clean; 3: lint remarks on the service's own naming (no HELP, a gauge named *_total). 1 would be a parse error.
        expect([0, 3], `${check.stdout}${check.stderr}\n${textFormat}`).toContain(check.status);
        expect(check.stderr).not.toContain('error while linting');
        expect(sampleMap(parseStrict(openMetrics).samples)).toEqual(sampleMap(parseStrict(textFormat).samples));
        expect(openMetrics.endsWith('# EOF\n')).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('gives the same samples in every format under every escaping scheme, and the same series under every scheme', () => {
    fc.assert(
      fc.property(resourceMetrics, (data) => {
        const bySchemes = new Map<string, Map<string, number>>();
        for (const escaping of ESCAPING_SCHEMES) {
          const text = serialize(data, { escaping });
          const openMetrics = serialize(data, { format: 'openmetrics', escaping });
          const samples = parseUtf8Samples(text);
          const expected = samplesByKey(samples);
          // Text 1.0.0, OpenMetrics and protobuf: the same samples.
          expect(samplesByKey(parseUtf8Samples(openMetrics)), openMetrics).toEqual(expected);
          expect(samplesByKey(protobufSamples(encodeProtobufExposition(data, { escaping })))).toEqual(expected);
          if (escaping !== 'allow-utf-8') {
            // Every other scheme leaves legacy names only, which any Prometheus reads.
            for (const sample of samples) {
              expect(isLegacyMetricName(sample.name), sample.name).toBe(true);
              for (const name of Object.keys(sample.labels)) expect(isLegacyLabelName(name) && !name.startsWith('__'), name).toBe(true);
            }
          }
          bySchemes.set(escaping, expected);
        }
        // underscores is what the endpoint always wrote (and writes without an escaping parameter).
        expect(serialize(data, { escaping: 'underscores' })).toBe(serialize(data));
        expect(serialize(data, { format: 'openmetrics', escaping: 'underscores' })).toBe(serialize(data, { format: 'openmetrics' }));
        // values is lossless: undone, it gives the allow-utf-8 series exactly.
        const unescaped = samplesByKey(parseUtf8Samples(serialize(data, { escaping: 'values' })).map(unescapeSample));
        expect(unescaped).toEqual(bySchemes.get('allow-utf-8'));
      }),
      { numRuns: 150 },
    );
  });

  it('is scraped by a real Prometheus with up == 1 in both formats and under the values and dots escapings, every sample stored', async () => {
    // Sampled arbitrary data, fixed seed: one Prometheus run for all of it.
    const batches = fc.sample(resourceMetrics, { numRuns: 12, seed: 42 });
    const data: ResourceMetrics = { resource: batches[0]!.resource, scopeMetrics: batches.flatMap((b) => b.scopeMetrics) };
    const producer: MetricProducer = { collect: async () => ({ resourceMetrics: { resource: emptyResource(), scopeMetrics: data.scopeMetrics }, errors: [] }) };
    const { reader, handler } = createPrometheusReader({ metricProducers: [producer] });
    const provider = new MeterProvider({ readers: [reader], resource: data.resource });
    closers.push(() => provider.shutdown());
    const expected = parseStrict(serialize((await reader.collect()).resourceMetrics)).samples.length;
    expect(expected).toBeGreaterThan(30);

    // Prometheus 2.42 asks for OpenMetrics; the second port drops Accept, as a scraper asking for nothing gets the text format.
    // The last two ask for the text format 1.0.0 with the values and dots escapings, as a Prometheus 3 with legacy name
    // validation would: their names are legacy names, which 2.42's text parser stores.
    type Job = 'om' | 'text' | 'values' | 'dots';
    const jobs: Job[] = ['om', 'text', 'values', 'dots'];
    const seen: Record<Job, Set<string>> = { om: new Set(), text: new Set(), values: new Set(), dots: new Set() };
    const listen = async (job: Job): Promise<number> => {
      const server = createServer((request: IncomingMessage, response: ServerResponse) => {
        if (job === 'text') delete request.headers.accept;
        if (job === 'values' || job === 'dots') request.headers.accept = `text/plain;version=1.0.0;escaping=${job}`;
        const writeHead = response.writeHead.bind(response) as (...args: unknown[]) => ServerResponse;
        response.writeHead = ((...args: unknown[]) => {
          const headers = args.find((a) => typeof a === 'object' && a !== null) as Record<string, string> | undefined;
          if (headers?.['Content-Type'] !== undefined) seen[job].add(`${headers['Content-Type']} ${headers['Content-Encoding'] ?? 'identity'}`);
          return writeHead(...args);
        }) as typeof response.writeHead;
        handler(request, response);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      closers.push(() => new Promise((resolve) => server.close(resolve)));
      return (server.address() as AddressInfo).port;
    };
    const ports: number[] = [];
    for (const job of jobs) ports.push(await listen(job));
    const prometheus: PrometheusServer = await startPrometheus(jobs.map((job, i) => ({ job, target: `127.0.0.1:${ports[i]}` })));
    closers.push(() => prometheus.stop());
    const collected = (await reader.collect()).resourceMetrics;
    for (const job of jobs) {
      const count = job === 'values' || job === 'dots' ? parseUtf8Samples(serialize(collected, { escaping: job })).length : expected;
      expect(await prometheus.waitFor(`up{job="${job}"}`, (v) => v === 1, 20_000)).toBe(1);
      // Prometheus' own series (up, scrape_*) left out.
      const stored = await prometheus.waitFor(`count({job="${job}", __name__!~"up|scrape_.*"})`, (n) => n === count, 10_000);
      expect(stored, job).toBe(count);
    }
    expect([...seen.om]).toEqual(['application/openmetrics-text; version=1.0.0; charset=utf-8 gzip']);
    expect([...seen.text]).toEqual(['text/plain; version=0.0.4; charset=utf-8 gzip']);
    expect([...seen.values]).toEqual(['text/plain; version=1.0.0; charset=utf-8; escaping=values gzip']);
    expect([...seen.dots]).toEqual(['text/plain; version=1.0.0; charset=utf-8; escaping=dots gzip']);
  }, 60_000);
});
