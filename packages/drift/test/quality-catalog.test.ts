import { CATALOG } from '@inferometer/core/catalog';
import { prometheusMetricName } from '@inferometer/core/prometheus';
import { describe, expect, it } from 'vitest';
import { DRIFT_CATALOG, QUALITY_CATALOG } from '../src/catalog.js';

describe('QUALITY_CATALOG', () => {
  it('gives each metric the Prometheus name it promises, shares none with core or drift, and keeps the naming rule', () => {
    for (const metric of QUALITY_CATALOG) expect(prometheusMetricName(metric.name, (metric.kind as string) === 'counter')).toBe(metric.prometheusName);
    const taken = new Set<string>([...CATALOG, ...DRIFT_CATALOG].map((m) => m.name));
    expect(QUALITY_CATALOG.filter((m) => taken.has(m.name))).toEqual([]);
    expect(new Set(QUALITY_CATALOG.map((m) => m.name)).size).toBe(QUALITY_CATALOG.length);
    for (const metric of QUALITY_CATALOG) {
      // Counters carry no _total (every export path adds it); seconds end in _seconds; gauges take no unit 1 (OTLP would add _ratio).
      expect(metric.name.endsWith('_total'), metric.name).toBe(false);
      if (metric.unit === 's') expect(metric.name.endsWith('_seconds'), metric.name).toBe(true);
      if (metric.kind === 'gauge') expect(metric.unit, metric.name).not.toBe('1');
      expect(metric.name, metric.name).toMatch(/^(ml|inferometer)_/);
      expect(metric.description.length).toBeGreaterThan(10);
    }
  });
});
