import { startPrometheus, type PrometheusServer } from '@inferometer/testing';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { createPrometheusReader } from '../../src/prometheus/handler.js';
import { startMetricsServer } from '../../src/prometheus/server.js';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
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
});
