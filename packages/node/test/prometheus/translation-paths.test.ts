import { WriteRequestEncoder } from '@inferometer/exporter-remote-write';
import { decodeProtobuf, labelsOf, parseStrict, sampleKey, sampleMap } from '@inferometer/testing';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { serialize } from '../../src/prometheus/serializer.js';

class Reader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const providers: MeterProvider[] = [];
afterEach(async () => {
  for (const provider of providers.splice(0)) await provider.shutdown();
});

/** Every instrument kind, with the attributes where the two paths used to disagree. */
async function collectAwkward(): Promise<ResourceMetrics> {
  const reader = new Reader({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  const provider = new MeterProvider({ readers: [reader], resource: resourceFromAttributes({ 'service.name': 'paths', 'service.instance.id': 'i-1' }) });
  providers.push(provider);
  const meter = provider.getMeter('paths');
  const awkward = { 'http.method': 'GET', http_method: 'get', '2fa': true, n: 3, empty: '', quote: 'say "hi"\\\n', quantile: 'q' };
  meter.createCounter('requests').add(2, awkward);
  meter.createCounter('le_counter').add(1, { le: 'mine' });
  meter.createUpDownCounter('queue.depth').add(-1, { ...awkward, exported_le: 'x' });
  meter.createGauge('temperature').record(21.5, { room: 'lab', job: 'user-job', instance: 'user-instance' });
  const histogram = meter.createHistogram('payload_bytes', { advice: { explicitBucketBoundaries: [10, 100] } });
  histogram.record(50, { ...awkward, le: 'user-le' });
  histogram.record(5, { le: 'other', exported_le: 'taken' });
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  return resourceMetrics;
}

/**
 * What a scrape with honor_labels: false stores from the pull endpoint: an
 * exposed `job` or `instance` becomes `exported_job` / `exported_instance`
 * (https://prometheus.io/docs/prometheus/latest/configuration/configuration/#scrape_config).
 * Remote write does the same itself, as it sets `job` and `instance` from the resource.
 */
function asScraped(labels: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(labels)) out[name === 'job' || name === 'instance' ? `exported_${name}` : name] = value;
  return out;
}

describe('the pull endpoint and remote write translate the same data the same way', () => {
  it('gives every series the same name, labels and value on both paths', async () => {
    const data = await collectAwkward();
    const pulled = parseStrict(serialize(data)).samples.filter((s) => s.name !== 'target_info');
    const pull = sampleMap(pulled.map((s) => ({ ...s, labels: asScraped(s.labels) })));

    const encoded = new WriteRequestEncoder({ compress: false, targetInfo: false }).encode(data);
    const pushed = new Map<string, number>();
    for (const request of encoded.requests) {
      for (const series of decodeProtobuf(request.body).timeseries) {
        const { __name__: name, job, instance, ...labels } = labelsOf(series);
        expect([job, instance]).toEqual(['paths', 'i-1']);
        pushed.set(sampleKey(name!, labels), series.samples[0]!.value);
      }
    }

    expect(pushed).toEqual(pull);
    // What the two paths used to disagree on, spelled out.
    const bucket = pulled.find((s) => s.name === 'payload_bytes_bucket' && s.labels.exported_le === 'user-le' && s.labels.le === '10');
    expect(bucket?.labels).toEqual({ _2fa: 'true', exported_le: 'user-le', http_method: 'GET;get', le: '10', n: '3', quantile: 'q', quote: 'say "hi"\\\n' });
    expect(pulled.find((s) => s.name === 'payload_bytes_count' && s.labels.exported_le === 'taken;other')).toBeDefined();
    expect(pulled.find((s) => s.name === 'le_counter_total')?.labels).toEqual({ le: 'mine' });
    expect(pull.size).toBeGreaterThan(10);
  });
});
