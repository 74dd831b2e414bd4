import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { prometheusRule } from '../../src/kubernetes/prometheus-rule.js';
import { renderKubernetesObject } from '../../src/kubernetes/common.js';
import { prometheusRules } from '../../src/rules/rule-file.js';
import { requireBinary } from '@inferometer/testing';

// The rules' own promtool unit tests, run against spec.groups taken out of
// the rendered PrometheusRule (what the operator hands Prometheus).
const UNIT_TESTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'rules', 'alerts.promtool.yml');
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function extractedRuleFile(yamlText: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'inferometer-prometheusrule-'));
  dirs.push(dir);
  const object = parse(yamlText) as { spec: { groups: unknown } };
  writeFileSync(join(dir, 'rules.yml'), stringify({ groups: object.spec.groups }, { lineWidth: 0 }));
  return dir;
}

describe('prometheusRule', () => {
  it('carries the groups of `inferometer rules` unchanged', () => {
    const options = { job: 'iris', for: '1m', errorRatio: 0.05 };
    expect(prometheusRule({ name: 'iris-rules', ...options }).spec.groups).toEqual(prometheusRules(options).groups);
    expect(prometheusRule({ name: 'iris-rules', ...options }).metadata.name).toBe('iris-rules');
  });

  it('passes promtool check rules and the rules\' unit tests once spec.groups is extracted', () => {
    const promtool = requireBinary('promtool', 'prometheus', 'PROMTOOL_BIN');
    const dir = extractedRuleFile(renderKubernetesObject(prometheusRule({ namespace: 'models', labels: { release: 'prom' } }), 'prometheusrule'));
    expect(execFileSync(promtool, ['check', 'rules', join(dir, 'rules.yml')], { encoding: 'utf8' })).toContain('SUCCESS: 52 rules found');
    copyFileSync(UNIT_TESTS, join(dir, 'alerts.promtool.yml'));
    const run = spawnSync(promtool, ['test', 'rules', 'alerts.promtool.yml'], { cwd: dir, encoding: 'utf8' });
    expect(run.stdout + run.stderr).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });

  it('fails the unit tests when its options move a threshold (the run above is not vacuous)', () => {
    const promtool = requireBinary('promtool', 'prometheus', 'PROMTOOL_BIN');
    const dir = extractedRuleFile(renderKubernetesObject(prometheusRule({ errorRatio: 0.2 }), 'prometheusrule'));
    copyFileSync(UNIT_TESTS, join(dir, 'alerts.promtool.yml'));
    const run = spawnSync(promtool, ['test', 'rules', 'alerts.promtool.yml'], { cwd: dir, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stdout + run.stderr).toContain('alertname: ModelErrorRatioHigh');
  });

  it('refuses bad rule and metadata options alike', () => {
    expect(() => prometheusRule({ errorRatio: 2 })).toThrow('errorRatio=2: expected a number greater than 0 and less than 1');
    expect(() => prometheusRule({ name: 'rules_' })).toThrow('name="rules_" is not a Kubernetes object name');
  });
});
