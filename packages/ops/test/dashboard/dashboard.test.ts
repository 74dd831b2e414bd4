import { describe, expect, it } from 'vitest';
import { METRIC_PREDICTION_CONFIDENCE, METRIC_ATTRIBUTE_REJECTIONS, METRIC_PREDICTION_LATENCY } from '@inferometer/core/catalog';
import { grafanaDashboard } from '../../src/dashboard/dashboard.js';
import { RECORDED } from '../../src/rules/recording.js';
import { METRIC_DATA_DRIFT_SCORE, METRIC_PREDICTION_DRIFT_SCORE } from '../../src/catalog.js';

type Panel = { type: string; title: string; targets?: { expr: string; format?: string; exemplar?: boolean }[]; fieldConfig?: { defaults?: { thresholds?: { steps: { value: number | null; color: string }[] } } } };
const panels = (options = {}): Panel[] => grafanaDashboard(options).panels as Panel[];
const panel = (title: string, options = {}): Panel => panels(options).find((p) => p.title === title)!;

describe('grafanaDashboard', () => {
  it('has the panels an on-call reader needs, health first', () => {
    const titles = panels().map((p) => p.title);
    expect(titles[0]).toBe('Health');
    expect(titles[1]).toBe('Model server targets down');
    for (const title of ['Prediction rate by outcome', 'Error ratio', 'Latency p50 / p95 / p99', 'Confidence distribution', 'Batch size p50 / p95', 'In-flight predictions', 'Active model version', 'Data drift: psi', 'Data drift: chi2', 'Prediction drift: chi2', 'CPU busy', 'Memory available', 'Disk space available', 'Load per CPU', 'Cardinality guard rejections', 'Scrape health (up)', 'Scrape duration']) {
      expect(titles).toContain(title);
    }
  });

  it('reads rates and quantiles from the recording rules, drift and guard metrics from the catalog', () => {
    const latency = panel('Latency p50 / p95 / p99').targets!;
    expect(latency.slice(0, 2).map((t) => t.expr)).toEqual(['0.5', '0.95'].map((q) => expect.stringContaining(`${RECORDED.latencyQuantiles}{job=~"$job", model_name=~"$model", model_version=~"$version", quantile="${q}"}`)));
    // p99 from the raw buckets, where Prometheus keeps exemplars (a recorded series has none), with exemplars on.
    expect(latency[2]).toMatchObject({ exemplar: true, expr: expect.stringContaining(`histogram_quantile(0.99, sum by (job, model_name, model_version, le) (rate(${METRIC_PREDICTION_LATENCY.prometheusName}_bucket{job=~"$job", model_name=~"$model", model_version=~"$version"}[5m])))`) });
    expect(latency.slice(0, 2).some((t) => t.exemplar === true)).toBe(false);
    const heatmap = panel('Confidence distribution');
    expect(heatmap.type).toBe('heatmap');
    expect(heatmap.targets![0]).toMatchObject({ format: 'heatmap', expr: expect.stringContaining(RECORDED.confidenceBuckets) });
    expect(RECORDED.confidenceBuckets).toContain(METRIC_PREDICTION_CONFIDENCE.prometheusName);
    expect(panel('Data drift: ks').targets![0]!.expr).toContain(`${METRIC_DATA_DRIFT_SCORE.prometheusName}{job=~"$job", model_name=~"$model", model_version=~"$version", method="ks"}`);
    expect(panel('Prediction drift: chi2').targets![0]!.expr).toContain(`${METRIC_PREDICTION_DRIFT_SCORE.prometheusName}{job=~"$job", model_name=~"$model", model_version=~"$version", method="chi2"}`);
    expect(panel('CPU busy').targets![0]!.expr).toContain('node_cpu_seconds_total{job=~"node", mode="idle"}');
    expect(panel('Memory available', { nodeJob: 'hosts' }).targets![0]!.expr).toBe('node_memory_MemAvailable_bytes{job=~"hosts"} / node_memory_MemTotal_bytes{job=~"hosts"}');
    expect(RECORDED.attributeRejectionRate).toContain(METRIC_ATTRIBUTE_REJECTIONS.name);
  });

  it('draws the alert thresholds it is given', () => {
    const red = (p: Panel): number | null | undefined => p.fieldConfig?.defaults?.thresholds?.steps.find((s) => s.color === 'red')?.value;
    expect(red(panel('Error ratio'))).toBe(0.01);
    expect(red(panel('Error ratio', { errorRatio: 0.02 }))).toBe(0.02);
    expect(red(panel('Latency p50 / p95 / p99', { latencyP99Seconds: 0.3 }))).toBe(0.3);
    expect(red(panel('Model server targets down'))).toBe(1);
    // One drift panel per method, each with its own threshold.
    expect(['psi', 'ks', 'js', 'chi2'].map((m) => red(panel(`Data drift: ${m}`)))).toEqual([0.25, 0.2, 0.2, 0.5]);
    expect(red(panel('Prediction drift: js', { drift: { js: 0.3 } }))).toBe(0.3);
  });

  it('scopes "All" jobs to the model servers\' job regex', () => {
    const job = grafanaDashboard({ job: 'iris|models' }).templating.list!.find((v) => v.name === 'job')!;
    expect(job).toMatchObject({ allValue: 'iris|models', definition: 'label_values(up{job=~"iris|models"}, job)' });
  });

  it('refuses bad options, naming them', () => {
    expect(() => grafanaDashboard({ errorRatio: 0 })).toThrow('errorRatio=0: expected a number greater than 0 and less than 1, e.g. 0.01');
    expect(() => grafanaDashboard({ job: '' })).toThrow('job="": expected a non-empty regular expression');
  });
});
