import { CATALOG } from '@inferometer/core/catalog';
import { prometheusMetricName } from '@inferometer/core/prometheus';
import { describe, expect, it } from 'vitest';
import { ONNXRUNTIME_CATALOG } from '../src/catalog.js';

describe('ONNXRUNTIME_CATALOG', () => {
  it('gives each metric the Prometheus name it promises, and shares none with core', () => {
    for (const metric of ONNXRUNTIME_CATALOG) expect(prometheusMetricName(metric.name, (metric.kind as string) === 'counter')).toBe(metric.prometheusName);
    const core = new Set<string>(CATALOG.map((m) => m.name));
    expect(ONNXRUNTIME_CATALOG.filter((m) => core.has(m.name))).toEqual([]);
  });
});
