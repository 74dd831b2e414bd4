import { describe, expect, it } from 'vitest';
import { grafanaDashboard } from '../../src/dashboard/dashboard.js';
import { QUALITY_QUERIES, QUALITY_ROW_TITLE } from '../../src/dashboard/quality-row.js';
import { QUALITY_RECORDED } from '../../src/rules/quality.js';
import { prometheusRules } from '../../src/rules/rule-file.js';

type Panel = { type: string; title: string; targets?: { expr: string }[]; fieldConfig?: { defaults?: { thresholds?: { steps: { value: number | null; color: string }[] } } } };

function row(options = {}): Panel[] {
  const panels = grafanaDashboard(options).panels as Panel[];
  const at = panels.findIndex((p) => p.type === 'row' && p.title === QUALITY_ROW_TITLE);
  expect(at).toBeGreaterThan(0);
  const next = panels.findIndex((p, i) => i > at && p.type === 'row');
  return panels.slice(at + 1, next < 0 ? undefined : next);
}

describe('the model-quality row of the dashboard', () => {
  it('draws accuracy (realised and estimated), per-class scores, calibration, errors, data quality and join events', () => {
    const panels = row({ accuracyReference: 0.97, accuracyMargin: 0.04, calibrationGap: 0.2, dataQualityRatio: 0.01 });
    expect(panels.map((p) => p.title)).toEqual([
      'Accuracy: realised and estimated',
      'Precision and recall per class',
      'Calibration',
      'Reliability (accuracy per confidence bin)',
      'Labelled share and label delay',
      'Regression error',
      'Data-quality issues per row',
      'Embedding centroid distance',
      'Outcome join events',
    ]);
    expect(new Set(panels.flatMap((p) => p.targets!.map((t) => t.expr)))).toEqual(new Set(Object.values(QUALITY_QUERIES)));
    // The alert floor, 0.97 - 0.04, and the calibration and data-quality thresholds.
    const steps = (p: Panel) => p.fieldConfig?.defaults?.thresholds?.steps.map((s) => s.value);
    expect(steps(panels[0]!)).toEqual([null, 0.93]);
    expect(steps(panels[2]!)).toEqual([null, 0.2]);
    expect(steps(panels[6]!)).toEqual([null, 0.01]);
  });

  it('reads only recorded series the rule file defines (or raw catalog series)', () => {
    const records = new Set(prometheusRules({}).groups.flatMap((g) => g.rules.map((r) => ('record' in r ? r.record : ''))));
    for (const name of Object.values(QUALITY_RECORDED)) expect(records.has(name), name).toBe(true);
    for (const expr of Object.values(QUALITY_QUERIES)) {
      const used = Object.values(QUALITY_RECORDED).filter((r) => expr.includes(r));
      for (const r of used) expect(records.has(r)).toBe(true);
    }
  });
});
