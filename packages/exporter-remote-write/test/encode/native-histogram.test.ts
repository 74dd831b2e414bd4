/**
 * Native histograms over remote write 1.0: a real Prometheus 2.42 receiver
 * (--enable-feature=native-histograms --web.enable-remote-write-receiver)
 * stores the Histogram messages the encoder writes.
 */
import { AggregationTemporality, AggregationType, MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, type PrometheusServer } from '@inferometer/testing';
import { WriteRequestEncoder } from '../../src/encode/write-request.js';
import { TestReader } from '../helpers/collect.js';

let prometheus: PrometheusServer | undefined;
beforeAll(async () => {
  prometheus = await startPrometheus([], { flags: ['--enable-feature=native-histograms', '--web.enable-remote-write-receiver'] });
}, 60_000);
afterAll(async () => {
  await prometheus?.stop();
});

async function send(body: Uint8Array): Promise<void> {
  const response = await fetch(`${prometheus!.url}/api/v1/write`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy', 'X-Prometheus-Remote-Write-Version': '0.1.0' },
    body,
  });
  expect(response.status, await response.text()).toBe(204);
}

describe('remote write of exponential histograms', () => {
  it('Prometheus stores them as native histograms: histogram_count and histogram_sum through the HTTP API', async () => {
    const reader = new TestReader(() => AggregationTemporality.CUMULATIVE);
    const provider = new MeterProvider({ readers: [reader], views: [{ instrumentName: 'rw_latency_seconds', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }] });
    const histogram = provider.getMeter('t').createHistogram('rw_latency_seconds', { unit: 's' });
    // Values over four decades, with zeros: spans with gaps, a zero bucket, and (at the SDK's scale) more than one span.
    const values = [0, 0.001, 0.0011, 0.002, 0.05, 0.051, 0.7, 3, 3, 9.5, 0];
    for (const v of values) histogram.record(v, { model_name: 'rw' });
    const encoded = new WriteRequestEncoder({ instance: 'native-test' }).encode((await reader.collect()).resourceMetrics);
    await provider.shutdown();
    expect(encoded.skippedMetrics).toEqual([]);
    for (const request of encoded.requests) await send(request.body);
    const count = await prometheus!.waitFor('histogram_count(rw_latency_seconds{model_name="rw"})', () => true);
    expect(count).toBe(values.length);
    const sum = await prometheus!.waitFor('histogram_sum(rw_latency_seconds{model_name="rw"})', () => true);
    expect(sum).toBeCloseTo(values.reduce((a, b) => a + b, 0), 9);
    // Buckets: the fraction of values at or below 0.06 s (5 of 9 non-zero, plus 2 zeros) within the bucket width at the schema.
    const fraction = await prometheus!.waitFor('histogram_fraction(0, 0.06, rw_latency_seconds{model_name="rw"})', () => true);
    expect(fraction).toBeCloseTo(7 / 11, 6);
  }, 90_000);
});
