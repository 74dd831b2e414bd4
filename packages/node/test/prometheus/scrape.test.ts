import { startPrometheus, type PrometheusServer } from '@inferometer/testing';
import { diag, metrics } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPrometheusReader } from '../../src/prometheus/handler.js';
import { ERROR_CAUSES, METRIC_SCRAPE_ERRORS, METRIC_SCRAPE_REQUESTS } from '../../src/prometheus/names.js';
import { startMetricsServer } from '../../src/prometheus/server.js';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  metrics.disable();
  vi.restoreAllMocks();
});

describe('a real Prometheus scraping the pull endpoint', () => {
  it('accepts a histogram with a user attribute `le` (stored as exported_le), where a repeated `le` made it refuse the scrape', async () => {
    const { reader, handler } = createPrometheusReader();
    const provider = new MeterProvider({ readers: [reader] });
    closers.push(() => provider.shutdown());
    provider.getMeter('scrape').createHistogram('payload_bytes', { advice: { explicitBucketBoundaries: [10, 100] } }).record(50, { le: 'user', model_name: 'iris' });
    const endpoint = await startMetricsServer(handler, '127.0.0.1', 0);
    closers.push(() => endpoint.close());
    const prometheus: PrometheusServer = await startPrometheus([{ job: 'pull', target: `127.0.0.1:${endpoint.port}` }]);
    closers.push(() => prometheus.stop());

    // up is 1 only when the whole exposition parsed.
    expect(await prometheus.waitFor('up{job="pull"}', (value) => value === 1, 15_000)).toBe(1);
    const buckets = await prometheus.waitFor('count(payload_bytes_bucket{exported_le="user",model_name="iris"})', (n) => n === 3, 10_000);
    expect(buckets).toBe(3);
    const le = (await prometheus.query('payload_bytes_bucket{exported_le="user"}')).map((s) => s.metric.le).sort();
    expect(le).toEqual(['+Inf', '10', '100']);
  });

  it("stores the endpoint's self-metrics: three scrapes failed by a throwing callback count exactly 3, and up came back", async () => {
    vi.spyOn(diag, 'error').mockImplementation(() => undefined);
    const { reader, handler } = createPrometheusReader();
    const provider = new MeterProvider({ readers: [reader] });
    metrics.setGlobalMeterProvider(provider);
    closers.push(() => provider.shutdown());
    // Throws at exactly the next FAILURES collections once armed, then observes again.
    const FAILURES = 3;
    let failuresLeft = 0;
    provider
      .getMeter('service')
      .createObservableGauge('sensor_temperature')
      .addCallback((result) => {
        if (failuresLeft > 0) {
          failuresLeft--;
          throw new Error('sensor unplugged');
        }
        result.observe(21);
      });
    const endpoint = await startMetricsServer(handler, '127.0.0.1', 0);
    closers.push(() => endpoint.close());
    const prometheus: PrometheusServer = await startPrometheus([{ job: 'pull', target: `127.0.0.1:${endpoint.port}` }]);
    closers.push(() => prometheus.stop());
    const requests = METRIC_SCRAPE_REQUESTS.prometheusName;
    const errors = `${METRIC_SCRAPE_ERRORS.prometheusName}{job="pull",cause="${ERROR_CAUSES.callback}"}`;
    // Prometheus 2.42 negotiates OpenMetrics; the first answered scrape shows in the second.
    expect(await prometheus.waitFor(`${requests}{job="pull",format="openmetrics",code="200"}`, (n) => n >= 1, 20_000)).toBeGreaterThanOrEqual(1);
    expect(await prometheus.waitFor(errors, (n) => n === 0, 5_000)).toBe(0);
    failuresLeft = FAILURES;
    expect(await prometheus.waitFor(errors, (n) => n === FAILURES, 30_000)).toBe(FAILURES);
    expect(await prometheus.waitFor(`${requests}{job="pull",format="openmetrics",code="500"}`, (n) => n === FAILURES, 5_000)).toBe(FAILURES);
    expect(failuresLeft).toBe(0);
    expect(await prometheus.waitFor('up{job="pull"}', (value) => value === 1, 5_000)).toBe(1);
  }, 90_000);
});
