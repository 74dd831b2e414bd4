import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { METRIC_PREDICTION_LATENCY, METRIC_PREDICTIONS } from '@inferometer/core';
import { freePort, startPrometheus, type PrometheusServer } from '@inferometer/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { scrapeSums } from '../helpers/fixture-app.js';
import { CLUSTER_COLLECT_TIMEOUT_VARIABLE, METRIC_CLUSTER_COLLECT_MISSES, METRIC_CLUSTER_WORKERS } from '../../src/cluster/names.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/cluster-app.mjs', import.meta.url));
const MODEL = 'cluster-model';

/** A running fixture cluster: its pull endpoint and a way to drive its workers. */
interface App {
  readonly url: string;
  command(message: Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
}

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function startApp(env: Record<string, string> = {}): Promise<App> {
  const child: ChildProcess = fork(FIXTURE, [], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let next = 0;
  const waiting = new Map<number, () => void>();
  const ready = new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`fixture exited with ${String(code)}`)));
    child.on('message', (message: { ready?: boolean; url?: string; id?: number }) => {
      if (message.ready === true) resolve(message.url!);
      else if (message.id !== undefined) waiting.get(message.id)?.();
    });
  });
  const url = await ready;
  const app: App = {
    url,
    command: (message) =>
      new Promise((resolve) => {
        const id = ++next;
        waiting.set(id, resolve);
        child.send({ ...message, id });
      }),
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ cmd: 'stop', id: -1 });
      await exited;
    },
  };
  closers.push(() => app.stop());
  return app;
}

// parseStrict (inside scrapeSums) refuses a second # TYPE of a family: the merge must not serve one twice.
// Labels are written sorted by name, so this key order is the exposition's.
const scrape = (url: string): Promise<{ samples: Map<string, number>; millis: number }> => scrapeSums(url, MODEL, ['le', 'reason', 'state', 'status']);

const scrapeByKind = (url: string): ReturnType<typeof scrapeSums> => scrapeSums(url, MODEL, ['state', 'kind']);

const SUCCESS = `${METRIC_PREDICTIONS.prometheusName}{status=success}`;
const ERROR = `${METRIC_PREDICTIONS.prometheusName}{status=error}`;
const LATENCY_COUNT = `${METRIC_PREDICTION_LATENCY.prometheusName}_count{}`;
const MISSES_TIMEOUT = `${METRIC_CLUSTER_COLLECT_MISSES.name}_total{reason=timeout}`;

describe('node:cluster aggregation (real cluster processes)', () => {
  it('serves every worker from the primary: counters and histograms summed exactly', async () => {
    const app = await startApp();
    await app.command({ cmd: 'calls', worker: 0, n: 5, fail: 1 });
    await app.command({ cmd: 'calls', worker: 1, n: 7 });
    await app.command({ cmd: 'calls', worker: 2, n: 11, fail: 2 });
    const { samples } = await scrape(app.url);
    expect(samples.get(SUCCESS)).toBe(23);
    expect(samples.get(ERROR)).toBe(3);
    expect(samples.get(LATENCY_COUNT)).toBe(26);
    // Buckets summed too: the +Inf bucket equals the count.
    expect(samples.get(`${METRIC_PREDICTION_LATENCY.prometheusName}_bucket{le=+Inf}`)).toBe(26);
    expect(samples.get(`${METRIC_CLUSTER_WORKERS.name}{state=reporting}`)).toBe(3);
  }, 60_000);

  it('keeps an exited worker\'s counts, and a replacement adds on', async () => {
    const app = await startApp();
    for (const worker of [0, 1, 2]) await app.command({ cmd: 'calls', worker, n: 10 });
    expect((await scrape(app.url)).samples.get(SUCCESS)).toBe(30);
    await app.command({ cmd: 'kill', worker: 1 });
    const after = (await scrape(app.url)).samples;
    expect(after.get(SUCCESS)).toBe(30);
    expect(after.get(LATENCY_COUNT)).toBe(30);
    expect(after.get(`${METRIC_CLUSTER_WORKERS.name}{state=exited}`)).toBe(1);
    await app.command({ cmd: 'fork', worker: 1 });
    await app.command({ cmd: 'calls', worker: 1, n: 4 });
    expect((await scrape(app.url)).samples.get(SUCCESS)).toBe(34);
  }, 60_000);

  it("sums the worker threads of every worker: each worker answers its primary with its threads' points merged", async () => {
    const app = await startApp({ FIXTURE_THREADS: '1' });
    for (const worker of [0, 1, 2]) {
      await app.command({ cmd: 'calls', worker, n: 3 });
      await app.command({ cmd: 'thread-calls', worker, n: 10 + worker });
    }
    const { samples } = await scrape(app.url);
    expect(samples.get(SUCCESS)).toBe(9 + 33);
    expect(samples.get(LATENCY_COUNT)).toBe(42);
    // The primary gathers its three workers; each worker gathers its one
    // thread, and that gauge merges like every gauge: the largest over the workers.
    const workers = (await scrapeByKind(app.url)).samples;
    expect(workers.get(`${METRIC_CLUSTER_WORKERS.name}{state=reporting,kind=process}`)).toBe(3);
    expect(workers.get(`${METRIC_CLUSTER_WORKERS.name}{state=reporting,kind=thread}`)).toBe(1);
  }, 60_000);

  it('answers within the collect timeout when a worker hangs, with its last points, and counts the miss', async () => {
    const app = await startApp({ [CLUSTER_COLLECT_TIMEOUT_VARIABLE]: '500' });
    for (const worker of [0, 1, 2]) await app.command({ cmd: 'calls', worker, n: 3 });
    expect((await scrape(app.url)).samples.get(SUCCESS)).toBe(9);
    const HANG_MILLIS = 4_000;
    await app.command({ cmd: 'hang', worker: 2, ms: HANG_MILLIS });
    const during = await scrape(app.url);
    // Answered while the hung member is still blocked (it blocks right after
    // answering 'hang'): the scrape did not wait for it. The collect timeout
    // itself shows in the miss counted below.
    expect(during.millis).toBeLessThan(HANG_MILLIS);
    // Worker 2's last points are served: no dip that Prometheus would take for a reset.
    expect(during.samples.get(SUCCESS)).toBe(9);
    expect(during.samples.get(MISSES_TIMEOUT)).toBe(1);
  }, 60_000);
});

describe('a real Prometheus scraping the cluster primary', () => {
  it('stores one monotonic series: the increase equals the calls made, across a worker exit', async () => {
    const port = await freePort();
    const app = await startApp({ FIXTURE_PORT: String(port) });
    const prometheus: PrometheusServer = await startPrometheus([{ job: 'cluster', target: `127.0.0.1:${port}` }]);
    closers.push(() => prometheus.stop());
    const total = `sum(${METRIC_PREDICTIONS.prometheusName}{job="cluster",status="success"})`;
    for (const worker of [0, 1, 2]) await app.command({ cmd: 'calls', worker, n: 20 });
    expect(await prometheus.waitFor(total, (v) => v === 60, 20_000)).toBe(60);
    const before = Date.now() / 1000;
    await app.command({ cmd: 'kill', worker: 0 });
    await app.command({ cmd: 'fork', worker: 0 });
    for (let round = 0; round < 3; round++) {
      for (const worker of [0, 1, 2]) await app.command({ cmd: 'calls', worker, n: 5 });
      await new Promise((resolve) => setTimeout(resolve, 1_100));
    }
    expect(await prometheus.waitFor(total, (v) => v === 105, 20_000)).toBe(105);
    // Every scrape reached the same aggregate: no reset, and the stored samples never go down.
    const resets = await prometheus.query(`resets(${METRIC_PREDICTIONS.prometheusName}{job="cluster",status="success"}[5m])`);
    expect(resets.map((r) => Number(r.value[1]))).toEqual([0]);
    // The increase since 60 was stored is exactly the 45 calls made since.
    const series = `${METRIC_PREDICTIONS.prometheusName}{job="cluster",status="success"}`;
    const increase = await prometheus.query(`sum(${series}) - sum(${series} @ ${before.toFixed(3)})`);
    expect(Number(increase[0]!.value[1])).toBe(45);
  }, 90_000);
});
