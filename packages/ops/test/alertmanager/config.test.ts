import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alertmanagerConfig, renderAlertmanagerConfig } from '../../src/alertmanager/config.js';
import { requireBinary } from '@inferometer/testing';

const URLS = { modelWebhookUrl: 'http://sink:8080/model', infrastructureWebhookUrl: 'http://sink:8080/infrastructure' };

describe('alertmanagerConfig', () => {
  it('passes amtool check-config, and routes by category with an inhibition', () => {
    const amtool = requireBinary('amtool', 'prometheus-alertmanager', 'AMTOOL_BIN');
    const dir = mkdtempSync(join(tmpdir(), 'inferometer-amtool-'));
    try {
      writeFileSync(join(dir, 'alertmanager.yml'), renderAlertmanagerConfig(URLS));
      const output = execFileSync(amtool, ['check-config', join(dir, 'alertmanager.yml')], { encoding: 'utf8' });
      expect(output).toContain('SUCCESS');
      // amtool's own router: which receiver a model alert and a down alert reach.
      const route = (labels: string[]): string =>
        execFileSync(amtool, ['config', 'routes', 'test', `--config.file=${join(dir, 'alertmanager.yml')}`, ...labels], { encoding: 'utf8' }).trim();
      expect(route(['alertname=ModelErrorRatioHigh', 'category=model', 'model_name=iris'])).toBe('model-owners');
      expect(route(['alertname=ModelServerDown', 'category=infrastructure'])).toBe('platform-oncall');
      expect(route(['alertname=SomethingElse'])).toBe('platform-oncall');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(alertmanagerConfig(URLS).inhibit_rules).toEqual([{ source_matchers: ['alertname="ModelServerDown"'], target_matchers: ['category="model"'], equal: ['job'] }]);
  });

  it('refuses bad options, naming them', () => {
    expect(() => alertmanagerConfig({ ...URLS, modelWebhookUrl: 'sink/model' })).toThrow('modelWebhookUrl="sink/model": expected an http:// or https:// URL');
    expect(() => alertmanagerConfig({ ...URLS, groupWait: '1 minute' })).toThrow('groupWait="1 minute": expected a Prometheus duration');
  });
});
