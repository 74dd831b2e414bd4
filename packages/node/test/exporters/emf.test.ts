import { diag, DiagLogLevel, metrics } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType, InstrumentType, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { Ajv } from 'ajv';
import { validateDimensionSet, validateMetric, validateNamespace, validateTimestamp } from 'aws-embedded-metrics/lib/utils/Validator.js';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { instrument } from '@inferometer/core';
import { METRIC_PREDICTION_LATENCY, METRIC_PREDICTIONS } from '@inferometer/core/catalog';
import { blame, blameAsync } from '../helpers/blame.js';
import { DEFAULT_EMF_NAMESPACE, MAX_EMF_PENDING_BYTES, resolveEmfConfig } from '../../src/config/emf.js';
import { EMF_MAX_DIMENSIONS, EMF_MAX_DOCUMENT_BYTES, EMF_MAX_METRICS_PER_DOCUMENT, EMF_MAX_VALUES_PER_METRIC, EmfMetricExporter, type EmfDistribution } from '../../src/exporters/emf.js';
import { start, type InferometerHandle } from '../../src/start.js';
import { EMF_SCHEMA } from './emf-schema.js';

// OTEL_METRICS_EXPORTER=awsemf: start() writing EMF documents to a stream.
// Every document written is checked against the specification's JSON schema
// (ajv), against the official aws-embedded-metrics package's own validators
// (it has no parser or schema; its Validator module is what its serializer
// runs), and for what the schema cannot say: targets on the root node, their
// types, at most 100 values per metric.

const validate = new Ajv({ allErrors: true }).compile(EMF_SCHEMA);

interface Directive {
  Namespace: string;
  Dimensions: string[][];
  Metrics: { Name: string; Unit?: string }[];
}
interface EmfDocument {
  _aws: { Timestamp: number; CloudWatchMetrics: Directive[] };
  [member: string]: unknown;
}

/** A real Writable that keeps what it is given (and tells `onChunk`). */
function sink(onChunk: (chunk: string) => void = () => {}): { stream: Writable; text: () => string; documents: () => EmfDocument[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      onChunk(chunk.toString('utf8'));
      callback();
    },
  });
  const text = (): string => chunks.join('');
  return { stream, text, documents: () => lines(text()).map(checked) };
}

function lines(text: string): string[] {
  expect(text === '' || text.endsWith('\n')).toBe(true);
  return text.split('\n').filter((line) => line !== '');
}

/** Parses one line and checks it every way there is; returns the document. */
function checked(line: string): EmfDocument {
  expect(Buffer.byteLength(line)).toBeLessThanOrEqual(EMF_MAX_DOCUMENT_BYTES);
  const document = JSON.parse(line) as EmfDocument;
  if (!validate(document)) throw new Error(`not valid EMF: ${JSON.stringify(validate.errors)}\n${line.slice(0, 500)}`);
  validateTimestamp(document._aws.Timestamp);
  const seen = new Set<string>();
  for (const directive of document._aws.CloudWatchMetrics) {
    validateNamespace(directive.Namespace);
    for (const set of directive.Dimensions) {
      const values: Record<string, string> = {};
      for (const key of set) {
        expect(typeof document[key], `dimension target ${key}`).toBe('string');
        values[key] = document[key] as string;
      }
      validateDimensionSet(values);
    }
    for (const { Name, Unit } of directive.Metrics) {
      expect(seen.has(Name), `${Name} once per document`).toBe(false);
      seen.add(Name);
      const target = document[Name];
      if (typeof target === 'number') validateMetric(Name, target, Unit);
      else if (Array.isArray(target)) {
        expect(target.length).toBeLessThanOrEqual(EMF_MAX_VALUES_PER_METRIC);
        for (const value of target) validateMetric(Name, value as number, Unit);
      } else {
        const distribution = target as EmfDistribution;
        expect(Object.keys(distribution).sort()).toEqual(['Count', 'Counts', 'Max', 'Min', 'Sum', 'Values']);
        expect(distribution.Values.length).toBe(distribution.Counts.length);
        expect(distribution.Values.length).toBeGreaterThan(0);
        expect(distribution.Values.length).toBeLessThanOrEqual(EMF_MAX_VALUES_PER_METRIC);
        expect(distribution.Count).toBe(distribution.Counts.reduce((a, b) => a + b, 0));
        for (const value of [...distribution.Values, distribution.Sum, distribution.Min, distribution.Max]) validateMetric(Name, value, Unit);
        for (const value of distribution.Values) {
          expect(value).toBeGreaterThanOrEqual(distribution.Min);
          expect(value).toBeLessThanOrEqual(distribution.Max);
        }
      }
    }
  }
  return document;
}

/** Documents that carry a metric, with that metric's value. */
function valuesOf(documents: readonly EmfDocument[], name: string): { document: EmfDocument; value: unknown }[] {
  return documents.filter((d) => d._aws.CloudWatchMetrics.some((m) => m.Metrics.some((metric) => metric.Name === name))).map((document) => ({ document, value: document[name] }));
}

let handle: InferometerHandle | undefined;
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
  metrics.disable();
  diag.disable();
});

const ENV = { OTEL_SERVICE_NAME: 'iris-service', INFEROMETER_RUNTIME_METRICS: 'false' };

describe('OTEL_METRICS_EXPORTER=awsemf', () => {
  it('writes valid EMF for the catalog: deltas per interval, dimensions from the attributes, units, exact histogram values', async () => {
    const out = sink();
    handle = await start({ env: { ...ENV, OTEL_METRICS_EXPORTER: 'awsemf' }, emf: { stream: out.stream } });
    expect(handle.exporters).toEqual(['awsemf']);
    const predict = instrument(
      (x: number) => {
        if (x < 0) throw new Error('bad input');
        return x;
      },
      { model: 'iris', version: '3' },
    );
    for (let i = 0; i < 5; i++) predict(i);
    expect(() => predict(-1)).toThrow('bad input');
    await handle.forceFlush();

    const first = out.documents();
    const predictions = valuesOf(first, METRIC_PREDICTIONS.name);
    const byStatus = Object.fromEntries(predictions.map(({ document, value }) => [document.status, value]));
    expect(byStatus).toEqual({ success: 5, error: 1 });
    for (const { document } of predictions) {
      const directive = document._aws.CloudWatchMetrics[0]!;
      expect(directive.Namespace).toBe(DEFAULT_EMF_NAMESPACE);
      expect(directive.Dimensions).toHaveLength(1);
      expect(directive.Dimensions[0]).toContain('service.name');
      expect(directive.Dimensions[0]).toContain('model_name');
      expect(directive.Dimensions[0]).toContain('model_version');
      expect(document).toMatchObject({ 'service.name': 'iris-service', model_name: 'iris', model_version: '3' });
      expect(Math.abs(document._aws.Timestamp - Date.now())).toBeLessThan(24 * 3600 * 1000);
    }
    // The latency histogram: every call in Counts, in seconds.
    const latency = valuesOf(first, METRIC_PREDICTION_LATENCY.name);
    expect(latency.reduce((n, { value }) => n + (value as EmfDistribution).Count, 0)).toBe(6);
    const unit = latency[0]!.document._aws.CloudWatchMetrics[0]!.Metrics.find((m) => m.Name === METRIC_PREDICTION_LATENCY.name)!.Unit;
    expect(unit).toBe('Seconds');

    // The next interval holds the next calls only: deltas, not running totals.
    const before = out.text().length;
    for (let i = 0; i < 3; i++) predict(i);
    await handle.forceFlush();
    const second = lines(out.text().slice(before)).map(checked);
    const next = valuesOf(second, METRIC_PREDICTIONS.name).filter(({ document }) => document.status === 'success');
    expect(next.map(({ value }) => value)).toEqual([3]);
  });

  it('puts a histogram in Values/Counts at bucket midpoints, the open buckets closed by the recorded min and max', async () => {
    const out = sink();
    handle = await start({ env: { ...ENV, OTEL_METRICS_EXPORTER: 'awsemf' }, emf: { stream: out.stream } });
    const histogram = metrics.getMeter('emf-test').createHistogram('emf_test_latency', { unit: 's', advice: { explicitBucketBoundaries: [0.1, 0.5, 1] } });
    for (const value of [0.05, 0.3, 0.3, 2]) histogram.record(value, { model_name: 'm1' });
    await handle.forceFlush();
    const [entry, ...more] = valuesOf(out.documents(), 'emf_test_latency');
    expect(more).toEqual([]);
    const value = entry!.value as EmfDistribution;
    // Buckets (-inf,0.1] (0.1,0.5] (0.5,1] (1,+inf): counts 1, 2, 0, 1.
    expect(value.Values).toEqual([(0.05 + 0.1) / 2, (0.1 + 0.5) / 2, (1 + 2) / 2]);
    expect(value.Counts).toEqual([1, 2, 1]);
    expect(value).toMatchObject({ Count: 4, Min: 0.05, Max: 2 });
    expect(value.Sum).toBeCloseTo(2.65, 12);
    // Nothing recorded in the next interval: no histogram value at all.
    const before = out.text().length;
    await handle.forceFlush();
    expect(valuesOf(lines(out.text().slice(before)).map(checked), 'emf_test_latency')).toEqual([]);
  });

  it('splits 150 metrics with the same dimensions into two documents of 100 and 50', async () => {
    const out = sink();
    handle = await start({ env: { ...ENV, OTEL_METRICS_EXPORTER: 'awsemf' }, emf: { stream: out.stream } });
    const meter = metrics.getMeter('emf-test');
    for (let i = 0; i < 150; i++) meter.createCounter(`emf_limit_${String(i).padStart(3, '0')}`).add(i + 1, { model_name: 'm2' });
    await handle.forceFlush();
    const documents = out.documents().filter((d) => d.model_name === 'm2');
    expect(documents.map((d) => d._aws.CloudWatchMetrics[0]!.Metrics.length)).toEqual([EMF_MAX_METRICS_PER_DOCUMENT, 50]);
    const values = new Map<string, unknown>();
    for (const document of documents) for (const { Name } of document._aws.CloudWatchMetrics[0]!.Metrics) values.set(Name, document[Name]);
    expect(values.size).toBe(150);
    for (let i = 0; i < 150; i++) expect(values.get(`emf_limit_${String(i).padStart(3, '0')}`)).toBe(i + 1);
  });

  it('writes a histogram of 150 non-empty buckets as two values of 100 and 50, the sum on the first', async () => {
    const out = sink();
    handle = await start({ env: { ...ENV, OTEL_METRICS_EXPORTER: 'awsemf' }, emf: { stream: out.stream } });
    const boundaries = Array.from({ length: 149 }, (_, i) => i + 1);
    const histogram = metrics.getMeter('emf-test').createHistogram('emf_test_wide', { advice: { explicitBucketBoundaries: boundaries } });
    for (let i = 0; i < 150; i++) histogram.record(i + 0.5, { model_name: 'm3' });
    await handle.forceFlush();
    const parts = valuesOf(out.documents(), 'emf_test_wide').map(({ value }) => value as EmfDistribution);
    expect(parts.map((p) => p.Values.length)).toEqual([100, 50]);
    expect(parts.map((p) => p.Count)).toEqual([100, 50]);
    expect(parts.flatMap((p) => p.Counts)).toEqual(new Array(150).fill(1));
    // First bucket (-inf,1] closed at the min 0.5; (i,i+1] at i+0.5; the last (149,+inf) closed at the max 149.5.
    expect(parts.flatMap((p) => p.Values)).toEqual([0.75, ...Array.from({ length: 148 }, (_, i) => i + 1.5), 149.25]);
    expect(parts.map((p) => p.Sum)).toEqual([Array.from({ length: 150 }, (_, i) => i + 0.5).reduce((a, b) => a + b, 0), 0]);
    expect(parts.map((p) => [p.Min, p.Max])).toEqual([
      [0.5, 100],
      [100, 149.5],
    ]);
  });

  it('keeps 30 dimensions (service.name first, then by key) and writes the rest as plain members', async () => {
    const out = sink();
    handle = await start({ env: { ...ENV, OTEL_METRICS_EXPORTER: 'awsemf' }, emf: { stream: out.stream } });
    const attributes: Record<string, string> = {};
    for (let i = 0; i < 31; i++) attributes[`key_${String(i).padStart(2, '0')}`] = `v${i}`;
    attributes['café'] = 'non-ascii-name';
    metrics.getMeter('emf-test').createCounter('emf_test_wide_attributes').add(2, attributes);
    await handle.forceFlush();
    const [entry] = valuesOf(out.documents(), 'emf_test_wide_attributes');
    const set = entry!.document._aws.CloudWatchMetrics[0]!.Dimensions[0]!;
    expect(set).toHaveLength(EMF_MAX_DIMENSIONS);
    expect(set).toEqual(['service.name', ...Array.from({ length: 29 }, (_, i) => `key_${String(i).padStart(2, '0')}`)]);
    // Not dimensions, still in the log event for Logs Insights.
    expect(entry!.document).toMatchObject({ key_29: 'v29', key_30: 'v30', café: 'non-ascii-name', emf_test_wide_attributes: 2 });
  });

  it('takes the namespace from AWS_EMF_NAMESPACE, the option over it, and pushes every OTEL_METRIC_EXPORT_INTERVAL', async () => {
    let arrive: () => void = () => {};
    const arrived = new Promise<void>((resolve) => (arrive = resolve));
    const out = sink((chunk) => {
      if (chunk.includes('emf_test_interval')) arrive();
    });
    handle = await start({ env: { ...ENV, OTEL_METRICS_EXPORTER: 'awsemf', AWS_EMF_NAMESPACE: 'ML/Iris', OTEL_METRIC_EXPORT_INTERVAL: '100' }, emf: { stream: out.stream } });
    metrics.getMeter('emf-test').createCounter('emf_test_interval').add(1);
    // No forceFlush: the periodic reader's own timer writes it.
    await arrived;
    const [entry] = valuesOf(out.documents(), 'emf_test_interval');
    expect(entry!.document._aws.CloudWatchMetrics[0]!.Namespace).toBe('ML/Iris');
    expect(resolveEmfConfig({ AWS_EMF_NAMESPACE: 'ML/Iris' }, { namespace: 'Other' }).namespace).toBe('Other');
  });
});

describe('awsemf configuration', () => {
  it.each([
    [{ AWS_EMF_NAMESPACE: 'has space' }, 'AWS_EMF_NAMESPACE'],
    [{ AWS_EMF_NAMESPACE: 'AWS/Lambda' }, 'AWS_EMF_NAMESPACE'],
    [{ AWS_EMF_NAMESPACE: 'x'.repeat(256) }, 'AWS_EMF_NAMESPACE'],
  ])('fails at start on %j, naming the variable', async (env, variable) => {
    const error = await blameAsync(start({ env: { ...ENV, OTEL_METRICS_EXPORTER: 'awsemf', ...env } }));
    expect(error.variable).toBe(variable);
    expect(error.accepted).toContain('not starting with AWS/');
  });

  it('names the options given in code', () => {
    expect(blame(() => resolveEmfConfig({}, { namespace: '' })).option).toBe('emf.namespace');
    expect(blame(() => resolveEmfConfig({}, { stream: {} as never })).option).toBe('emf.stream');
    expect(resolveEmfConfig({}).stream).toBe(process.stdout);
  });
});

describe('EmfMetricExporter', () => {
  // A data point that ended a moment ago (CloudWatch takes up to two weeks back): whole seconds plus 500 ms.
  const ended = Math.floor(Date.now() / 1000) - 60;
  const resourceMetrics = (value: number): ResourceMetrics => ({
    resource: resourceFromAttributes({ 'service.name': 'unit' }),
    scopeMetrics: [
      {
        scope: { name: 'unit' },
        metrics: [
          {
            descriptor: { name: 'unit_counter', description: '', unit: '{request}', valueType: 1 },
            aggregationTemporality: AggregationTemporality.DELTA,
            dataPointType: DataPointType.SUM,
            isMonotonic: true,
            dataPoints: [{ startTime: [1, 0], endTime: [ended, 500_000_000], attributes: { route: '/predict' }, value }],
          },
        ],
      },
    ],
  });

  it('writes one line per document, Timestamp in milliseconds, annotation units as Count', async () => {
    const out = sink();
    const exporter = new EmfMetricExporter({ namespace: 'Unit', stream: out.stream });
    const result = await new Promise((resolve) => exporter.export(resourceMetrics(7), resolve));
    expect(result).toEqual({ code: ExportResultCode.SUCCESS });
    const [document] = out.documents();
    expect(document).toEqual({
      _aws: { Timestamp: ended * 1000 + 500, CloudWatchMetrics: [{ Namespace: 'Unit', Dimensions: [['service.name', 'route']], Metrics: [{ Name: 'unit_counter', Unit: 'Count' }] }] },
      'service.name': 'unit',
      route: '/predict',
      unit_counter: 7,
    });
    expect(exporter.selectAggregationTemporality(InstrumentType.COUNTER)).toBe(AggregationTemporality.DELTA);
    expect(exporter.selectAggregationTemporality(InstrumentType.HISTOGRAM)).toBe(AggregationTemporality.DELTA);
    expect(exporter.selectAggregationTemporality(InstrumentType.UP_DOWN_COUNTER)).toBe(AggregationTemporality.CUMULATIVE);
    expect(exporter.selectAggregationTemporality(InstrumentType.GAUGE)).toBe(AggregationTemporality.CUMULATIVE);
  });

  it('fails the export (and warns once) while the stream holds more than the pending bound, and writes again once it drains', async () => {
    const warnings: string[] = [];
    diag.setLogger({ warn: (message: string) => warnings.push(message), error: () => {}, info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN);
    const out = sink();
    out.stream.cork();
    out.stream.write('x'.repeat(MAX_EMF_PENDING_BYTES + 1));
    const exporter = new EmfMetricExporter({ namespace: 'Unit', stream: out.stream });
    for (let i = 0; i < 2; i++) {
      const result = await new Promise<{ code: ExportResultCode }>((resolve) => exporter.export(resourceMetrics(1), resolve));
      expect(result.code).toBe(ExportResultCode.FAILED);
    }
    expect(warnings.filter((w) => w.includes('unwritten bytes'))).toHaveLength(1);
    out.stream.uncork();
    const result = await new Promise<{ code: ExportResultCode }>((resolve) => exporter.export(resourceMetrics(5), resolve));
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    expect(out.text().slice(MAX_EMF_PENDING_BYTES + 1)).toContain('"unit_counter":5');
    await exporter.shutdown();
    const after = await new Promise<{ code: ExportResultCode }>((resolve) => exporter.export(resourceMetrics(1), resolve));
    expect(after.code).toBe(ExportResultCode.FAILED);
  });
});
