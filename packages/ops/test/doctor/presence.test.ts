import { describe, expect, it } from 'vitest';
import { CATALOG } from '@inferometer/core';
import { PRESENCE } from '../../src/doctor/presence.js';

describe('PRESENCE', () => {
  it('classifies every catalog metric exactly once (a new catalog entry needs a decision here)', () => {
    expect(PRESENCE.map((p) => p.metric.prometheusName).sort()).toEqual(CATALOG.map((m) => m.prometheusName).sort());
  });
});
