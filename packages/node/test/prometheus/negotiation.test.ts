import { describe, expect, it } from 'vitest';
import { negotiate, OPENMETRICS_CONTENT_TYPE, PROMETHEUS_1_0_0_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE } from '../../src/prometheus/negotiation.js';
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

  // The Accept of a Prometheus 3.0 scrape with its default scrape_protocols
  // (as quoted in open-telemetry/opentelemetry-dotnet's scrape tests, issue 7207).
  const PROMETHEUS_3 =
    'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1';

  it.each([
    ['Prometheus 3 (OpenMetrics first, UTF-8 names)', PROMETHEUS_3, 'openmetrics', 'allow-utf-8', `${OPENMETRICS_CONTENT_TYPE}; escaping=allow-utf-8`],
    ['Prometheus 3 with PrometheusText1.0.0 first in scrape_protocols', 'text/plain;version=1.0.0;escaping=allow-utf-8;q=0.6,text/plain;version=0.0.4;q=0.5,application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.4,*/*;q=0.3', 'text', 'allow-utf-8', `${PROMETHEUS_1_0_0_CONTENT_TYPE}; escaping=allow-utf-8`],
    ['Prometheus 3 with only the text formats', 'text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1', 'text', 'allow-utf-8', `${PROMETHEUS_1_0_0_CONTENT_TYPE}; escaping=allow-utf-8`],
    ['text 1.0.0, values', 'text/plain;version=1.0.0;escaping=values', 'text', 'values', `${PROMETHEUS_1_0_0_CONTENT_TYPE}; escaping=values`],
    ['text 1.0.0, dots', 'text/plain;version=1.0.0;escaping=dots', 'text', 'dots', `${PROMETHEUS_1_0_0_CONTENT_TYPE}; escaping=dots`],
    ['text 1.0.0 without escaping: underscores, echoed', 'text/plain;version=1.0.0', 'text', 'underscores', `${PROMETHEUS_1_0_0_CONTENT_TYPE}; escaping=underscores`],
    ['text 1.0.0 with an unknown scheme (allow-utf8, the docs typo of prometheus/docs#2747): underscores', 'text/plain;version=1.0.0;escaping=allow-utf8', 'text', 'underscores', `${PROMETHEUS_1_0_0_CONTENT_TYPE}; escaping=underscores`],
    ['protobuf with escaping, as Prometheus 3 with created-timestamp-zero-ingestion asks', 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;escaping=allow-utf-8;q=0.6,text/plain;version=0.0.4;q=0.2', 'protobuf', 'allow-utf-8', `${PROTOBUF_CONTENT_TYPE}; escaping=allow-utf-8`],
    ['OpenMetrics without escaping: as before, nothing echoed', 'application/openmetrics-text;version=1.0.0', 'openmetrics', undefined, OPENMETRICS_CONTENT_TYPE],
    ['the highest q wins over the order', 'text/plain;version=0.0.4;q=0.2,text/plain;version=1.0.0;escaping=values;q=0.9', 'text', 'values', `${PROMETHEUS_1_0_0_CONTENT_TYPE}; escaping=values`],
    ['ties: the first listed', 'text/plain;version=1.0.0;escaping=dots;q=0.5,text/plain;version=1.0.0;escaping=values;q=0.5', 'text', 'dots', `${PROMETHEUS_1_0_0_CONTENT_TYPE}; escaping=dots`],
    ['q=0 excludes a range', 'text/plain;version=1.0.0;escaping=allow-utf-8;q=0,text/plain;version=0.0.4;q=0.1', 'text', undefined, PROMETHEUS_CONTENT_TYPE],
    ['a text version not served falls back to 0.0.4', 'text/plain;version=2.0.0', 'text', undefined, PROMETHEUS_CONTENT_TYPE],
    ['parameters in any case and spacing', 'Text/Plain ; Version=1.0.0 ; Escaping=dots', 'text', 'dots', `${PROMETHEUS_1_0_0_CONTENT_TYPE}; escaping=dots`],
  ])('%s', (_name, accept, format, escaping, contentType) => {
    const negotiated = negotiate(accept, undefined);
    expect([negotiated.format, negotiated.escaping, negotiated.contentType]).toEqual([format, escaping, contentType]);
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
