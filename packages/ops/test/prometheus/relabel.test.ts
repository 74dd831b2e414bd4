import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { METRIC_PREDICTION_LATENCY, METRIC_PREDICTIONS } from '@inferometer/core/catalog';
import { catalogSeriesRegex, metricRelabelConfigs } from '../../src/prometheus/relabel.js';
import { eventually, serveMetrics, startPrometheusWithConfig as startPrometheus } from '@inferometer/testing';

// What the exporter writes without `withoutScopeInfo`: scope labels on every
// series, plus another library's metric on the same endpoint.
const EXPOSITION = `# TYPE ml_predictions_total counter
ml_predictions_total{model_name="iris",model_version="1",status="success",otel_scope_name="@inferometer/core",otel_scope_version="0.1.0"} 3
# TYPE ml_prediction_latency_seconds histogram
ml_prediction_latency_seconds_bucket{model_name="iris",model_version="1",le="+Inf",otel_scope_name="@inferometer/core",otel_scope_version="0.1.0"} 3
ml_prediction_latency_seconds_sum{model_name="iris",model_version="1",otel_scope_name="@inferometer/core",otel_scope_version="0.1.0"} 0.3
ml_prediction_latency_seconds_count{model_name="iris",model_version="1",otel_scope_name="@inferometer/core",otel_scope_version="0.1.0"} 3
# TYPE http_requests_total counter
http_requests_total{otel_scope_name="@opentelemetry/instrumentation-http",otel_scope_version="0.1"} 9
# TYPE target_info gauge
target_info{service_name="iris"} 1
`;

// One Prometheus, one job (and target) per relabelling under test: a
// Prometheus takes some 5 s to its first scrape, so one per test would cost
// that twice.
const JOBS = { default: metricRelabelConfigs(), keepOnlyCatalog: metricRelabelConfigs({ keepOnlyCatalog: true }) };
let prometheus: Awaited<ReturnType<typeof startPrometheus>> | undefined;
const targets: Awaited<ReturnType<typeof serveMetrics>>[] = [];

beforeAll(async () => {
  const scrapeConfigs = [];
  for (const [job, relabel] of Object.entries(JOBS)) {
    const target = await serveMetrics(() => EXPOSITION);
    targets.push(target);
    scrapeConfigs.push({ job_name: job, static_configs: [{ targets: [`127.0.0.1:${target.port}`] }], metric_relabel_configs: relabel });
  }
  prometheus = await startPrometheus(stringify({ global: { scrape_interval: '1s' }, scrape_configs: scrapeConfigs }));
});

afterAll(async () => {
  await Promise.allSettled([prometheus?.stop(), ...targets.map((t) => t.stop())]);
});

/** The series Prometheus stored from the job's first scrape,. */
async function scraped(job: keyof typeof JOBS): Promise<Record<string, string>[]> {
  return await eventually('scraped series', async () => {
    const body = (await (await fetch(`${prometheus!.url}/api/v1/query?query=${encodeURIComponent(`{job="${job}", __name__!~"up|scrape_.*"}`)}`)).json()) as { data: { result: { metric: Record<string, string> }[] } };
    return body.data.result.length > 0 ? body.data.result.map((r) => r.metric) : undefined;
  });
}

describe('metricRelabelConfigs in a real Prometheus', () => {
  it('drops Inferometer scope labels from catalog series only', async () => {
    const series = await scraped('default');
    const predictions = series.find((s) => s.__name__ === METRIC_PREDICTIONS.prometheusName)!;
    expect(predictions).not.toHaveProperty('otel_scope_name');
    expect(predictions).not.toHaveProperty('otel_scope_version');
    expect(series.find((s) => s.__name__ === `${METRIC_PREDICTION_LATENCY.prometheusName}_count`)).not.toHaveProperty('otel_scope_name');
    // Another scope's metric keeps its labels (two scopes may share a metric name).
    expect(series.find((s) => s.__name__ === 'http_requests_total')).toMatchObject({ otel_scope_name: '@opentelemetry/instrumentation-http' });
  });

  it('keeps only catalog series and target_info with keepOnlyCatalog', async () => {
    const names = (await scraped('keepOnlyCatalog')).map((s) => s.__name__).sort();
    expect(names).toEqual(['ml_prediction_latency_seconds_bucket', 'ml_prediction_latency_seconds_count', 'ml_prediction_latency_seconds_sum', 'ml_predictions_total', 'target_info']);
  });

  it('matches histogram suffixes and escapes names for RE2', () => {
    expect(catalogSeriesRegex([METRIC_PREDICTION_LATENCY, METRIC_PREDICTIONS])).toBe(
      '(ml_prediction_latency_seconds_bucket|ml_prediction_latency_seconds_sum|ml_prediction_latency_seconds_count|ml_predictions_total)',
    );
  });
});
