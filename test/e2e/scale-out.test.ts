import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { METRIC_PREDICTIONS } from '@inferometer/core/catalog';
import { main as inferometer, SHARD_HASH_LABEL } from '@inferometer/ops';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoProcess, type DemoProcess } from '../support/demo-process.js';
import { eventually } from '../support/ports.js';
import { startPrometheusAgent, startVmagent, type PrometheusAgent, type VmagentServer } from '../support/vmagent.js';
import { startVictoriaMetrics, type ExportedSeries, type VictoriaMetricsServer } from '../support/victoria-metrics.js';

// The two scale-out paths of the README's "Scale-out", with real servers and
// exactly the configs `inferometer vmagent` and `inferometer agentconfig`
// generate:
// 1. push: two demo replicas remote-write to one vmagent (Debian's 1.79),
//    which shards the series across two VictoriaMetrics storages; a replica
//    crashes (SIGKILL), the other is stopped (SIGTERM: remote write flushes on
//    it), both come back as new instances, and the counts summed over both
//    shards must be the calls made, each series on exactly one shard;
// 2. pull: a Prometheus 2.42 in agent mode scrapes a replica's pull endpoint
//    and forwards to a central VictoriaMetrics, which must count the calls made.
const PREDICTIONS = METRIC_PREDICTIONS.prometheusName;
const AGENT_JOB = 'iris-agent';

let dir: string;
let shards: VictoriaMetricsServer[] = [];
let central: VictoriaMetricsServer | undefined;
let vmagent: VmagentServer | undefined;
let agent: PrometheusAgent | undefined;
let pulled: DemoProcess | undefined;
const replicas = new Map<string, DemoProcess>();
let printedVmagent = '';
let printedAgentConfig = '';

/** Runs the CLI in-process; the output, or the test fails with what it printed. */
async function cli(...argv: string[]): Promise<string> {
  let out = '';
  let err = '';
  const code = await inferometer(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  if (code !== 0) throw new Error(`inferometer ${argv.join(' ')} exited ${code}: ${err}`);
  return out;
}

/** The flags of the command line `inferometer vmagent` prints (one per line, `  -flag=value \`). */
function printedFlags(printed: string): string[] {
  return printed
    .split('\n')
    .filter((line) => /^\s+-/.test(line))
    .map((line) => line.trim().replace(/\s*\\$/, ''))
    .map((word) => (word.startsWith("'") ? word.slice(1, -1).replace(/'\\''/g, "'") : word));
}

/** A replica pushing remote write to vmagent as `instance`. */
function startReplica(instance: string): Promise<DemoProcess> {
  return startDemoProcess(['--no-traffic'], {
    OTEL_METRICS_EXPORTER: 'prometheusremotewrite',
    INFEROMETER_REMOTE_WRITE_URL: vmagent!.writeUrl,
    OTEL_METRIC_EXPORT_INTERVAL: '500',
    OTEL_RESOURCE_ATTRIBUTES: `service.instance.id=${instance}`,
  });
}

async function predict(demo: DemoProcess, calls: number): Promise<void> {
  for (let i = 0; i < calls; i++) {
    const response = await fetch(`${demo.apiUrl}/predict`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ features: [5.9, 3.0, 4.2, 1.5] }) });
    expect(response.status).toBe(200);
    await response.body?.cancel();
  }
}

/** What a user checks across shards: per shard, the last value of each instance's counters, summed; then the shards added. */
async function totalAcrossShards(): Promise<number> {
  let total = 0;
  for (const shard of shards) {
    const result = await shard.query(`sum(last_over_time(${PREDICTIONS}{job="iris-demo"}[10m]))`);
    total += result.length === 0 ? 0 : Number(result[0]!.value[1]);
  }
  return total;
}

const seriesKey = (series: ExportedSeries): string =>
  JSON.stringify(Object.entries(series.metric).sort(([a], [b]) => a.localeCompare(b)));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'inferometer-scale-out-'));
  const servers = await Promise.all([startVictoriaMetrics(), startVictoriaMetrics(), startVictoriaMetrics()]);
  shards = servers.slice(0, 2);
  central = servers[2];
  printedVmagent = await cli('vmagent', '--shard-url', shards[0]!.writeUrl, '--shard-url', shards[1]!.writeUrl, '--relabel-dir', dir);
  vmagent = await startVmagent(printedFlags(printedVmagent));
  pulled = await startDemoProcess(['--no-traffic'], { OTEL_METRICS_EXPORTER: 'prometheus' });
  printedAgentConfig = await cli(
    'agentconfig',
    '--host', '127.0.0.1',
    '--port', String(pulled.metricsPort),
    '--job', AGENT_JOB,
    '--interval', '1s',
    '--remote-write-url', central!.writeUrl,
    '--send-deadline', '1s',
  );
  agent = await startPrometheusAgent(printedAgentConfig);
  const [a, b] = await Promise.all([startReplica('replica-a-1'), startReplica('replica-b-1')]);
  replicas.set('a', a);
  replicas.set('b', b);
}, 60_000);

afterAll(async () => {
  const stopAll = (servers: readonly ({ stop(): Promise<void> } | undefined)[]): Promise<unknown> =>
    Promise.allSettled(servers.flatMap((server) => (server === undefined ? [] : [server.stop()])));
  await stopAll([...replicas.values(), pulled]);
  await stopAll([vmagent, agent]);
  await stopAll([...shards, central]);
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('scale-out: replicas pushing through vmagent sharding across two VictoriaMetrics', () => {
  it('runs vmagent with the printed flags, pointing at the relabel files it wrote', () => {
    const flags = printedFlags(printedVmagent);
    expect(flags).toEqual([
      `-remoteWrite.url=${shards[0]!.writeUrl}`,
      `-remoteWrite.urlRelabelConfig=${dir}/shard-0.yml`,
      `-remoteWrite.url=${shards[1]!.writeUrl}`,
      `-remoteWrite.urlRelabelConfig=${dir}/shard-1.yml`,
    ]);
    expect(readFileSync(join(dir, 'shard-1.yml'), 'utf8')).toMatch(/action: hashmod[\s\S]*modulus: 2[\s\S]*action: keep[\s\S]*regex: "1"[\s\S]*action: labeldrop/);
  });

  it('counts every call across the shards, exactly, through a SIGKILL, a SIGTERM and restarts', async () => {
    let calls = 0;
    await Promise.all([predict(replicas.get('a')!, 10), predict(replicas.get('b')!, 7)]);
    calls += 17;
    // A crash loses what was not pushed yet: wait until the shards hold it, then SIGKILL.
    await eventually('the first calls to reach the shards', async () => ((await totalAcrossShards()) === calls ? true : undefined));
    await replicas.get('a')!.kill('SIGKILL');
    // SIGTERM right after the calls: only the exporter's flush on the signal delivers them.
    await predict(replicas.get('b')!, 5);
    calls += 5;
    await replicas.get('b')!.kill('SIGTERM');
    // Back as new instances (a new pod, a new pm2 process): their counters start at 0.
    const [a2, b2] = await Promise.all([startReplica('replica-a-2'), startReplica('replica-b-2')]);
    replicas.set('a', a2);
    replicas.set('b', b2);
    await Promise.all([predict(a2, 6), predict(b2, 4)]);
    calls += 10;
    await eventually(`the shards to count ${calls} calls`, async () => ((await totalAcrossShards()) === calls ? true : undefined));
    // Per instance, from both shards: the killed instance kept what it pushed, the stopped one what it flushed.
    const perInstance = new Map<string, number>();
    for (const shard of shards) {
      for (const r of await shard.query(`sum by (instance) (last_over_time(${PREDICTIONS}{job="iris-demo"}[10m]))`)) {
        perInstance.set(r.metric.instance!, (perInstance.get(r.metric.instance!) ?? 0) + Number(r.value[1]));
      }
    }
    expect(Object.fromEntries(perInstance)).toEqual({ 'replica-a-1': 10, 'replica-b-1': 12, 'replica-a-2': 6, 'replica-b-2': 4 });
    // Two restarts and two waits for delivery, each bounded by eventually's 30 s: not the default test timeout.
  }, 90_000);

  it('puts each series on exactly one shard, without the hash label', async () => {
    const [first, second] = await Promise.all(shards.map((shard) => shard.exportRaw('{__name__=~".+"}')));
    const keys = [new Set(first!.map(seriesKey)), new Set(second!.map(seriesKey))];
    // Both shards get a share (some 100 series of four instances), and no series is on both.
    expect(keys[0]!.size).toBeGreaterThan(0);
    expect(keys[1]!.size).toBeGreaterThan(0);
    expect([...keys[0]!].filter((key) => keys[1]!.has(key))).toEqual([]);
    for (const series of [...first!, ...second!]) expect(series.metric).not.toHaveProperty(SHARD_HASH_LABEL);
    // Everything pushed arrived on some shard: the instances' names are on the union.
    const instances = new Set([...first!, ...second!].map((s) => s.metric.instance));
    expect([...instances].sort()).toEqual(['replica-a-1', 'replica-a-2', 'replica-b-1', 'replica-b-2']);
  });
});

describe('scale-out: a Prometheus in agent mode forwarding a replica to a central VictoriaMetrics', () => {
  it('runs the generated agent config: the central receiver counts the calls made', async () => {
    expect(printedAgentConfig).toMatch(/remote_write:\n\s+- url: http:\/\/127\.0\.0\.1:\d+\/api\/v1\/write/);
    await predict(pulled!, 9);
    const counted = await central!.waitFor(`sum(${PREDICTIONS}{job="${AGENT_JOB}"})`, (value) => value === 9);
    expect(counted).toBe(9);
    // The agent forwarded a scrape, not a push: the scrape's own series came along.
    expect(await central!.waitFor(`up{job="${AGENT_JOB}",instance="127.0.0.1:${pulled!.metricsPort}"}`, (value) => value === 1)).toBe(1);
  }, 60_000);
});
