import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { main } from '../../src/cli/main.js';

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe('inferometer CLI', () => {
  it('writes rules, dashboard, Alertmanager config and relabel snippet to stdout', async () => {
    const rules = await run('rules', '--for', '1m', '--error-ratio', '0.05', '--job', 'iris');
    expect(rules.code).toBe(0);
    const alerts = (parse(rules.stdout) as { groups: { rules: { alert?: string; expr: string; for?: string }[] }[] }).groups[1]!.rules;
    expect(alerts.find((a) => a.alert === 'ModelErrorRatioHigh')).toMatchObject({ for: '1m', expr: expect.stringMatching(/> 0\.05$/) });
    expect(alerts.find((a) => a.alert === 'ModelServerDown')!.expr).toBe('up{job=~"iris"} == 0');
    const generative = (parse((await run('rules', '--ttft-p95-seconds', '3.5', '--cut-short-ratio', '0.25')).stdout) as { groups: { rules: { alert?: string; expr: string }[] }[] }).groups[1]!.rules;
    expect(generative.find((a) => a.alert === 'ModelTimeToFirstTokenHigh')!.expr).toMatch(/> 3\.5$/);
    expect(generative.find((a) => a.alert === 'ModelGenerationsCutShort')!.expr).toMatch(/> 0\.25$/);
    const dashboard = await run('dashboard', '--title', 'Prod models', '--uid', 'prod-models', '--latency-p99-seconds', '0.3');
    expect(JSON.parse(dashboard.stdout)).toMatchObject({ title: 'Prod models', uid: 'prod-models' });
    const alertmanager = await run('alertmanager', '--model-webhook', 'http://a/model', '--infrastructure-webhook', 'http://a/infra', '--group-wait', '10s');
    expect(parse(alertmanager.stdout)).toMatchObject({ route: { group_wait: '10s' } });
    const relabel = await run('relabel');
    expect(parse(relabel.stdout)).toHaveProperty('metric_relabel_configs');
  });

  it('names the flag and the accepted values on bad input, exit code 2', async () => {
    const cases: [string[], string][] = [
      [['rules', '--error-ratio', 'abc'], 'inferometer rules: --error-ratio="abc": expected a number greater than 0 and less than 1, e.g. 0.01\n'],
      [['rules', '--latency-p99-seconds=-1'], 'inferometer rules: --latency-p99-seconds="-1": expected a number greater than 0, e.g. 0.5\n'],
      [['rules', '--latency-p99-seconds', '-1'], 'inferometer rules: flag --latency-p99-seconds: give a value that starts with "-" as --latency-p99-seconds=VALUE\n'],
      [['rules', '--for', '5min'], 'inferometer rules: --for="5min": expected a Prometheus duration such as 30s, 5m or 1h30m (units ms, s, m, h, d, w, y)\n'],
      [['rules', '--runbook-url', 'wiki'], 'inferometer rules: --runbook-url="wiki": expected an http:// or https:// URL, e.g. http://localhost:9464/metrics\n'],
      [['rules', '--treshold', '1'], 'inferometer rules: unknown flag --treshold; accepted flags: --job, --for, --runbook-url, --client-error-types, --latency-p99-seconds, --error-ratio, --drift-psi, --drift-ks, --drift-js, --drift-chi2, --ttft-p95-seconds, --cut-short-ratio, --accuracy-reference, --accuracy-margin, --calibration-gap, --data-quality-ratio, --min-outcomes\n'],
      [['rules', '--jbo', 'x'], 'inferometer rules: unknown flag --jbo; did you mean --job? accepted flags: --job, --for, --runbook-url, --client-error-types, --latency-p99-seconds, --error-ratio, --drift-psi, --drift-ks, --drift-js, --drift-chi2, --ttft-p95-seconds, --cut-short-ratio, --accuracy-reference, --accuracy-margin, --calibration-gap, --data-quality-ratio, --min-outcomes\n'],
      [['rules', '--cut-short-ratio', '2'], 'inferometer rules: --cut-short-ratio="2": expected a number greater than 0 and less than 1, e.g. 0.1\n'],
      [['rules', '--job'], 'inferometer rules: flag --job needs a value (--flag value or --flag=value)\n'],
      [['dashboard', '--drift-chi2', 'high'], 'inferometer dashboard: --drift-chi2="high": expected a number greater than 0, e.g. 0.5\n'],
      [['dashboard', '--node-job', '('], 'inferometer dashboard: --node-job="(": not a valid regular expression (Invalid regular expression: /(/: Unterminated group)\n'],
      [['rules', '--client-error-types', ''], 'inferometer rules: --client-error-types="": expected a non-empty regular expression matching error_type values, e.g. invalid_input\n'],
      [['alertmanager', '--model-webhook', 'http://a/m'], 'inferometer alertmanager: --infrastructure-webhook is required: the webhook URL that receives infrastructure alerts, e.g. --infrastructure-webhook http://alert-sink:8080/infrastructure\n'],
      [['alertmanager', '--model-webhook', 'http://a/m', '--infrastructure-webhook', 'http://a/i', '--group-wait', 'soon'], 'inferometer alertmanager: --group-wait="soon": expected a Prometheus duration such as 30s, 5m or 1h30m (units ms, s, m, h, d, w, y)\n'],
      [['doctor'], 'inferometer doctor: give the metrics URL to check, e.g. inferometer doctor http://localhost:9464/metrics [--prometheus http://localhost:9090]\n'],
      [['doctor', 'localhost:9464'], 'inferometer doctor: <metrics-url>="localhost:9464": expected an http:// or https:// URL, e.g. http://localhost:9464/metrics\n'],
      [['doctor', 'http://x/metrics', '--timeout-ms', '0'], 'inferometer doctor: --timeout-ms="0": expected a number greater than 0, e.g. 5000\n'],
      [['relabel', 'extra'], 'inferometer relabel: unexpected argument "extra"; accepted flags: --keep-only-catalog\n'],
      [['graph'], 'inferometer: unknown command "graph"; commands: dashboard, rules, alertmanager, relabel, scrapeconfig, agentconfig, vmagent, doctor, servicemonitor, podmonitor, prometheusrule, scaledobject (inferometer --help)\n'],
      [['dashbaord'], 'inferometer: unknown command "dashbaord"; did you mean dashboard? commands: dashboard, rules, alertmanager, relabel, scrapeconfig, agentconfig, vmagent, doctor, servicemonitor, podmonitor, prometheusrule, scaledobject (inferometer --help)\n'],
    ];
    for (const [argv, message] of cases) {
      const result = await run(...argv);
      expect(result.stderr, argv.join(' ')).toBe(message);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stdout).toBe('');
    }
  });

  it('prints help (exit 0 when asked, 2 with no command) and the package version', async () => {
    expect((await run('--help')).stdout).toContain('inferometer doctor <metrics-url>');
    expect((await run('rules', '--help')).code).toBe(0);
    expect((await run()).code).toBe(2);
    const pkg = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json'), 'utf8')) as { version: string };
    expect((await run('--version')).stdout).toBe(`${pkg.version}\n`);
  });
});
