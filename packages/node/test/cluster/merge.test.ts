import { ValueType } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType, type MetricData, type ScopeMetrics } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { DeltaConverter } from '../../src/cluster/delta.js';
import { attributesKey, mergeScopeMetrics } from '../../src/cluster/merge.js';
import { decode, encode } from '../../src/cluster/wire.js';

const T0: [number, number] = [100, 0];
const T1: [number, number] = [200, 0];
const descriptor = (name: string) => ({ name, description: '', unit: '', valueType: ValueType.DOUBLE });
const scope = (metrics: MetricData[]): ScopeMetrics[] => [{ scope: { name: 's' }, metrics }];
const counter = (value: number, attributes = { model_name: 'm' }): MetricData => ({
  descriptor: descriptor('calls'),
  aggregationTemporality: AggregationTemporality.CUMULATIVE,
  dataPointType: DataPointType.SUM,
  isMonotonic: true,
  dataPoints: [{ startTime: T0, endTime: T0, attributes, value }],
});
const gauge = (name: string, value: number, monotonic?: boolean): MetricData =>
  monotonic === undefined
    ? { descriptor: descriptor(name), aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.GAUGE, dataPoints: [{ startTime: T0, endTime: T0, attributes: {}, value }] }
    : { descriptor: descriptor(name), aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.SUM, isMonotonic: monotonic, dataPoints: [{ startTime: T0, endTime: T0, attributes: {}, value }] };
const histogram = (counts: number[], sum: number, min: number, max: number): MetricData => ({
  descriptor: descriptor('latency'),
  aggregationTemporality: AggregationTemporality.CUMULATIVE,
  dataPointType: DataPointType.HISTOGRAM,
  dataPoints: [{ startTime: T0, endTime: T0, attributes: {}, value: { buckets: { boundaries: [1, 2], counts }, sum, count: counts.reduce((a, b) => a + b, 0), min, max } }],
});
const values = (merged: ScopeMetrics[], name: string): unknown[] => merged.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name)?.dataPoints.map((p) => p.value) ?? [];

describe('merging workers\' points', () => {
  it('sums counters and histograms, sums in-flight over live workers, takes the largest gauge', () => {
    const merged = mergeScopeMetrics(
      [
        { scopeMetrics: scope([counter(3), histogram([1, 0, 0], 0.5, 0.5, 0.5), gauge('version', 2), gauge('in_flight', 1, false)]), alive: true },
        { scopeMetrics: scope([counter(4), histogram([0, 2, 1], 6, 1.5, 3), gauge('version', 3), gauge('in_flight', 2, false)]), alive: true },
        // An exited worker: its counts stay, its gauges and in-flight calls do not.
        { scopeMetrics: scope([counter(10), histogram([1, 0, 0], 0.1, 0.1, 0.1), gauge('version', 9), gauge('in_flight', 5, false)]), alive: false },
      ],
      T1,
    );
    expect(values(merged, 'calls')).toEqual([17]);
    expect(values(merged, 'latency')).toEqual([{ buckets: { boundaries: [1, 2], counts: [2, 2, 1] }, sum: 6.6, count: 5, min: 0.1, max: 3 }]);
    expect(values(merged, 'version')).toEqual([3]);
    expect(values(merged, 'in_flight')).toEqual([3]);
  });

  it('keeps label sets apart, whatever the key order', () => {
    const merged = mergeScopeMetrics(
      [
        { scopeMetrics: scope([counter(1, { a: '1', b: '2' } as never)]), alive: true },
        { scopeMetrics: scope([counter(2, { b: '2', a: '1' } as never), counter(5, { a: 'other' } as never)]), alive: true },
      ],
      T1,
    );
    expect(merged[0]!.metrics.flatMap((m) => m.dataPoints.map((p) => p.value))).toEqual([3, 5]);
  });
});

describe('label set keys', () => {
  it('are one key whatever the key order, and no value forges another label set', () => {
    expect(attributesKey({ a: 'x', b: 'y' })).toBe(attributesKey({ b: 'y', a: 'x' }));
    expect(attributesKey({ a: 'x1:b1:y' })).not.toBe(attributesKey({ a: 'x', b: 'y' }));
    expect(attributesKey({ a: '1' })).not.toBe(attributesKey({ a: 1 }));
    expect(attributesKey({ ab: 'c' })).not.toBe(attributesKey({ a: 'bc' }));
  });
});

describe('the wire format', () => {
  it('carries what JSON cannot (Infinity, NaN) and reads back the same points', () => {
    const original = scope([histogram([1, 0, 0], 0.5, Infinity, -Infinity), gauge('nan', Number.NaN)]);
    const back = decode(JSON.parse(JSON.stringify(encode(original))));
    expect(back).toEqual(original);
  });
});

describe('cumulative to delta for a delta reader', () => {
  it('sends the change since its previous collection, nothing when nothing changed', () => {
    const delta = new DeltaConverter();
    expect(values(delta.convert(scope([counter(5)]), T0), 'calls')).toEqual([5]);
    expect(values(delta.convert(scope([counter(8)]), T1), 'calls')).toEqual([3]);
    expect(delta.convert(scope([counter(8)]), [300, 0])).toEqual([]);
  });
});
