import { startPrometheus, type PrometheusServer } from '@inferometer/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { instrument } from '@inferometer/core';
import { start, type InferometerHandle } from '../../../src/start.js';
import { PROTOBUF_CONTENT_TYPE } from '../../../src/prometheus/protobuf/index.js';

// The pull endpoint of start() itself, negotiated: a Prometheus started with
// --enable-feature=native-histograms asks for the protobuf exposition first
// and gets native histograms (with their classic buckets, 'both').

let handle: InferometerHandle | undefined;
let prometheus: PrometheusServer | undefined;

afterEach(async () => {
  await prometheus?.stop();
  await handle?.shutdown();
  prometheus = undefined;
  handle = undefined;
});

describe('the pull endpoint serves native histograms over the protobuf exposition when asked', () => {
  it('answers the protobuf Accept of Prometheus with protobuf, and text to everyone else', async () => {
    handle = await start({ prometheus: { host: '127.0.0.1', port: 0 }, env: { INFEROMETER_PROMETHEUS_NATIVE_HISTOGRAMS: 'true' } });
    instrument((x: number) => x, { model: 'negotiated' })(1);
    const protobuf = await fetch(handle.metricsUrl!, {
      headers: { accept: 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited,text/plain;version=0.0.4;q=0.5' },
    });
    expect(protobuf.headers.get('content-type')).toBe(PROTOBUF_CONTENT_TYPE);
    const bytes = new Uint8Array(await protobuf.arrayBuffer());
    // Length-delimited MetricFamily messages: a varint length, then field 1 (name), wire type 2.
    expect(bytes.length).toBeGreaterThan(10);
    expect(Buffer.from(bytes).includes(Buffer.from('ml_prediction_latency_seconds'))).toBe(true);
    const text = await fetch(handle.metricsUrl!);
    expect(text.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await text.text()).toContain('ml_predictions_total{model_name="negotiated"');
  });

  it('a real Prometheus with native histograms stores the calls as a native histogram: histogram_count equals the calls made', { timeout: 90_000 }, async () => {
    handle = await start({ prometheus: { host: '127.0.0.1', port: 0 }, env: { INFEROMETER_PROMETHEUS_NATIVE_HISTOGRAMS: 'true' } });
    const predict = instrument((x: number) => x * 2, { model: 'native-scraped' });
    for (let i = 0; i < 250; i++) predict(i);
    const target = new URL(handle.metricsUrl!).host;
    prometheus = await startPrometheus([{ job: 'native', target }], { flags: ['--enable-feature=native-histograms'] });
    const count = await prometheus.waitFor('histogram_count(sum(ml_prediction_latency_seconds{model_name="native-scraped"}))', (v) => v === 250, 60_000);
    expect(count).toBe(250);
    const total = await prometheus.waitFor('sum(ml_predictions_total{model_name="native-scraped"})', (v) => v === 250);
    expect(total).toBe(250);
  });
});
