/**
 * The escaping schemes against the specification's own examples. The
 * escaping schemes document (https://prometheus.io/docs/instrumenting/escaping_schemes/)
 * points to prometheus/common's model.EscapeName; the vectors below are
 * written out from its tests (model/metric_test.go, TestEscapeName and
 * TestEscapeMetricFamily), which client_java's NameEscaperTest repeats.
 */
import { describe, expect, it } from 'vitest';
import { CATALOG } from '../../src/catalog.js';
import { escapeName, ESCAPING_SCHEMES, isLegacyLabelName, isLegacyMetricName, quoteName } from '../../src/prometheus/escape.js';
import { prometheusLabelName, prometheusMetricName } from '../../src/prometheus/names.js';
import { prometheusLabels } from '../../src/prometheus/translation.js';

// [input, underscores, dots, values]: prometheus/common model/metric_test.go TestEscapeName.
const ESCAPE_NAME: readonly (readonly [string, string, string, string])[] = [
  ['', '', '', ''],
  ['no:escaping_required', 'no:escaping_required', 'no:escaping__required', 'no:escaping_required'],
  ['mysystem.prod.west.cpu.load', 'mysystem_prod_west_cpu_load', 'mysystem_dot_prod_dot_west_dot_cpu_dot_load', 'U__mysystem_2e_prod_2e_west_2e_cpu_2e_load'],
  ['mysystem.prod.west.cpu.load_total', 'mysystem_prod_west_cpu_load_total', 'mysystem_dot_prod_dot_west_dot_cpu_dot_load__total', 'U__mysystem_2e_prod_2e_west_2e_cpu_2e_load__total'],
  ['http.status:sum', 'http_status:sum', 'http_dot_status:sum', 'U__http_2e_status:sum'],
  ['label with 😱', 'label_with__', 'label__with____', 'U__label_20_with_20__1f631_'],
  ['花火', '__', '____', 'U___82b1__706b_'],
  ['label with \u0100', 'label_with__', 'label__with____', 'U__label_20_with_20__100_'],
];

describe('escapeName: the Prometheus escaping schemes', () => {
  it.each(ESCAPE_NAME)('%j', (input, underscores, dots, values) => {
    expect(escapeName(input, 'underscores')).toBe(underscores);
    expect(escapeName(input, 'dots')).toBe(dots);
    expect(escapeName(input, 'values')).toBe(values);
    expect(escapeName(input, 'allow-utf-8')).toBe(input);
  });

  it('escapes family and label names as TestEscapeMetricFamily expects', () => {
    // "label name escaping needed" (values): some.label -> U__some_2e_label; my_metric unchanged.
    expect(escapeName('some.label', 'values')).toBe('U__some_2e_label');
    // "counter, escaping needed" (values).
    expect(escapeName('my.metric', 'values')).toBe('U__my_2e_metric');
    expect(escapeName('some?label', 'values')).toBe('U__some_3f_label');
    // "gauge, escaping needed" (dots).
    expect(escapeName('unicode.and.dots.花火', 'dots')).toBe('unicode_dot_and_dot_dots_dot_____');
  });

  it('writes a leading digit as the schemes do: replaced (underscores), escaped (values)', () => {
    expect(escapeName('0abc', 'underscores')).toBe('_abc');
    expect(escapeName('0abc', 'values')).toBe('U___30_abc');
    expect(escapeName('0abc', 'dots')).toBe('__abc');
  });

  it('escapes a colon in a label name, which legacy label names cannot hold (model.EscapeName would leave it)', () => {
    expect(escapeName('http.status:sum', 'values', true)).toBe('U__http_2e_status_3a_sum');
    expect(escapeName('http.status:sum', 'dots', true)).toBe('http_dot_status__sum');
    expect(escapeName('a:b', 'underscores', true)).toBe('a_b');
    expect(prometheusLabelName('a:b', 'values')).toBe('U__a_3a_b');
    expect(prometheusLabelName('a:b', 'allow-utf-8')).toBe('a:b');
  });

  it('names every scheme as the escaping parameter spells it', () => {
    expect(ESCAPING_SCHEMES).toEqual(['allow-utf-8', 'underscores', 'dots', 'values']);
  });

  it('tells legacy names apart and quotes the others as the text format 1.0.0 does', () => {
    expect([isLegacyMetricName('ml_predictions_total'), isLegacyMetricName('a:b'), isLegacyMetricName('a.b'), isLegacyMetricName('1a')]).toEqual([true, true, false, false]);
    expect([isLegacyLabelName('model_name'), isLegacyLabelName('a:b'), isLegacyLabelName('gen_ai.request.model')]).toEqual([true, false, false]);
    expect(quoteName('a"b\\c\nd')).toBe('"a\\"b\\\\c\\nd"');
  });
});

describe('names under a negotiated scheme', () => {
  it('never changes a catalog name, under any scheme', () => {
    for (const scheme of ESCAPING_SCHEMES) {
      for (const metric of CATALOG) expect(prometheusMetricName(metric.name, metric.kind === 'counter', scheme)).toBe(metric.prometheusName);
    }
  });

  it('keeps the GenAI attribute keys under allow-utf-8 and escapes them under dots and values', () => {
    expect(prometheusLabelName('gen_ai.request.model')).toBe('gen_ai_request_model');
    expect(prometheusLabelName('gen_ai.request.model', 'underscores')).toBe('gen_ai_request_model');
    expect(prometheusLabelName('gen_ai.request.model', 'allow-utf-8')).toBe('gen_ai.request.model');
    expect(prometheusLabelName('gen_ai.request.model', 'dots')).toBe('gen__ai_dot_request_dot_model');
    expect(prometheusLabelName('gen_ai.request.model', 'values')).toBe('U__gen__ai_2e_request_2e_model');
    // A legacy key is left as it is (client_golang's family escaping), not doubled by dots.
    expect(prometheusLabelName('model_name', 'dots')).toBe('model_name');
  });

  it('adds _total to a counter before escaping, as the name the scraper sees', () => {
    expect(prometheusMetricName('http.requests', true, 'allow-utf-8')).toBe('http.requests_total');
    expect(prometheusMetricName('http.requests', true, 'values')).toBe('U__http_2e_requests__total');
    expect(prometheusMetricName('http.requests', true, 'dots')).toBe('http_dot_requests__total');
    expect(prometheusMetricName('http.requests', true, 'underscores')).toBe(prometheusMetricName('http.requests', true));
  });

  it('keeps attributes that the default joins apart under allow-utf-8', () => {
    expect(prometheusLabels({ 'service.name': 'a', service_name: 'b' })).toEqual([{ name: 'service_name', value: 'a;b' }]);
    expect(prometheusLabels({ 'service.name': 'a', service_name: 'b' }, [], 'allow-utf-8')).toEqual([
      { name: 'service.name', value: 'a' },
      { name: 'service_name', value: 'b' },
    ]);
  });
});
