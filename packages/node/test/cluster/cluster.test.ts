import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { METRIC_PREDICTION_LATENCY, METRIC_PREDICTIONS } from '@inferometer/core/catalog';
import { eventually, freePort, startPrometheus, type PrometheusServer } from '@inferometer/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { scrapeSums } from '../helpers/fixture-app.js';
import {
  CLUSTER_COLLECT_TIMEOUT_VARIABLE,
  CLUSTER_PUSH_INTERVAL_VARIABLE,
  DEFAULT_CLUSTER_PUSH_INTERVAL_MILLIS,
  METRIC_CLUSTER_COLLECT_MISSES,
  METRIC_CLUSTER_WORKERS,
} from '../../src/cluster/names.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/cluster-app.mjs', import.meta.url));
const MODEL = 'cluster-model';

/** The fixture primary's answer to a command; for 'end', how the worker ended. */
interface Reply {
  readonly code?: number | null;
  readonly signal?: string | null;
  readonly stderr?: string;
}

/** A running fixture cluster: its pull endpoint and a way to drive its workers. */
interface App {
  readonly url: string;
  command(message: Record<string, unknown>): Promise<Reply>;
  stop(): Promise<void>;
}

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function startApp(env: Record<string, string> = {}): Promise<App> {
  const child: ChildProcess = fork(FIXTURE, [], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let next = 0;
  const waiting = new Map<number, (reply: Reply) => void>();
  const ready = new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`fixture exited with ${String(code)}`)));
    child.on('message', (message: Reply & { ready?: boolean; url?: string; id?: number }) => {
      if (message.ready === true) resolve(message.url!);
      else if (message.id !== undefined) waiting.get(message.id)?.(message);
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

/**
 * A stream log of the fixture ('stream'): the total at the last batch, at
 * the last message of points sent to the primary, and the milliseconds
 * between the two (the calls a SIGKILL may lose, in time).
 */
function readStreamLog(file: string): { made: number; lastSent: number; sends: number; unsentMillis: number } {
  let made = 0;
  let madeAt = 0;
  let lastSent = 0;
  let sentAt = 0;
  let sends = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [kind, total, at] = line.split(' ');
    if (kind === 'batch') {
      made = Number(total);
      madeAt = Number(at);
    } else if (kind === 'sent') {
      lastSent = Number(total);
      sentAt = Number(at);
      sends++;
    }
  }
  return { made, lastSent, sends, unsentMillis: Math.max(0, madeAt - sentAt) };
}

describe("a worker's end: what it recorded since the last collection is kept", () => {
  // The push is off: only the final points can carry the calls made since the last scrape.
  const noPush = { [CLUSTER_PUSH_INTERVAL_VARIABLE]: '0', FIXTURE_WORKERS: '2' };

  it.each([
    { how: 'exit', title: 'server.close() then process.exit(0), in the same turn as the calls', expected: { code: 0, signal: null } },
    { how: 'disconnect', title: 'cluster.worker.disconnect() in the worker', expected: { code: 0, signal: null } },
    { how: 'primary-disconnect', title: 'worker.disconnect() in the primary', expected: { code: 0, signal: null } },
    { how: 'sigterm', title: 'SIGTERM with handleSignals (the signal re-raised after the shutdown)', expected: { code: null, signal: 'SIGTERM' } },
  ])('$how: $title', async ({ how, expected }) => {
    const app = await startApp({ ...noPush, FIXTURE_HANDLE_SIGNALS: '1' });
    await app.command({ cmd: 'calls', worker: 0, n: 4 });
    await app.command({ cmd: 'calls', worker: 1, n: 6 });
    // A collection, so what follows is since the last one.
    expect((await scrape(app.url)).samples.get(SUCCESS)).toBe(10);
    const ended = await app.command({ cmd: 'end', worker: 1, n: 1290, how });
    expect({ code: ended.code, signal: ended.signal }).toEqual(expected);
    const after = (await scrape(app.url)).samples;
    expect(after.get(SUCCESS)).toBe(1300);
    expect(after.get(LATENCY_COUNT)).toBe(1300);
    expect(after.get(`${METRIC_CLUSTER_WORKERS.name}{state=exited}`)).toBe(1);
    expect(after.get(`${METRIC_CLUSTER_WORKERS.name}{state=reporting}`)).toBe(1);
  }, 60_000);

  it('an uncaught exception: the points are kept, and the worker still crashes with its error and exit code 1', async () => {
    const app = await startApp({ ...noPush, FIXTURE_SILENT: '1' });
    await app.command({ cmd: 'calls', worker: 0, n: 3 });
    expect((await scrape(app.url)).samples.get(SUCCESS)).toBe(3);
    const ended = await app.command({ cmd: 'end', worker: 0, n: 200, how: 'throw' });
    // Node's own handling of an uncaught exception: the stack on stderr, exit code 1.
    expect({ code: ended.code, signal: ended.signal }).toEqual({ code: 1, signal: null });
    expect(ended.stderr).toContain('Error: fixture worker crash');
    expect((await scrape(app.url)).samples.get(SUCCESS)).toBe(203);
  }, 60_000);

  it('SIGKILL: loses at most the calls made since its last message to the primary (one push interval)', async () => {
    const logs = mkdtempSync(join(tmpdir(), 'inferometer-cluster-stream-'));
    closers.push(() => Promise.resolve(rmSync(logs, { recursive: true, force: true })));
    const app = await startApp({ FIXTURE_LOG_DIR: logs, FIXTURE_WORKERS: '2' });
    await app.command({ cmd: 'calls', worker: 0, n: 5 });
    // 4 calls every 2 ms (as the timers allow) until the SIGKILL.
    await app.command({ cmd: 'stream', worker: 1, batch: 4, everyMillis: 2 });
    const log = join(logs, 'worker-1.log');
    // Until the worker has pushed (no scrape runs meanwhile: every message is a push).
    await eventually('three pushes of the streaming worker', () => Promise.resolve(readStreamLog(log).sends >= 3 ? true : undefined), 30_000);
    await app.command({ cmd: 'kill', worker: 1 });
    const { made, lastSent, unsentMillis } = readStreamLog(log);
    const served = (await scrape(app.url)).samples.get(SUCCESS)! - 5;
    // Never more than it made; never less than what it had made at its last push.
    expect(served).toBeLessThanOrEqual(made);
    expect(served).toBeGreaterThanOrEqual(lastSent);
    console.log(
      `SIGKILL loss (push interval ${DEFAULT_CLUSTER_PUSH_INTERVAL_MILLIS} ms): ${made - served} of ${made} calls lost (${(((made - served) / made) * 100).toFixed(1)} %), ` +
        `made in the ${unsentMillis.toFixed(0)} ms after its last push; the bound, calls since its last push: ${made - lastSent}`,
    );
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

  it('stores every call of workers that exit, disconnect or take a SIGTERM right after serving; a SIGKILLed one loses at most its last push interval', async () => {
    const port = await freePort();
    const httpPort = await freePort();
    const logs = mkdtempSync(join(tmpdir(), 'inferometer-cluster-stream-'));
    closers.push(() => Promise.resolve(rmSync(logs, { recursive: true, force: true })));
    const app = await startApp({ FIXTURE_PORT: String(port), FIXTURE_HTTP_PORT: String(httpPort), FIXTURE_WORKERS: '4', FIXTURE_HANDLE_SIGNALS: '1', FIXTURE_LOG_DIR: logs });
    const prometheus: PrometheusServer = await startPrometheus([{ job: 'cluster', target: `127.0.0.1:${port}` }]);
    closers.push(() => prometheus.stop());
    const series = `${METRIC_PREDICTIONS.prometheusName}{job="cluster",status="success"}`;
    // 1,290 requests over HTTP, shared by the 4 workers (the cluster's round robin), 10 at a time.
    let next = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < 1_290) {
          next++;
          const response = await fetch(`http://127.0.0.1:${httpPort}/`);
          expect(await response.text()).toBe('ok');
        }
      }),
    );
    // Worker 3 calls on its own until its SIGKILL; the others end right after their last calls.
    await app.command({ cmd: 'stream', worker: 3, batch: 2, everyMillis: 5 });
    await app.command({ cmd: 'end', worker: 0, n: 10, how: 'exit' });
    await app.command({ cmd: 'end', worker: 1, n: 10, how: 'disconnect' });
    await app.command({ cmd: 'end', worker: 2, n: 10, how: 'sigterm' });
    const log = join(logs, 'worker-3.log');
    await eventually('three messages of points from the streaming worker', () => Promise.resolve(readStreamLog(log).sends >= 3 ? true : undefined), 30_000);
    await app.command({ cmd: 'kill', worker: 3 });
    const { made, lastSent, unsentMillis } = readStreamLog(log);
    // Everything is in the primary now: every worker is gone.
    const total = (await scrape(app.url)).samples.get(SUCCESS)!;
    const graceful = 1_290 + 30;
    expect(total - graceful).toBeLessThanOrEqual(made);
    expect(total - graceful).toBeGreaterThanOrEqual(lastSent);
    console.log(`SIGKILL with Prometheus scraping every second: ${made - (total - graceful)} of ${made} streamed calls lost, made in the ${unsentMillis.toFixed(0)} ms after its last message; the bound (calls since its last message): ${made - lastSent}`);
    // Prometheus stores exactly that: the graceful ends lost nothing.
    expect(await prometheus.waitFor(`sum(${series})`, (v) => v === total, 20_000)).toBe(total);
    const resets = await prometheus.query(`resets(${series}[5m])`);
    expect(resets.map((r) => Number(r.value[1]))).toEqual([0]);
  }, 120_000);
});

describe('native histograms across a real cluster (INFEROMETER_PROMETHEUS_NATIVE_HISTOGRAMS=true)', () => {
  it('keeps aggregation on: the primary serves every worker and thread, and a real Prometheus stores histogram_count equal to the calls made', async () => {
    const port = await freePort();
    // Workers and their threads inherit the environment, so every member reads both histogram kinds.
    const app = await startApp({ FIXTURE_PORT: String(port), FIXTURE_THREADS: '1', INFEROMETER_PROMETHEUS_NATIVE_HISTOGRAMS: 'true' });
    const inWorkers = [150, 160, 170];
    const inThreads = [170, 175, 172];
    for (const worker of [0, 1, 2]) {
      await app.command({ cmd: 'calls', worker, n: inWorkers[worker], fail: 1 });
      await app.command({ cmd: 'thread-calls', worker, n: inThreads[worker] });
    }
    // 480 + 517 successes and 3 errors: 1000 calls.
    // The text exposition: the classic buckets, merged exactly.
    const { samples } = await scrape(app.url);
    expect(samples.get(SUCCESS)).toBe(997);
    expect(samples.get(ERROR)).toBe(3);
    expect(samples.get(LATENCY_COUNT)).toBe(1000);
    expect(samples.get(`${METRIC_PREDICTION_LATENCY.prometheusName}_bucket{le=+Inf}`)).toBe(1000);
    // Prometheus 2.42 with native histograms scrapes the protobuf exposition and stores the native histogram only.
    const prometheus: PrometheusServer = await startPrometheus([{ job: 'cluster', target: `127.0.0.1:${port}` }], { flags: ['--enable-feature=native-histograms'] });
    closers.push(() => prometheus.stop());
    const latency = `${METRIC_PREDICTION_LATENCY.prometheusName}{job="cluster",model_name="${MODEL}"}`;
    expect(await prometheus.waitFor(`histogram_count(sum(${latency}))`, (v) => v === 1000, 30_000)).toBe(1000);
    expect(await prometheus.waitFor(`sum(${METRIC_PREDICTIONS.prometheusName}{job="cluster",model_name="${MODEL}"})`, (v) => v === 1000, 30_000)).toBe(1000);
    // Stored as a native histogram, not as classic series.
    expect(await prometheus.query(`${METRIC_PREDICTION_LATENCY.prometheusName}_count{job="cluster"}`)).toEqual([]);
  }, 120_000);
});
