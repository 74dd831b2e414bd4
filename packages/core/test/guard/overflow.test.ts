import { beforeEach, describe, expect, it } from 'vitest';
import { attachCollectorTo } from '../../src/collector.js';
import { resolveGuardOptions } from '../../src/guard/config.js';
import { wrapFunction } from '../../src/instrument.js';
import type { InstrumentOptions } from '../../src/options.js';
import { compilePlan } from '../../src/plan.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';

let rt: Runtime;
beforeEach(() => {
  rt = createRuntime();
});
const instrument = <F extends (...args: any[]) => any>(fn: F, options: InstrumentOptions<any, any, any>): F => wrapFunction(fn, compilePlan(options as InstrumentOptions, rt.recorder, 'test'));

describe('series cap overflow', () => {
  it("keeps the model's name on its overflow series, under the cap", () => {
    rt.guard.configure(resolveGuardOptions({ maxSeriesPerMetric: 30 }));
    const collector = attachCollectorTo(rt);
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
    rt.guard.reject('m', 'k'.repeat(1_000_000), 'undeclared');
    const entry = [...rt.guard.rejectionCounts()].find((r) => r.attributes.metric === 'm');
    expect(entry?.attributes.attribute).toBe('_TOO_LONG_');
  });
});
