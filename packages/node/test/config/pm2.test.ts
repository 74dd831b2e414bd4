import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { metrics } from '@opentelemetry/api';
import { resolveCluster } from '../../src/cluster/config.js';
import { detectPm2, pm2PortRange, pm2PullPort, type Pm2Process } from '../../src/config/pm2.js';
import { variable, option } from '../../src/config/env.js';
import { start, type InferometerHandle } from '../../src/start.js';
import { blame, blameAsync } from '../helpers/blame.js';
import { freePort } from '@inferometer/testing';

// What pm2 7 puts in a cluster-mode instance's environment (lib/ProcessContainer.js copies pm2_env), trimmed.
const PM2_CLUSTER_ENV = { pm_id: '3', name: 'iris', exec_mode: 'cluster_mode', instance_var: 'NODE_APP_INSTANCE', NODE_APP_INSTANCE: '1', instances: '2', restart_time: '0' };

const pm2 = (env: Record<string, string> = {}): Pm2Process => detectPm2({ ...PM2_CLUSTER_ENV, ...env }, true)!;

describe('detectPm2', () => {
  it('reads the instance, the cluster mode and increment_var from what pm2 passes', () => {
    expect(pm2()).toEqual({
      pmId: '3',
      name: 'iris',
      instance: 1,
      instanceVariable: 'NODE_APP_INSTANCE',
      instances: 2,
      clusterMode: true,
      incrementVariable: undefined,
      restarted: false,
    });
    expect(pm2({ increment_var: 'OTEL_EXPORTER_PROMETHEUS_PORT', restart_time: '2' })).toMatchObject({ incrementVariable: 'OTEL_EXPORTER_PROMETHEUS_PORT', restarted: true });
  });

  it('is undefined outside pm2, and without an instance number', () => {
    expect(detectPm2({}, true)).toBeUndefined();
    expect(detectPm2({ NODE_APP_INSTANCE: '1' }, true)).toBeUndefined();
    expect(detectPm2({ pm_id: '0' }, false)).toBeUndefined();
  });

  it('follows a renamed instance variable (instance_var, PM2_PROCESS_INSTANCE_VAR first, as pm2 does)', () => {
    expect(detectPm2({ pm_id: '0', instance_var: 'INSTANCE_ID', INSTANCE_ID: '4' }, false)).toMatchObject({ instance: 4, instanceVariable: 'INSTANCE_ID' });
    expect(detectPm2({ pm_id: '0', PM2_PROCESS_INSTANCE_VAR: 'SLOT', instance_var: 'INSTANCE_ID', SLOT: '2', INSTANCE_ID: '4' }, false)).toMatchObject({ instance: 2 });
  });

  it('is cluster mode only in a node:cluster worker with pm2 exec_mode cluster_mode', () => {
    expect(detectPm2(PM2_CLUSTER_ENV, false)?.clusterMode).toBe(false);
    expect(detectPm2({ ...PM2_CLUSTER_ENV, exec_mode: 'fork_mode' }, true)?.clusterMode).toBe(false);
  });

  it('refuses an instance number that is not one, naming the variable', () => {
    const error = blame(() => detectPm2({ ...PM2_CLUSTER_ENV, NODE_APP_INSTANCE: 'one' }, true));
    expect(error.variable).toBe('NODE_APP_INSTANCE');
  });
});

describe('pm2PullPort', () => {
  it('adds the instance number to the configured port, wherever it came from', () => {
    expect(pm2PullPort(pm2(), 9464, undefined)).toMatchObject({ port: 9465, offset: true, derivation: 'the default port 9464 + NODE_APP_INSTANCE 1' });
    expect(pm2PullPort(pm2(), 19000, variable('OTEL_EXPORTER_PROMETHEUS_PORT'))).toMatchObject({ port: 19001, derivation: 'OTEL_EXPORTER_PROMETHEUS_PORT 19000 + NODE_APP_INSTANCE 1' });
    expect(pm2PullPort(pm2(), 19000, option('prometheus.port')).port).toBe(19001);
    expect(pm2PullPort(pm2({ NODE_APP_INSTANCE: '0' }), 9464, undefined).port).toBe(9464);
  });

  it('keeps the port pm2 already increments (increment_var on the port variable), and 0', () => {
    const incremented = pm2({ increment_var: 'OTEL_EXPORTER_PROMETHEUS_PORT' });
    expect(pm2PullPort(incremented, 9465, variable('OTEL_EXPORTER_PROMETHEUS_PORT'))).toMatchObject({ port: 9465, offset: false });
    // increment_var on another variable (the service's own port) changes nothing here.
    expect(pm2PullPort(pm2({ increment_var: 'PORT' }), 9464, variable('OTEL_EXPORTER_PROMETHEUS_PORT')).port).toBe(9465);
    // A port given in code is not the one pm2 increments.
    expect(pm2PullPort(incremented, 9464, option('prometheus.port')).port).toBe(9465);
    expect(pm2PullPort(pm2(), 0, option('prometheus.port'))).toMatchObject({ port: 0, offset: false });
  });

  it('refuses a base port whose instance port is past 65535, naming where the base came from', () => {
    const error = blame(() => pm2PullPort(pm2(), 65535, variable('OTEL_EXPORTER_PROMETHEUS_PORT')));
    expect(error.variable).toBe('OTEL_EXPORTER_PROMETHEUS_PORT');
    expect(error.related).toContain('NODE_APP_INSTANCE');
    expect(blame(() => pm2PullPort(pm2(), 65535, option('prometheus.port'))).option).toBe('prometheus.port');
  });

  it('names the range of ports to scrape', () => {
    expect(pm2PortRange(pm2(), pm2PullPort(pm2(), 9464, undefined))).toBe('9464..9465');
    expect(pm2PortRange(pm2({ instances: '0' }), pm2PullPort(pm2(), 9464, undefined))).toBe('9464 + instance number');
  });
});

describe('the cluster role under pm2', () => {
  it('exports on its own in a worker of pm2 cluster mode (pm2 owns the primary)', () => {
    expect(resolveCluster(PM2_CLUSTER_ENV, undefined, true).role).toBe('off');
  });

  it("still answers the app's own primary in a worker under pm2 fork mode", () => {
    expect(resolveCluster({ ...PM2_CLUSTER_ENV, exec_mode: 'fork_mode' }, undefined, true).role).toBe('worker');
    expect(resolveCluster({ ...PM2_CLUSTER_ENV, exec_mode: 'fork_mode' }, undefined, false).role).toBe('primary');
  });
});

// start() in this process (not a node:cluster worker): pm2's fork mode, where
// instances > 1 run as separate processes that would all ask for one port.
describe('start() under pm2 fork mode', () => {
  const handles: InferometerHandle[] = [];
  const servers: Server[] = [];
  afterEach(async () => {
    for (const handle of handles.splice(0)) await handle.shutdown();
    for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
    metrics.disable();
  });
  const forkEnv = async (instance: number): Promise<{ env: Record<string, string>; base: number }> => {
    const base = await freePort();
    return { base, env: { pm_id: String(instance), exec_mode: 'fork_mode', NODE_APP_INSTANCE: String(instance), OTEL_EXPORTER_PROMETHEUS_PORT: String(base - instance) } };
  };

  it('serves the configured port plus the instance number', async () => {
    const { env, base } = await forkEnv(1);
    const handle = await start({ env, runtimeMetrics: false, prometheus: { host: '127.0.0.1' } });
    handles.push(handle);
    expect(handle.metricsUrl).toBe(`http://127.0.0.1:${base}/metrics`);
    expect((await fetch(handle.metricsUrl!)).status).toBe(200);
  });

  it('fails at start when the instance port is taken, naming the variable and the fix', async () => {
    const { env, base } = await forkEnv(1);
    const holder = createServer();
    servers.push(holder);
    await new Promise<void>((resolve) => holder.listen(base, '127.0.0.1', resolve));
    // Restarted or not: outside cluster mode no predecessor shares the port.
    const error = await blameAsync(start({ env: { ...env, restart_time: '1' }, runtimeMetrics: false, prometheus: { host: '127.0.0.1' } }));
    expect(error.variable).toBe('OTEL_EXPORTER_PROMETHEUS_PORT');
    expect(error.message).toContain(`port ${base}`);
    expect(error.message).toContain('base port plus its instance number');
    expect(error.message).toContain('inferometer scrapeconfig');
  });
});
