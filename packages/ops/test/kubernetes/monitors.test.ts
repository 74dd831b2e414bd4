import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { prometheusRelabelConfigs } from '@inferometer/core';
import { podMonitor, serviceMonitor } from '../../src/kubernetes/monitors.js';
import { toOperatorRelabelConfig } from '../../src/kubernetes/common.js';
import { metricRelabelConfigs } from '../../src/prometheus/relabel.js';

describe('serviceMonitor / podMonitor', () => {
  it('select the metrics port by name, default "metrics", and the Services or Pods named after the object', () => {
    const sm = serviceMonitor({ name: 'iris-server' });
    expect(sm.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'iris-server' } });
    expect(sm.spec.endpoints).toHaveLength(1);
    expect(sm.spec.endpoints[0]).toMatchObject({ port: 'metrics', path: '/metrics' });
    expect(sm.spec.endpoints[0]).not.toHaveProperty('interval');
    const pm = podMonitor({ name: 'iris-worker', selector: { app: 'iris' }, port: 'http-metrics', interval: '15s' });
    expect(pm.spec.selector.matchLabels).toEqual({ app: 'iris' });
    expect(pm.spec.podMetricsEndpoints[0]).toMatchObject({ port: 'http-metrics', interval: '15s' });
  });

  it('set the job label the rules and the dashboard select on', () => {
    expect(serviceMonitor().spec.endpoints[0]!.relabelings).toEqual([{ action: 'replace', targetLabel: 'job', replacement: 'inferometer' }]);
    expect(podMonitor({ job: 'iris' }).spec.podMetricsEndpoints[0]!.relabelings).toEqual([{ action: 'replace', targetLabel: 'job', replacement: 'iris' }]);
  });

  it('carry the relabel configs of `inferometer relabel`, in the operator\'s field names', () => {
    for (const keepOnlyCatalog of [false, true]) {
      const expected = metricRelabelConfigs({ keepOnlyCatalog }).map((c) => ({
        ...(c.source_labels === undefined ? {} : { sourceLabels: c.source_labels }),
        ...(c.regex === undefined ? {} : { regex: c.regex }),
        ...(c.target_label === undefined ? {} : { targetLabel: c.target_label }),
        ...(c.replacement === undefined ? {} : { replacement: c.replacement }),
        action: c.action,
      }));
      expect(serviceMonitor({ keepOnlyCatalog }).spec.endpoints[0]!.metricRelabelings).toEqual(expected);
    }
  });

  it('drop exactly the labels the cardinality guard drops (core\'s prometheusRelabelConfigs)', () => {
    const guard = (parse(prometheusRelabelConfigs()) as { metric_relabel_configs: { action: string; regex: string }[] }).metric_relabel_configs.find((c) => c.action === 'labeldrop')!;
    const drop = serviceMonitor().spec.endpoints[0]!.metricRelabelings.filter((c) => c.action === 'labeldrop');
    expect(drop).toEqual([{ action: 'labeldrop', regex: guard.regex }]);
  });

  it('translate every snake_case field of a relabel config', () => {
    expect(toOperatorRelabelConfig({ source_labels: ['a', 'b'], separator: ';', target_label: 't', regex: 'r', replacement: '$1', modulus: 4, action: 'hashmod' })).toEqual({
      sourceLabels: ['a', 'b'],
      separator: ';',
      targetLabel: 't',
      regex: 'r',
      replacement: '$1',
      modulus: 4,
      action: 'hashmod',
    });
  });

  it('mark the objects as managed by inferometer and merge the given labels', () => {
    expect(serviceMonitor({ namespace: 'models', labels: { release: 'prom' } }).metadata).toEqual({ name: 'inferometer', namespace: 'models', labels: { 'app.kubernetes.io/managed-by': 'inferometer', release: 'prom' } });
  });

  it('refuse bad options, naming the option and what it accepts', () => {
    expect(() => serviceMonitor({ name: 'Iris' })).toThrow('name="Iris" is not a Kubernetes object name');
    expect(() => serviceMonitor({ namespace: 'a.b' })).toThrow('namespace="a.b" is not a Kubernetes namespace (must not contain dots)');
    expect(() => serviceMonitor({ port: '9464' })).toThrow('port="9464" is not a Kubernetes port name (must contain at least one letter (a-z))');
    expect(() => serviceMonitor({ port: 'metrics-port-too-long' })).toThrow('port="metrics-port-too-long" is not a Kubernetes port name (must be no more than 15 characters)');
    expect(() => serviceMonitor({ path: 'metrics' })).toThrow('path="metrics": expected an HTTP path starting with "/"');
    expect(() => serviceMonitor({ interval: '15 s' })).toThrow('interval="15 s": expected a Prometheus duration');
    expect(() => serviceMonitor({ job: 'iris|models' })).toThrow('job="iris|models": expected a job name');
    expect(() => serviceMonitor({ selector: {} })).toThrow('selector={}: expected at least one label');
    expect(() => podMonitor({ labels: { 'bad key!': 'x' } })).toThrow('labels: label key "bad key!" is not a Kubernetes label key (name part must consist of');
    expect(() => podMonitor({ selector: { app: 'has space' } })).toThrow('selector: value "has space" of label app is not a Kubernetes label value');
  });
});
