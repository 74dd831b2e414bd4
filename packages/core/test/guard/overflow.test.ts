import { afterEach, describe, expect, it } from 'vitest';
import { attachCollector } from '../../src/collector.js';
import { configureGuards, resetGuards } from '../../src/guard/config.js';
import { reject, rejectionCounts } from '../../src/guard/registry.js';
import { instrument } from '../../src/instrument.js';

afterEach(() => resetGuards());

describe('series cap overflow', () => {
  it("keeps the model's name on its overflow series, under the cap", () => {
    configureGuards({ maxSeriesPerMetric: 30 });
    const collector = attachCollector();
    try {
      const predict = instrument((tier: string) => tier, { model: 'capped', version: '1', attributes: { tier: (_self, [tier]) => tier } });
      for (let i = 0; i < 60; i++) predict(`t${i}`);
      const points = collector.collect([1, 0]).find((m) => m.definition.name === 'ml_predictions')!.points;
      expect(points.length).toBeLessThanOrEqual(30);
      const overflow = points.find((p) => p.attributes.model_name === 'capped' && p.attributes.model_version === '_OTHER');
      expect(overflow?.attributes.tier).toBe('_OTHER');
      expect(points.reduce((total, p) => total + (p.value as number), 0)).toBe(60);
    } finally {
      collector.detach();
    }
  });
});

describe('rejections of keys that come from traffic', () => {
  it('report an over-long key as _TOO_LONG_ rather than keeping it', () => {
    reject('m', 'k'.repeat(1_000_000), 'undeclared');
    const entry = [...rejectionCounts()].find((r) => r.attributes.metric === 'm');
    expect(entry?.attributes.attribute).toBe('_TOO_LONG_');
  });
});
