import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { METRIC_PREDICTION_LATENCY, METRIC_PREDICTIONS } from '@inferometer/core';
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

async function scrapeWith(relabel: unknown): Promise<Record<string, string>[]> {
  const target = await serveMetrics(() => EXPOSITION);
  const config = stringify({ global: { scrape_interval: '1s' }, scrape_configs: [{ job_name: 'iris', static_configs: [{ targets: [`127.0.0.1:${target.port}`] }], metric_relabel_configs: relabel }] });
  const prometheus = await startPrometheus(config);
  try {
    return await eventually('scraped series', async () => {
      const body = (await (await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent('{job="iris", __name__!~"up|scrape_.*"}')}`)).json()) as { data: { result: { metric: Record<string, string> }[] } };
      return body.data.result.length > 0 ? body.data.result.map((r) => r.metric) : undefined;
    });
  } finally {
    await Promise.all([prometheus.stop(), target.stop()]);
  }
}

describe('metricRelabelConfigs in a real Prometheus', () => {
  it('drops Inferometer scope labels from catalog series only', async () => {
    const series = await scrapeWith(metricRelabelConfigs());
    const predictions = series.find((s) => s.__name__ === METRIC_PREDICTIONS.prometheusName)!;
    expect(predictions).not.toHaveProperty('otel_scope_name');
    expect(predictions).not.toHaveProperty('otel_scope_version');
    expect(series.find((s) => s.__name__ === `${METRIC_PREDICTION_LATENCY.prometheusName}_count`)).not.toHaveProperty('otel_scope_name');
    // Another scope's metric keeps its labels (two scopes may share a metric name).
    expect(series.find((s) => s.__name__ === 'http_requests_total')).toMatchObject({ otel_scope_name: '@opentelemetry/instrumentation-http' });
  });

  it('keeps only catalog series and target_info with keepOnlyCatalog', async () => {
    const names = (await scrapeWith(metricRelabelConfigs({ keepOnlyCatalog: true }))).map((s) => s.__name__).sort();
    expect(names).toEqual(['ml_prediction_latency_seconds_bucket', 'ml_prediction_latency_seconds_count', 'ml_prediction_latency_seconds_sum', 'ml_predictions_total', 'target_info']);
  });

  it('matches histogram suffixes and escapes names for RE2', () => {
    expect(catalogSeriesRegex([METRIC_PREDICTION_LATENCY, METRIC_PREDICTIONS])).toBe(
      '(ml_prediction_latency_seconds_bucket|ml_prediction_latency_seconds_sum|ml_prediction_latency_seconds_count|ml_predictions_total)',
    );
  });
});
