import { describe, expect, it } from 'vitest';
import { METRIC_PREDICTIONS } from '@inferometer/core';
import { DEFAULT_RUNBOOK_URL } from '../../src/rules/alerts.js';
import { prometheusRules, RULE_GROUPS } from '../../src/rules/rule-file.js';
import type { AlertingRule } from '../../src/rules/alerts.js';
import type { RecordingRule } from '../../src/rules/recording.js';

const alerts = (options = {}): AlertingRule[] => prometheusRules(options).groups.find((g) => g.name === RULE_GROUPS.alerts)!.rules as AlertingRule[];
const alert = (name: string, options = {}): AlertingRule => alerts(options).find((a) => a.alert === name)!;

describe('prometheusRules', () => {
  it('uses issue 7 defaults: p99 > 0.5 s, errors > 1 %, for 5m, job inferometer', () => {
    expect(alert('ModelLatencyP99High').expr).toMatch(/\{quantile="0\.99"\} > 0\.5$/);
    expect(alert('ModelErrorRatioHigh').expr).toMatch(/ > 0\.01$/);
    expect(alert('ModelServerDown').expr).toBe('up{job=~"inferometer"} == 0');
    expect(new Set(alerts().map((a) => a.for))).toEqual(new Set(['5m']));
  });

  it('labels every alert with severity and category, and annotates summary, description and runbook', () => {
    for (const rule of alerts()) {
      expect(['critical', 'warning']).toContain(rule.labels.severity);
      expect(['model', 'infrastructure']).toContain(rule.labels.category);
      expect(Object.keys(rule.annotations)).toEqual(['summary', 'description', 'runbook_url']);
      expect(rule.annotations.runbook_url).toBe(`${DEFAULT_RUNBOOK_URL}#${rule.alert.toLowerCase()}`);
    }
  });

  it('takes thresholds, job, for durations and the runbook base from its options', () => {
    const options = { latencyP99Seconds: 0.25, errorRatio: 0.05, driftScore: 0.1, job: 'my"job', for: '10m', alertFor: { ModelServerDown: '1m' as const }, runbookUrl: 'https://wiki.example.com/rb/' };
    expect(alert('ModelLatencyP99High', options).expr).toMatch(/ > 0\.25$/);
    expect(alert('ModelErrorRatioHigh', options).annotations.description).toContain('More than 5 % of predictions failed');
    expect(alert('ModelDataDriftHigh', options).expr).toMatch(/ > 0\.1$/);
    // The job regex is quoted for PromQL.
    expect(alert('ModelServerDown', options).expr).toBe('up{job=~"my\\"job"} == 0');
    expect(alert('ModelServerDown', options).for).toBe('1m');
    expect(alert('ModelErrorRatioHigh', options).for).toBe('10m');
    expect(alert('ModelServerDown', options).annotations.runbook_url).toBe('https://wiki.example.com/rb#modelserverdown');
  });

  it('records the rates and quantiles from the catalog names', () => {
    const recording = prometheusRules().groups.find((g) => g.name === RULE_GROUPS.recording)!.rules as RecordingRule[];
    expect(recording[0]!.expr).toContain(`rate(${METRIC_PREDICTIONS.prometheusName}[5m])`);
    expect(recording.filter((r) => r.labels?.quantile !== undefined).map((r) => `${r.record.split(':')[1]} ${r.labels!.quantile}`)).toEqual([
      'ml_prediction_latency_seconds 0.5',
      'ml_prediction_latency_seconds 0.95',
      'ml_prediction_latency_seconds 0.99',
      'ml_prediction_confidence 0.5',
      'ml_prediction_batch_size 0.5',
      'ml_prediction_batch_size 0.95',
    ]);
  });

  it('refuses bad options, naming the option and what it accepts', () => {
    expect(() => prometheusRules({ errorRatio: 1.5 })).toThrow('errorRatio=1.5: expected a number greater than 0 and less than 1, e.g. 0.01');
    expect(() => prometheusRules({ latencyP99Seconds: 0 })).toThrow('latencyP99Seconds=0: expected a number greater than 0, e.g. 0.5');
    expect(() => prometheusRules({ for: '5 minutes' })).toThrow('for="5 minutes": expected a Prometheus duration such as 30s, 5m or 1h30m (units ms, s, m, h, d, w, y)');
    expect(() => prometheusRules({ job: '(' })).toThrow('job="(": not a valid regular expression');
    expect(() => prometheusRules({ runbookUrl: 'wiki/runbooks' })).toThrow('runbookUrl="wiki/runbooks": expected an http:// or https:// URL');
    expect(() => prometheusRules({ alertFor: { ModelDown: '1m' } as never })).toThrow('alertFor.ModelDown: unknown alert; accepted: ModelLatencyP99High, ModelErrorRatioHigh,');
  });
});
