import { describe, expect, it } from 'vitest';
import { prometheusBucketBound, prometheusLabelName, prometheusLabelValue, prometheusMetricName } from '../../src/prometheus/names.js';
import { CATALOG } from '../../src/catalog.js';

describe('Prometheus naming', () => {
  it('gives every catalog metric the Prometheus name the catalog promises', () => {
    for (const metric of CATALOG) expect(prometheusMetricName(metric.name, metric.kind === 'counter')).toBe(metric.prometheusName);
  });

  it('sanitizes, collapses underscores, adds _total to monotonic sums only, and never starts with a digit', () => {
    expect(prometheusMetricName('http.server/duration', false)).toBe('http_server_duration');
    expect(prometheusMetricName('a..b', true)).toBe('a_b_total');
    expect(prometheusMetricName('requests_total', true)).toBe('requests_total');
    expect(prometheusMetricName('5xx.errors', false)).toBe('_5xx_errors');
    expect(prometheusMetricName('...', false)).toBeUndefined();
    expect(prometheusLabelName('http.route')).toBe('http_route');
    expect(prometheusLabelName('2fa')).toBe('_2fa');
  });

  it('renders values and bucket bounds as the pull endpoint does', () => {
    expect([prometheusLabelValue('x'), prometheusLabelValue(3), prometheusLabelValue(true), prometheusLabelValue([1, 'a']), prometheusLabelValue(undefined)]).toEqual(['x', '3', 'true', '[1,"a"]', '']);
    expect([prometheusBucketBound(0.25), prometheusBucketBound(10), prometheusBucketBound(Infinity), prometheusBucketBound(undefined)]).toEqual(['0.25', '10', '+Inf', '+Inf']);
  });
});
