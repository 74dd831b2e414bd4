import { CATALOG, CATALOG_NAME_PREFIXES } from '@inferometer/core/catalog';
import { prometheusMetricName } from '@inferometer/core/prometheus';
import { describe, expect, it } from 'vitest';
import { MLFLOW_CATALOG } from '../src/catalog.js';

describe('MLFLOW_CATALOG', () => {
  it('gives each metric the Prometheus name it promises, with an Inferometer prefix, and shares none with core', () => {
    for (const metric of MLFLOW_CATALOG) {
      expect(prometheusMetricName(metric.name, (metric.kind as string) === 'counter')).toBe(metric.prometheusName);
      expect(CATALOG_NAME_PREFIXES.some((prefix) => metric.name.startsWith(`${prefix}_`))).toBe(true);
    }
    const core = new Set<string>(CATALOG.map((m) => m.name));
    expect(MLFLOW_CATALOG.filter((m) => core.has(m.name))).toEqual([]);
  });
});
