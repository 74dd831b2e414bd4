/**
 * Remote write 2.0 against the one real receiver here, Debian's Prometheus
 * 2.42 (`--web.enable-remote-write-receiver`), which predates 2.0 (Prometheus
 * 3 takes it). What 2.42 does with a 2.0 request is pinned down first: it does
 * not look at Content-Type, decodes the body as a 1.0 `prometheus.WriteRequest`
 * (whose fields 1 and 3 a 2.0 `Request` never uses), finds nothing, and
 * answers 204 without `X-Prometheus-Remote-Write-*-Written` headers: the
 * case remote_write_spec_2_0.md tells senders to treat as 415. Then an
 * exporter configured for 2.0 must fall back to 1.0 and every sample must be
 * stored. The 2.0 encoding itself is checked against the official proto in
 * packages/exporter-remote-write/test (stand-in receiver).
 */
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { AggregationTemporality, AggregationType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRIC_PREDICTIONS } from '@inferometer/core/catalog';
import { RemoteWriteExporter, REMOTE_WRITE_V2_HEADERS, WriteRequestV2Encoder } from '@inferometer/exporter-remote-write';
import { startPrometheus, type PrometheusServer } from '../support/prometheus.js';

let prometheus: PrometheusServer;

beforeAll(async () => {
  prometheus = await startPrometheus([], { flags: ['--web.enable-remote-write-receiver', '--enable-feature=native-histograms'] });
}, 60_000);
afterAll(async () => {
  await prometheus?.stop();
});

class Reader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

/** A service with a counter, an explicit-bucket histogram and an exponential (native) one. */
async function collection(job: string) {
  const reader = new Reader();
  const app = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': job, 'service.instance.id': 'i1' }),
    readers: [reader],
    views: [{ instrumentName: 'rw2_native_seconds', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
  });
  const meter = app.getMeter('e2e');
  meter.createCounter(METRIC_PREDICTIONS.name).add(5, { model_name: 'rw2' });
  const classic = meter.createHistogram('rw2_classic_seconds', { unit: 's', advice: { explicitBucketBoundaries: [0.1, 1] } });
  const native = meter.createHistogram('rw2_native_seconds', { unit: 's' });
  for (const v of [0.05, 0.5, 2]) {
    classic.record(v, { model_name: 'rw2' });
    native.record(v, { model_name: 'rw2' });
  }
  const { resourceMetrics } = await reader.collect();
  await app.shutdown();
  return resourceMetrics;
}

describe('remote write 2.0 against Prometheus 2.42', () => {
  it('2.42 answers a 2.0 request 204 without X-Prometheus-Remote-Write-*-Written headers and stores nothing of it', async () => {
    const [request] = new WriteRequestV2Encoder().encode(await collection('rw2-probe')).requests;
    const response = await fetch(`${prometheus.url}/api/v1/write`, { method: 'POST', headers: REMOTE_WRITE_V2_HEADERS, body: request!.body });
    expect(response.status).toBe(204);
    expect(response.headers.get('x-prometheus-remote-write-samples-written')).toBeNull();
    expect(response.headers.get('x-prometheus-remote-write-histograms-written')).toBeNull();
    expect(response.headers.get('x-prometheus-remote-write-exemplars-written')).toBeNull();
    // The write is committed before the answer: nothing of it is there now.
    expect(await prometheus.query('{job="rw2-probe"}')).toEqual([]);
  });

  it("an exporter with protocol '2.0' falls back to 1.0 once, and Prometheus holds every sample", async () => {
    const warnings: string[] = [];
    diag.setLogger({ warn: (message: string) => warnings.push(message), error: () => {}, info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN);
    const selfReader = new Reader();
    const self = new MeterProvider({ readers: [selfReader] });
    const exporter = new RemoteWriteExporter({ url: `${prometheus.url}/api/v1/write`, protocol: '2.0', maxSamplesPerRequest: 3, meterProvider: self });
    try {
      exporter.export(await collection('rw2-fallback'), () => undefined);
      await exporter.forceFlush();
      expect(exporter.stats()).toMatchObject({ configuredProtocol: '2.0', protocol: '1.0', fallbacks: 1, samplesWritten: 0, pendingSamples: 0 });
      const fallbackWarnings = warnings.filter((w) => w.includes('falling back to 1.0'));
      expect(fallbackWarnings).toHaveLength(1);
      expect(fallbackWarnings[0]).toContain('HTTP 204 without X-Prometheus-Remote-Write-*-Written headers');

      const value = async (expr: string) => Number((await prometheus.query(expr))[0]?.value[1]);
      expect(await value(`${METRIC_PREDICTIONS.prometheusName}{job="rw2-fallback",model_name="rw2"}`)).toBe(5);
      expect(await value('rw2_classic_seconds_count{job="rw2-fallback"}')).toBe(3);
      expect(await value('rw2_classic_seconds_bucket{job="rw2-fallback",le="1"}')).toBe(2);
      expect(await value('histogram_count(rw2_native_seconds{job="rw2-fallback"})')).toBe(3);
      expect(await value('histogram_sum(rw2_native_seconds{job="rw2-fallback"})')).toBeCloseTo(2.55, 9);
      // Every series of the collection: nothing was lost in the switch.
      const stored = await prometheus.query('count({job="rw2-fallback"})');
      const expected = new WriteRequestV2Encoder().encode(await collection('rw2-count')).samples;
      expect(Number(stored[0]?.value[1])).toBe(expected);

      // Later exports go out as 1.0 directly.
      exporter.export(await collection('rw2-after'), () => undefined);
      await exporter.forceFlush();
      expect(exporter.stats().fallbacks).toBe(1);
      expect(await value(`${METRIC_PREDICTIONS.prometheusName}{job="rw2-after"}`)).toBe(5);
    } finally {
      diag.disable();
      await exporter.shutdown();
      await self.shutdown();
    }
  }, 60_000);
});
