import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ALERT_NAMES } from '../../src/rules/alerts.js';
import { renderPrometheusRules, type RulesOptions } from '../../src/rules/rule-file.js';
import { requireBinary } from '@inferometer/testing';

// promtool unit tests (alerts.promtool.yml, beside this file) against the
// generated rules: every alert firing and not firing, in `npm test`.
const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), 'alerts.promtool.yml');
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function promtoolTest(options: RulesOptions): { status: number | null; output: string } {
  const promtool = requireBinary('promtool', 'prometheus', 'PROMTOOL_BIN');
  const dir = mkdtempSync(join(tmpdir(), 'inferometer-promtool-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'rules.yml'), renderPrometheusRules(options));
  copyFileSync(FIXTURE, join(dir, 'alerts.promtool.yml'));
  const run = spawnSync(promtool, ['test', 'rules', 'alerts.promtool.yml'], { cwd: dir, encoding: 'utf8' });
  return { status: run.status, output: run.stdout + run.stderr };
}

describe('alerting rules under promtool test rules', () => {
  it('pass every unit test with the default thresholds', () => {
    const { status, output } = promtoolTest({});
    expect(output).toContain('SUCCESS');
    expect(status).toBe(0);
  });

  it('cover every alert, both firing and not firing', () => {
    const tests = (parse(readFileSync(FIXTURE, 'utf8')) as { tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[] }).tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const alert of ALERT_NAMES) {
      expect(tests.some((t) => t.alertname === alert && t.exp_alerts.length > 0), `${alert} firing`).toBe(true);
      expect(tests.some((t) => t.alertname === alert && t.exp_alerts.length === 0), `${alert} not firing`).toBe(true);
    }
  });

  it('fail when a threshold moves (the tests pin the thresholds, not just the names)', () => {
    const { status, output } = promtoolTest({ errorRatio: 0.2, latencyP99Seconds: 0.05 });
    expect(status).toBe(1);
    expect(output).toContain('alertname: ModelErrorRatioHigh');
    expect(output).toContain('alertname: ModelLatencyP99High');
  });

  it('fail when the generative thresholds move under the quiet series', () => {
    const { status, output } = promtoolTest({ ttftP95Seconds: 1.9, cutShortRatio: 0.08 });
    expect(status).toBe(1);
    expect(output).toContain('alertname: ModelTimeToFirstTokenHigh');
    expect(output).toContain('alertname: ModelGenerationsCutShort');
    expect(output).toContain('model_name="snappy"');
  });

  for (const [method, value] of [['psi', 0.15], ['ks', 0.15], ['js', 0.15], ['chi2', 0.4]] as const) {
    it(`fail when the ${method} drift threshold moves under the quiet series`, () => {
      const { status, output } = promtoolTest({ drift: { [method]: value } });
      expect(status).toBe(1);
      expect(output).toMatch(/alertname: Model(Data|Prediction)DriftHigh/);
    });
  }

  it('fail when invalid input counts as a model failure', () => {
    const { status, output } = promtoolTest({ clientErrorTypes: 'nothing_matches' });
    expect(status).toBe(1);
    expect(output).toContain('model_name="refused"');
  });

  it('fail when the job selector does not match the targets', () => {
    const { status, output } = promtoolTest({ job: 'model-servers' });
    expect(status).toBe(1);
    expect(output).toContain('alertname: ModelServerDown');
  });

  it('pass promtool check rules with every option changed', () => {
    const promtool = requireBinary('promtool', 'prometheus', 'PROMTOOL_BIN');
    const rules = renderPrometheusRules({ job: 'iris|models-.*', for: '30s', alertFor: { ModelServerDown: '1m' }, errorRatio: 0.05, latencyP99Seconds: 2, drift: { psi: 0.1, chi2: 0.3 }, ttftP95Seconds: 5, cutShortRatio: 0.2, clientErrorTypes: 'invalid_input|Validation.*', runbookUrl: 'https://wiki.example.com/runbooks/' });
    const dir = mkdtempSync(join(tmpdir(), 'inferometer-promtool-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'rules.yml'), rules);
    const output = execFileSync(promtool, ['check', 'rules', join(dir, 'rules.yml')], { encoding: 'utf8' });
    expect(output).toContain('SUCCESS: 52 rules found');
    expect(rules).toContain('error_type=~"invalid_input|Validation.*"');
  });
});
