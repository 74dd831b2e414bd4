import { DataPointType } from '@opentelemetry/sdk-metrics';
import { runtime } from '@inferometer/core/internal';
import { describe, expect, it } from 'vitest';
import { mergeParts, without } from '../../src/cluster/parts.js';

const end: [number, number] = [5, 0];

describe('thread parts in the main thread', () => {
  it("merges every thread's contribution with the main thread's own through the registered merger", async () => {
    const seen: unknown[][] = [];
    runtime().threadParts.addMerger('test-sum', (contributions) => {
      seen.push([...contributions]);
      const total = contributions.reduce<number>((sum, c) => sum + (c as number), 0);
      return { scope: 'test-scope', replaces: ['test_gauge'], gauges: [{ name: 'test_gauge', description: 'd', unit: '1', points: [{ startTime: end, endTime: end, attributes: { a: 'x' }, value: total }] }] };
    });
    const part = (payload: number) => ({ 'test-sum': { module: '@inferometer/test-sum', payload } });
    const merged = await mergeParts(part(1), [part(2), undefined, part(4)], end);
    expect(seen).toEqual([[1, 2, 4]]);
    expect([...merged.replaces]).toEqual(['test_gauge']);
    expect(merged.scopeMetrics).toHaveLength(1);
    const metric = merged.scopeMetrics[0]!.metrics[0]!;
    expect(merged.scopeMetrics[0]!.scope.name).toBe('test-scope');
    expect(metric.dataPointType).toBe(DataPointType.GAUGE);
    expect(metric.descriptor.name).toBe('test_gauge');
    expect(metric.dataPoints.map((p) => p.value)).toEqual([7]);
  });

  it("imports a part's merger from its module on first need (drift's, when the main thread never loaded @inferometer/drift)", async () => {
    expect(runtime().threadParts.merger('drift')).toBeUndefined();
    const merged = await mergeParts(undefined, [{ drift: { module: '@inferometer/drift/threads', payload: [] } }], end);
    expect([...merged.replaces].sort()).toEqual(['ml_data_drift_score', 'ml_prediction_drift_score']);
  });

  it('never imports a module outside the @inferometer scope, and keeps per-thread points when a merger fails', async () => {
    const merged = await mergeParts(undefined, [{ evil: { module: 'node:child_process', payload: 1 } }], end);
    expect(merged).toEqual({ scopeMetrics: [], replaces: new Set() });
    runtime().threadParts.addMerger('broken', () => {
      throw new Error('broken merger');
    });
    const broken = await mergeParts(undefined, [{ broken: { module: '@inferometer/broken', payload: 1 } }], end);
    expect(broken).toEqual({ scopeMetrics: [], replaces: new Set() });
  });

  it('leaves out the replaced metrics, and scopes left empty', () => {
    const metric = (name: string) => ({ descriptor: { name } }) as never;
    const scopes = [
      { scope: { name: 'a' }, metrics: [metric('x'), metric('y')] },
      { scope: { name: 'b' }, metrics: [metric('x')] },
    ];
    expect(without(scopes, new Set(['x'])).map(({ scope, metrics }) => [scope.name, metrics.map((m) => m.descriptor.name)])).toEqual([['a', ['y']]]);
  });
});
