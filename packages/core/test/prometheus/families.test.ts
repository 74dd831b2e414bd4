import { DataPointType } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { claimedNames, groupFamilies } from '../../src/prometheus/families.js';

const metric = (name: string, dataPointType: DataPointType, isMonotonic = false) => ({ descriptor: { name, description: '', unit: '' }, dataPointType, isMonotonic });

describe('groupFamilies', () => {
  it('merges one name and type across scopes, leaves out later clashes and says why once per call', () => {
    const counterA = metric('jobs', DataPointType.SUM, true);
    const counterB = metric('jobs', DataPointType.SUM, true);
    const warned: string[] = [];
    const dropped: string[] = [];
    const families = groupFamilies(
      [{ metrics: [metric('target.info', DataPointType.GAUGE), counterA, metric('jobs_created', DataPointType.GAUGE)] }, { metrics: [counterB, metric('jobs', DataPointType.GAUGE)] }],
      { warn: (key) => warned.push(key), onDropped: (name) => dropped.push(name) },
    );
    expect([...families.keys()]).toEqual(['jobs_total']);
    expect(families.get('jobs_total')!.metrics).toEqual([counterA, counterB]);
    expect(dropped).toEqual(['target_info', 'jobs_created', 'jobs']);
    expect(warned).toEqual(['dup:target_info:gauge', 'dup:jobs_created:gauge', 'dup:jobs:gauge']);
  });

  it('exponential histograms: left out with a warning by default, one histogram family with the explicit one when native', () => {
    const explicit = metric('latency', DataPointType.HISTOGRAM);
    const exponential = metric('latency', DataPointType.EXPONENTIAL_HISTOGRAM);
    const warned: string[] = [];
    expect(groupFamilies([{ metrics: [explicit, exponential] }], { warn: (key) => warned.push(key) }).get('latency')!.metrics).toEqual([explicit]);
    expect(warned).toEqual(['exp:latency']);
    const native = groupFamilies([{ metrics: [explicit, exponential] }], { native: true });
    expect(native.get('latency')).toMatchObject({ type: 'histogram', metrics: [explicit, exponential] });
  });

  it('claims every sample name a family writes in any format', () => {
    expect(claimedNames('x_total', 'counter')).toEqual(['x_total', 'x', 'x_created']);
    expect(claimedNames('x', 'histogram')).toEqual(['x', 'x_bucket', 'x_count', 'x_sum', 'x_created']);
    expect(claimedNames('x', 'gauge')).toEqual(['x']);
  });
});
