import { describe, expect, it } from 'vitest';
import { METRIC_PREDICTIONS } from '@inferometer/core/catalog';
import { InferometerConfigError } from '@inferometer/core';
import { OpsConfigError } from '../../src/options.js';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RUNBOOK_PATH } from '../../src/rules/alerts.js';
import { prometheusRules, RULE_GROUPS } from '../../src/rules/rule-file.js';
import type { AlertingRule } from '../../src/rules/alerts.js';
import type { RecordingRule } from '../../src/rules/recording.js';

const alerts = (options = {}): AlertingRule[] => prometheusRules(options).groups.find((g) => g.name === RULE_GROUPS.alerts)!.rules as AlertingRule[];
const alert = (name: string, options = {}): AlertingRule => alerts(options).find((a) => a.alert === name)!;

describe('prometheusRules', () => {
  it('uses the default thresholds: p99 > 0.5 s, errors > 1 %, for 5m, job inferometer', () => {
    expect(alert('ModelLatencyP99High').expr).toMatch(/\{quantile="0\.99"\} > 0\.5$/);
    expect(alert('ModelErrorRatioHigh').expr).toMatch(/ > 0\.01$/);
    expect(alert('ModelServerDown').expr).toBe('up{job=~"inferometer"} == 0');
    expect(new Set(alerts().map((a) => a.for))).toEqual(new Set(['5m']));
  });

  it('labels every alert with severity and category, and annotates summary, description and runbook', () => {
    for (const rule of alerts()) {
      expect(['critical', 'warning']).toContain(rule.labels.severity);
      expect(['model', 'infrastructure']).toContain(rule.labels.category);
      expect(Object.keys(rule.annotations)).toEqual(['summary', 'description', 'runbook']);
      expect(rule.annotations.runbook).toBe(`${RUNBOOK_PATH}#${rule.alert.toLowerCase()}`);
    }
  });

  it('points every alert at a heading that exists in the RUNBOOK.md the package ships', () => {
    const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
    const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { name: string; files: string[] };
    expect(pkg.files).toContain('RUNBOOK.md');
    expect(RUNBOOK_PATH).toBe(`node_modules/${pkg.name}/RUNBOOK.md`);
    // GitHub's heading anchors: lower case, spaces to hyphens, punctuation dropped.
    const anchors = new Set(
      readFileSync(join(packageDir, 'RUNBOOK.md'), 'utf8')
        .split('\n')
        .filter((line) => /^#{1,6} /.test(line))
        .map((line) => line.replace(/^#+ /, '').trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-')),
    );
    for (const options of [{}, { runbookUrl: 'https://wiki.example.com/rb' }]) {
      for (const rule of alerts(options)) {
        const link = rule.annotations.runbook ?? rule.annotations.runbook_url!;
        const [file, anchor] = link.split('#');
        expect(file === RUNBOOK_PATH || file === 'https://wiki.example.com/rb', link).toBe(true);
        expect(anchors.has(anchor!), `${rule.alert}: #${anchor} in RUNBOOK.md`).toBe(true);
      }
    }
  });

  it('takes thresholds, job, for durations and the runbook base from its options', () => {
    const options = { latencyP99Seconds: 0.25, errorRatio: 0.05, drift: { psi: 0.1 }, job: 'my"job', for: '10m', alertFor: { ModelServerDown: '1m' as const }, runbookUrl: 'https://wiki.example.com/rb/' };
    expect(alert('ModelLatencyP99High', options).expr).toMatch(/ > 0\.25$/);
    expect(alert('ModelErrorRatioHigh', options).annotations.description).toContain('More than 5 % of predictions failed');
    expect(alert('ModelDataDriftHigh', options).expr).toBe(
      ['psi 0.1', 'ks 0.2', 'js 0.2', 'chi2 0.5']
        .map((t) => t.split(' '))
        .map(([m, v]) => `max by (job, model_name, model_version, feature, method) (ml_data_drift_score{method="${m}"}) > ${v}`)
        .join(' or '),
    );
    expect(alert('ModelErrorRatioHigh', options).annotations.runbook).toBeUndefined();
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
      'ml_prediction_time_to_first_item_seconds 0.95',
      'ml_prediction_time_per_output_token_seconds 0.95',
      'ml_prediction_phase_seconds 0.95',
    ]);
  });

  it('refuses bad options, naming the option and what it accepts', () => {
    expect(() => prometheusRules({ errorRatio: 1.5 })).toThrow('errorRatio=1.5: expected a number greater than 0 and less than 1, e.g. 0.01');
    expect(() => prometheusRules({ latencyP99Seconds: 0 })).toThrow('latencyP99Seconds=0: expected a number greater than 0, e.g. 0.5');
    expect(() => prometheusRules({ for: '5 minutes' })).toThrow('for="5 minutes": expected a Prometheus duration such as 30s, 5m or 1h30m (units ms, s, m, h, d, w, y)');
    expect(() => prometheusRules({ job: '(' })).toThrow('job="(": not a valid regular expression');
    expect(() => prometheusRules({ drift: { wasserstein: 0.1 } as never })).toThrow('drift.wasserstein: unknown drift method; accepted: psi, ks, js, chi2');
    expect(() => prometheusRules({ cutShortRatio: 1 })).toThrow('cutShortRatio=1: expected a number greater than 0 and less than 1, e.g. 0.1');
    expect(() => prometheusRules({ ttftP95Seconds: -2 })).toThrow('ttftP95Seconds=-2: expected a number greater than 0, e.g. 2');
    expect(() => prometheusRules({ drift: { ks: -1 } })).toThrow('drift.ks=-1: expected a number greater than 0, e.g. 0.2');
    expect(() => prometheusRules({ clientErrorTypes: '' })).toThrow('clientErrorTypes="": expected a non-empty regular expression matching error_type values, e.g. invalid_input');
    expect(() => prometheusRules({ runbookUrl: 'wiki/runbooks' })).toThrow('runbookUrl="wiki/runbooks": expected an http:// or https:// URL');
    expect(() => prometheusRules({ alertFor: { ModelDown: '1m' } as never })).toThrow('alertFor.ModelDown: unknown alert; accepted: ModelLatencyP99High, ModelErrorRatioHigh,');
  });
});

describe('a wrong option of prometheusRules', () => {
  it('is an OpsConfigError of the InferometerConfigError family, naming the option, the accepted values and the near one', () => {
    let thrown: unknown;
    try {
      prometheusRules({ alertFor: { ModelLatencyP99Hihg: '5m' } } as never);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(OpsConfigError);
    expect(thrown).toBeInstanceOf(InferometerConfigError);
    const error = thrown as OpsConfigError;
    expect([error.option, error.hint, error.code]).toEqual(['alertFor.ModelLatencyP99Hihg', 'ModelLatencyP99High', 'ERR_INFEROMETER_UNKNOWN_OPTION']);
    expect(error.accepted).toContain('ModelLatencyP99High');
    expect(error.message).toMatch(/^alertFor\.ModelLatencyP99Hihg: unknown alert; accepted: /);
  });
});
