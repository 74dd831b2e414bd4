import { describe, expect, it } from 'vitest';
import { ALL_METRICS } from '../../src/catalog.js';
import { PRESENCE } from '../../src/doctor/presence.js';

describe('PRESENCE', () => {
  it('classifies every catalog metric exactly once (a new catalog entry needs a decision here)', () => {
    expect(PRESENCE.map((p) => p.metric.prometheusName).sort()).toEqual(ALL_METRICS.map((m) => m.prometheusName).sort());
  });
});
