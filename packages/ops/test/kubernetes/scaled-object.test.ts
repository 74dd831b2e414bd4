import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { METRIC_PREDICTIONS_IN_FLIGHT } from '@inferometer/core/catalog';
import { inFlightQuery, scaledObject } from '../../src/kubernetes/scaled-object.js';
import { requireBinary } from '@inferometer/testing';

const KEDA = { deployment: 'iris-server', serverAddress: 'http://prometheus-operated.monitoring.svc:9090', threshold: 8 };
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('scaledObject', () => {
  it('scales the Deployment on the sum of in-flight predictions through the Prometheus scaler', () => {
    const scaler = scaledObject(KEDA);
    expect(scaler.metadata.name).toBe('iris-server');
    expect(scaler.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'iris-server' },
      minReplicaCount: 1,
      maxReplicaCount: 10,
      triggers: [{ type: 'prometheus', metadata: { serverAddress: KEDA.serverAddress, query: `sum(${METRIC_PREDICTIONS_IN_FLIGHT.prometheusName}{job="inferometer"})`, threshold: '8' } }],
    });
  });

  it('narrows the query to the namespace, job and model it is given', () => {
    const scaler = scaledObject({ ...KEDA, name: 'iris-scaler', namespace: 'models', job: 'iris', modelName: 'iris "v2"', threshold: 2.5, minReplicas: 2, maxReplicas: 30 });
    expect(scaler.metadata).toMatchObject({ name: 'iris-scaler', namespace: 'models' });
    expect(scaler.spec.triggers[0]!.metadata).toMatchObject({ query: 'sum(ml_predictions_in_flight{job="iris", namespace="models", model_name="iris \\"v2\\""})', threshold: '2.5' });
    expect(scaler.spec).toMatchObject({ minReplicaCount: 2, maxReplicaCount: 30 });
  });

  it('writes queries Prometheus parses', () => {
    const promtool = requireBinary('promtool', 'prometheus', 'PROMTOOL_BIN');
    const dir = mkdtempSync(join(tmpdir(), 'inferometer-keda-'));
    dirs.push(dir);
    const queries = [inFlightQuery({}), inFlightQuery({ job: 'a"b', namespace: 'models', modelName: 'x\\y' })];
    writeFileSync(join(dir, 'q.yml'), stringify({ groups: [{ name: 'q', rules: queries.map((expr, i) => ({ record: `keda:query${i}`, expr })) }] }));
    expect(execFileSync(promtool, ['check', 'rules', join(dir, 'q.yml')], { encoding: 'utf8' })).toContain('SUCCESS: 2 rules found');
  });

  it('refuses bad options, naming the option and what it accepts', () => {
    expect(() => scaledObject({ ...KEDA, deployment: '' })).toThrow('deployment="" is not a Kubernetes object name');
    expect(() => scaledObject({ ...KEDA, serverAddress: 'prometheus:9090' })).toThrow('serverAddress="prometheus:9090": expected an http:// or https:// URL');
    expect(() => scaledObject({ ...KEDA, threshold: 0 })).toThrow('threshold=0: expected a number greater than 0, e.g. 8');
    // Zero replicas carry nothing in flight: the trigger could never wake the Deployment.
    expect(() => scaledObject({ ...KEDA, minReplicas: 0 })).toThrow('minReplicas=0: expected a whole number of replicas from 1 to 2147483647');
    expect(() => scaledObject({ ...KEDA, maxReplicas: 2.5 })).toThrow('maxReplicas=2.5: expected a whole number of replicas');
    expect(() => scaledObject({ ...KEDA, minReplicas: 3, maxReplicas: 2 })).toThrow('minReplicas=3 is above maxReplicas=2; expected minReplicas <= maxReplicas');
    expect(() => scaledObject({ ...KEDA, modelName: '' })).toThrow('modelName="": expected a model name');
  });
});
