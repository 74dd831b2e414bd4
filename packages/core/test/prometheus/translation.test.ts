import { DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import {
  DATA_POINT_TYPE,
  prometheusFamilyName,
  prometheusLabels,
  prometheusType,
  reservedLabels,
} from '../../src/prometheus/translation.js';

function metric(dataPointType: DataPointType, isMonotonic?: boolean, name = 'x.requests'): MetricData {
  return { descriptor: { name }, dataPointType, isMonotonic, dataPoints: [] } as unknown as MetricData;
}

describe('Prometheus translation', () => {
  it('mirrors the data point types of sdk-metrics', () => {
    expect(DATA_POINT_TYPE).toEqual({
      HISTOGRAM: DataPointType.HISTOGRAM,
      EXPONENTIAL_HISTOGRAM: DataPointType.EXPONENTIAL_HISTOGRAM,
      GAUGE: DataPointType.GAUGE,
      SUM: DataPointType.SUM,
    });
  });

  it('maps monotonic sums to counters, other sums and gauges to gauges, and leaves exponential histograms out', () => {
    expect(prometheusType(metric(DataPointType.SUM, true))).toBe('counter');
    expect(prometheusType(metric(DataPointType.SUM, false))).toBe('gauge');
    expect(prometheusType(metric(DataPointType.GAUGE))).toBe('gauge');
    expect(prometheusType(metric(DataPointType.HISTOGRAM))).toBe('histogram');
    expect(prometheusType(metric(DataPointType.EXPONENTIAL_HISTOGRAM))).toBeUndefined();
  });

  it('adds _total to monotonic sums only, and gives undefined for names that sanitize to nothing', () => {
    expect(prometheusFamilyName(metric(DataPointType.SUM, true))).toBe('x_requests_total');
    expect(prometheusFamilyName(metric(DataPointType.SUM, false))).toBe('x_requests');
    expect(prometheusFamilyName(metric(DataPointType.SUM, true, '...'))).toBeUndefined();
    expect(prometheusFamilyName(metric(DataPointType.SUM, true, '...'))).toBeUndefined();
  });

  it('sorts labels by name and joins the values of attributes that sanitize to one name in key order', () => {
    expect(prometheusLabels({ 'service.name': 'a', service_name: 'b', 'http.route': '/x', z: 1 })).toEqual([
      { name: 'http_route', value: '/x' },
      { name: 'service_name', value: 'a;b' },
      { name: 'z', value: '1' },
    ]);
  });

  it('leaves out empty values, missing values and keys that sanitize to nothing', () => {
    expect(prometheusLabels({ a: '', b: undefined, '': 'x', c: 'y' })).toEqual([{ name: 'c', value: 'y' }]);
  });

  it('renames attributes that take a reserved label with exported_, and joins them with an existing exported_ attribute', () => {
    expect(reservedLabels('histogram')).toEqual(['le']);
    expect(reservedLabels('summary')).toEqual(['quantile']);
    expect(reservedLabels('counter')).toEqual([]);
    expect(prometheusLabels({ le: '5', quantile: 'q' }, reservedLabels('histogram'))).toEqual([
      { name: 'exported_le', value: '5' },
      { name: 'quantile', value: 'q' },
    ]);
    expect(prometheusLabels({ quantile: 'q' }, reservedLabels('summary'))).toEqual([{ name: 'exported_quantile', value: 'q' }]);
    expect(prometheusLabels({ le: '5' }, reservedLabels('gauge'))).toEqual([{ name: 'le', value: '5' }]);
    expect(prometheusLabels({ exported_le: 'a', le: 'b' }, reservedLabels('histogram'))).toEqual([{ name: 'exported_le', value: 'a;b' }]);
  });
});
