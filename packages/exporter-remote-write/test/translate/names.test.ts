import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { WriteRequestEncoder } from '../../src/encode/write-request.js';
import { prometheusBucketBound, prometheusFamilyName, prometheusLabelName } from '@inferometer/core/prometheus';
import { testProvider } from '../helpers/collect.js';
import { decodeBody, labelsOf, parseStrict, sampleMap, sampleKey } from '@inferometer/testing';

describe('series names and labels: remote write equals the pull endpoint', () => {
  it('for counters, up-down counters, gauges and histograms with awkward names and attribute values', async () => {
    const env = testProvider();
    const meter = env.provider.getMeter('scope-a');
    meter.createCounter('ml_predictions', { unit: '{prediction}' }).add(4, { model_name: 'iris', status: 'success' });
    meter.createCounter('http.server.requests').add(2, { 'http.method': 'GET', code: 200 });
    meter.createCounter('already_total').add(1);
    meter.createCounter('weird--name/with.stuff').add(1, { flag: true, list: 'a,b', quote: 'say "hi"\\ \n next' });
    meter.createUpDownCounter('queue.depth').add(-3, { queue: 'q1' });
    meter.createGauge('temperature_celsius', { unit: 'Cel' }).record(21.5, { room: 'lab' });
    meter.createObservableGauge('big.value').addCallback((result) => result.observe(1e21, { kind: 'huge' }));
    meter.createHistogram('ml_prediction_latency_seconds', { unit: 's', advice: { explicitBucketBoundaries: [0.005, 0.1, 0.25, 1, 2.5, 1000000] } })
      .record(0.2, { model_name: 'iris' });
    meter.createHistogram('ml_prediction_batch_size', { advice: { explicitBucketBoundaries: [1, 2, 4, 1024] } }).record(3);
    meter.createHistogram('default_buckets_ms').record(7);
    env.provider.getMeter('scope-b').createCounter('other_scope').add(9, { scope_attr: 'b' });
    const data = await env.collect();

    // The pull endpoint's serializer, configured as @inferometer/node's handler configures it.
    const pull = sampleMap(parseStrict(new PrometheusSerializer(undefined, false, undefined, false, true).serialize(data)).samples);
    const request = decodeBody(new WriteRequestEncoder().encode(data).requests[0]!.body);
    const pushed = new Map<string, number>();
    for (const series of request.timeseries) {
      const { __name__: name, job: _job, instance: _instance, ...labels } = labelsOf(series);
      pushed.set(sampleKey(name!, labels), series.samples[0]!.value);
    }

    // target_info carries the resource differently (job/instance instead of service_*), by the compatibility spec.
    const withoutTargetInfo = (m: Map<string, number>) => new Map([...m].filter(([k]) => !k.startsWith('target_info{')));
    expect(withoutTargetInfo(pushed)).toEqual(withoutTargetInfo(pull));
    const names = (m: Map<string, number>) => new Set([...m.keys()].map((k) => k.slice(0, k.indexOf('{'))));
    expect(names(pushed)).toEqual(names(pull));
    expect(names(pushed)).toEqual(
      new Set([
        'target_info',
        'ml_predictions_total',
        'http_server_requests_total',
        'already_total',
        'weird_name_with_stuff_total',
        'queue_depth',
        'temperature_celsius',
        'big_value',
        'ml_prediction_latency_seconds_bucket',
        'ml_prediction_latency_seconds_sum',
        'ml_prediction_latency_seconds_count',
        'ml_prediction_batch_size_bucket',
        'ml_prediction_batch_size_sum',
        'ml_prediction_batch_size_count',
        'default_buckets_ms_bucket',
        'default_buckets_ms_sum',
        'default_buckets_ms_count',
        'other_scope_total',
      ]),
    );
  });
});

describe('naming helpers', () => {
  const metric = (name: string, dataPointType: DataPointType, isMonotonic = false) =>
    ({ descriptor: { name }, dataPointType, isMonotonic, dataPoints: [] }) as unknown as MetricData;

  it('sanitizes as exporter-prometheus does, adds _total to monotonic sums only', () => {
    expect(prometheusLabelName('a.b-c/d__e')).toBe('a_b_c_d_e');
    expect(prometheusFamilyName(metric('requests', DataPointType.SUM, true))).toBe('requests_total');
    expect(prometheusFamilyName(metric('requests_total', DataPointType.SUM, true))).toBe('requests_total');
    expect(prometheusFamilyName(metric('depth', DataPointType.SUM, false))).toBe('depth');
    expect(prometheusFamilyName(metric('9lives', DataPointType.GAUGE))).toBe('_9lives');
    expect(prometheusFamilyName(metric('.', DataPointType.GAUGE))).toBeUndefined();
  });

  it('keeps label names valid: a leading digit gets "_"', () => {
    expect(prometheusLabelName('1st.try')).toBe('_1st_try');
    expect(prometheusLabelName('__name__')).toBe('_name_');
  });

  it('formats le with String(), +Inf for the open bucket', () => {
    expect([0.005, 1, 2.5, 1000000, 1e21, undefined, Infinity].map(prometheusBucketBound)).toEqual(['0.005', '1', '2.5', '1000000', '1e+21', '+Inf', '+Inf']);
  });
});
