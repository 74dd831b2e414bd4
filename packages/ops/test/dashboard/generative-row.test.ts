import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { grafanaDashboard } from '../../src/dashboard/dashboard.js';
import { GENERATIVE_QUERIES, GENERATIVE_ROW_TITLE } from '../../src/dashboard/generative-row.js';
import { prometheusRules, RULE_GROUPS } from '../../src/rules/rule-file.js';
import type { RecordingRule } from '../../src/rules/recording.js';
import { requireBinary } from '@inferometer/testing';

type Panel = { type: string; title: string; targets?: { expr: string }[]; fieldConfig?: { defaults?: { thresholds?: { steps: { value: number | null; color: string }[] } } } };
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function row(options = {}): Panel[] {
  const panels = grafanaDashboard(options).panels as Panel[];
  const at = panels.findIndex((p) => p.type === 'row' && p.title === GENERATIVE_ROW_TITLE);
  expect(at).toBeGreaterThan(0);
  const next = panels.findIndex((p, i) => i > at && p.type === 'row');
  return panels.slice(at + 1, next < 0 ? undefined : next);
}

const red = (panel: Panel): number | null | undefined => panel.fieldConfig?.defaults?.thresholds?.steps.find((s) => s.color === 'red')?.value;

describe('the generative-model row of the dashboard', () => {
  it('draws time to first token, per output token, tokens, finish reasons and phases, with the alert thresholds', () => {
    const panels = row({ ttftP95Seconds: 1.5, cutShortRatio: 0.2 });
    expect(panels.map((p) => p.title)).toEqual(['Time to first token p95', 'Time per output token p95', 'Tokens per second by type', 'Finish reasons', 'Answers cut short', 'Phase time p95']);
    expect(panels.flatMap((p) => p.targets!.map((t) => t.expr))).toEqual([
      GENERATIVE_QUERIES.timeToFirstTokenP95,
      GENERATIVE_QUERIES.timePerOutputTokenP95,
      GENERATIVE_QUERIES.tokensPerSecond,
      GENERATIVE_QUERIES.finishReasons,
      GENERATIVE_QUERIES.cutShortRatio,
      GENERATIVE_QUERIES.phaseP95,
    ]);
    expect(red(panels[0]!)).toBe(1.5);
    expect(red(panels[4]!)).toBe(0.2);
  });

  it('reads only series the recording rules record', () => {
    const recorded = new Set((prometheusRules().groups.find((g) => g.name === RULE_GROUPS.recording)!.rules as RecordingRule[]).map((r) => r.record));
    for (const expr of Object.values(GENERATIVE_QUERIES)) {
      const names = expr.match(/job_model:[a-z0-9_:]+/g) ?? [];
      expect(names, expr).toHaveLength(1);
      expect(recorded.has(names[0]!), names[0]).toBe(true);
    }
  });

  it('writes PromQL that Prometheus parses', () => {
    const promtool = requireBinary('promtool', 'prometheus', 'PROMTOOL_BIN');
    const dir = mkdtempSync(join(tmpdir(), 'inferometer-generative-row-'));
    dirs.push(dir);
    const rules = Object.values(GENERATIVE_QUERIES).map((expr, i) => ({ record: `check:q${i}`, expr: expr.replace(/\$(job|model|version)/g, '.*') }));
    writeFileSync(join(dir, 'q.yml'), stringify({ groups: [{ name: 'q', rules }] }));
    expect(execFileSync(promtool, ['check', 'rules', join(dir, 'q.yml')], { encoding: 'utf8' })).toContain(`SUCCESS: ${rules.length} rules found`);
  });
});
