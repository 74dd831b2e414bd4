import { describe, expect, it } from 'vitest';
import { negotiate, OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE } from '../../src/prometheus/negotiation.js';
import { PROTOBUF_CONTENT_TYPE } from '../../src/prometheus/protobuf/index.js';

const PROMETHEUS_2_42 = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

describe('negotiate', () => {
  it.each([
    ['Prometheus 2.42', PROMETHEUS_2_42, OPENMETRICS_CONTENT_TYPE],
    ['Prometheus 2.30 (OpenMetrics 0.0.1 first)', 'application/openmetrics-text; version=0.0.1,text/plain;version=0.0.4;q=0.5,*/*;q=0.1', 'application/openmetrics-text; version=0.0.1; charset=utf-8'],
    ['no Accept', undefined, PROMETHEUS_CONTENT_TYPE],
    ['curl', '*/*', PROMETHEUS_CONTENT_TYPE],
    ['text preferred by q', 'application/openmetrics-text;version=1.0.0;q=0.2,text/plain;version=0.0.4;q=0.9', PROMETHEUS_CONTENT_TYPE],
    ['OpenMetrics refused with q=0', 'application/openmetrics-text;q=0,*/*', PROMETHEUS_CONTENT_TYPE],
    ['an OpenMetrics version not served', 'application/openmetrics-text;version=2.0.0', PROMETHEUS_CONTENT_TYPE],
    ['only formats not served', 'application/json', PROMETHEUS_CONTENT_TYPE],
    // What Prometheus 2.42 sends with --enable-feature=native-histograms.
    ['protobuf first, OpenMetrics next', 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited,application/openmetrics-text;version=1.0.0;q=0.8,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1', PROTOBUF_CONTENT_TYPE],
    ['protobuf of another message', 'application/vnd.google.protobuf;proto=io.prometheus.client.Other;encoding=delimited,text/plain;q=0.5', PROMETHEUS_CONTENT_TYPE],
    ['protobuf not delimited', 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=text', PROMETHEUS_CONTENT_TYPE],
  ])('%s', (_name, accept, contentType) => {
    expect(negotiate(accept, undefined).contentType).toBe(contentType);
  });

  it.each([
    ['gzip', true],
    ['gzip, deflate, br', true],
    ['br;q=1.0, gzip;q=0.8', true],
    ['gzip;q=0', false],
    ['identity', false],
    ['*', true],
    ['*;q=0', false],
    [undefined, false],
  ])('Accept-Encoding %s gives gzip %s', (header, gzip) => {
    expect(negotiate(undefined, header).gzip).toBe(gzip);
  });

  it('never gzips when gzip is off', () => {
    expect(negotiate(PROMETHEUS_2_42, 'gzip', false).gzip).toBe(false);
  });
});
