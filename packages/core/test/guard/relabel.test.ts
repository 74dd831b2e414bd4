import { execFileSync } from 'node:child_process';
import { accessSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configureGuards, GUARD_DEFAULTS } from '../../src/guard/config.js';
import { runtime } from '../../src/runtime.js';
import { prometheusRelabelConfigs } from '../../src/guard/relabel.js';

afterEach(() => runtime().guard.configure(GUARD_DEFAULTS));

/** Debian's promtool; the test fails loudly without it (apt-get install -y prometheus). */
function promtool(): string {
  const path = process.env.PROMTOOL_BIN ?? '/usr/bin/promtool';
  try {
    accessSync(path);
  } catch {
    throw new Error(`promtool not found at ${path}: apt-get update && apt-get install -y prometheus (or set PROMTOOL_BIN)`);
  }
  return path;
}

function checkConfig(snippet: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'relabel-'));
  try {
    const indented = snippet.trimEnd().split('\n').map((line) => `    ${line}`).join('\n');
    const config = `scrape_configs:\n  - job_name: model-server\n    static_configs:\n      - targets: ['127.0.0.1:9464']\n${indented}\n`;
    writeFileSync(join(dir, 'prometheus.yml'), config);
    return execFileSync(promtool(), ['check', 'config', join(dir, 'prometheus.yml')], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('prometheusRelabelConfigs', () => {
  it('is a metric_relabel_configs block that promtool check config accepts', () => {
    const snippet = prometheusRelabelConfigs({ onlyCatalog: true });
    expect(snippet).toMatch(/^metric_relabel_configs:\n/);
    expect(snippet).toContain('action: labeldrop');
    expect(snippet).toContain('action: keep');
    expect(checkConfig(snippet)).toContain('SUCCESS');
  });

  it('keeps every Inferometer family with onlyCatalog, the satellite packages and runtime metrics included, and nothing else', () => {
    const keep = /action: keep\n\s+regex: '(.*)'/.exec(prometheusRelabelConfigs({ onlyCatalog: true }))![1]!;
    const anchored = new RegExp(`^(?:${keep})$`);
    for (const name of ['ml_predictions_total', 'ml_prediction_latency_seconds_bucket', 'ml_data_drift_score', 'ml_model_load_seconds_count', 'inferometer_remote_write_samples_total', 'inferometer_series', 'process_cpu_seconds_total', 'nodejs_eventloop_lag_seconds', 'target_info']) {
      expect(anchored.test(name), name).toBe(true);
    }
    for (const name of ['http_requests_total', 'go_goroutines', 'target_info_extra']) expect(anchored.test(name), name).toBe(false);
  });

  it('leaves out a pattern that would drop a key declared on purpose, and says so', () => {
    const snippet = prometheusRelabelConfigs({ declaredKeys: ['account_id'] });
    expect(snippet).toContain('# Not dropped, declared on purpose: account_id');
    expect(checkConfig(snippet)).toContain('SUCCESS');
  });

  it('includes patterns added through configureGuards', () => {
    configureGuards({ unboundedKeyPatterns: [/^order_number$/i] });
    expect(prometheusRelabelConfigs()).toContain('(?i:order_number)');
  });

  it('drops exactly the labels the patterns name, as RE2 reads them', () => {
    // The same regex, anchored as Prometheus anchors it, in JavaScript (the
    // pattern bodies use syntax common to both).
    const regex = /regex: '(.*)'/.exec(prometheusRelabelConfigs())![1]!.replace(/\(\?i:/g, '(?:');
    const anchored = new RegExp(`^(?:${regex})$`, 'i');
    for (const label of ['user_id', 'request_id', 'trace_id', 'email', 'client_ip', 'url']) expect(anchored.test(label)).toBe(true);
    for (const label of ['model_name', 'model_version', 'status', 'error_type', 'le', 'job', 'instance', 'tier']) expect(anchored.test(label)).toBe(false);
  });
});
