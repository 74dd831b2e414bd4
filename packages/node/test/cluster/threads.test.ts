import { fileURLToPath } from 'node:url';
import { METRIC_PREDICTION_LATENCY, METRIC_PREDICTIONS, METRIC_PREDICTIONS_IN_FLIGHT } from '@inferometer/core/catalog';
import { eventually, freePort, startPrometheus, type PrometheusServer } from '@inferometer/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { CLUSTER_COLLECT_TIMEOUT_VARIABLE, METRIC_CLUSTER_COLLECT_MISSES, METRIC_CLUSTER_WORKERS } from '../../src/cluster/names.js';
import { scrapeSums, startFixtureApp, type FixtureApp } from '../helpers/fixture-app.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/threads-app.mjs', import.meta.url));
const MODEL = 'threads-model';
const KEEP = ['status', 'le', 'state', 'reason', 'kind'];

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function startApp(env: Record<string, string> = {}): Promise<FixtureApp> {
  const app = await startFixtureApp(FIXTURE, env);
  closers.push(() => app.stop());
  return app;
}

async function scrape(app: FixtureApp): Promise<{ samples: Map<string, number>; millis: number }> {
  return scrapeSums(app.url!, MODEL, KEEP);
}

/** Scrapes until `done` holds (at most 10 s, then the last scrape). */
async function scrapeUntil(app: FixtureApp, done: (samples: Map<string, number>) => boolean): Promise<{ samples: Map<string, number>; millis: number }> {
  const until = Date.now() + 10_000;
  for (;;) {
    const scraped = await scrape(app);
    if (done(scraped.samples) || Date.now() > until) return scraped;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const SUCCESS = `${METRIC_PREDICTIONS.prometheusName}{status=success}`;
const LATENCY_COUNT = `${METRIC_PREDICTION_LATENCY.prometheusName}_count{}`;
const THREADS_REPORTING = `${METRIC_CLUSTER_WORKERS.name}{state=reporting,kind=thread}`;
const THREADS_EXITED = `${METRIC_CLUSTER_WORKERS.name}{state=exited,kind=thread}`;

describe('worker_threads aggregation (real threads: plain Workers and a piscina pool)', () => {
  it('serves every thread from the main thread: counters and histograms summed exactly', async () => {
    const app = await startApp();
    await app.command({ cmd: 'calls', worker: 0, n: 7 });
    await app.command({ cmd: 'calls', worker: 1, n: 11 });
    await app.command({ cmd: 'pool', n: 230 });
    const { samples } = await scrape(app);
    expect(samples.get(SUCCESS)).toBe(248);
    expect(samples.get(LATENCY_COUNT)).toBe(248);
    expect(samples.get(`${METRIC_PREDICTION_LATENCY.prometheusName}_bucket{le=+Inf}`)).toBe(248);
    // Two plain Workers and two pool threads.
    expect(samples.get(THREADS_REPORTING)).toBe(4);
  }, 60_000);

  it("keeps an exited thread's counts, the calls right before its exit included; terminate() keeps every call that returned; a replacement adds on", async () => {
    const app = await startApp();
    await app.command({ cmd: 'calls', worker: 0, n: 10 });
    await app.command({ cmd: 'calls', worker: 1, n: 10 });
    expect((await scrape(app)).samples.get(SUCCESS)).toBe(20);
    // 5 more calls and process.exit() before any collection sees them: they come with the goodbye.
    await app.command({ cmd: 'exit', worker: 0, n: 5 });
    const afterExit = (await scrapeUntil(app, (s) => s.get(THREADS_EXITED) === 1)).samples;
    expect(afterExit.get(SUCCESS)).toBe(25);
    expect(afterExit.get(LATENCY_COUNT)).toBe(25);
    expect(afterExit.get(THREADS_EXITED)).toBe(1);
    // terminate() runs no more JavaScript in the thread: the 6 calls made
    // since the last collection are read from its shared memory all the same.
    await app.command({ cmd: 'calls', worker: 1, n: 6 });
    await app.command({ cmd: 'terminate', worker: 1 });
    const afterTerminate = (await scrapeUntil(app, (s) => s.get(THREADS_EXITED) === 2)).samples;
    expect(afterTerminate.get(SUCCESS)).toBe(31);
    expect(afterTerminate.get(LATENCY_COUNT)).toBe(31);
    await app.command({ cmd: 'spawn', worker: 0 });
    await app.command({ cmd: 'calls', worker: 0, n: 4 });
    const after = (await scrape(app)).samples;
    expect(after.get(SUCCESS)).toBe(35);
    expect(after.get(THREADS_EXITED)).toBe(2);
  }, 60_000);

  it('counts every call that returned in a thread terminated mid-burst, with no collection between', async () => {
    const app = await startApp();
    const { returned } = await app.command({ cmd: 'burst', worker: 0, atLeast: 20_000 });
    const made = Number(returned);
    expect(made).toBeGreaterThanOrEqual(20_000);
    // The thread's port reports its end on its own schedule, not always before the Worker's 'exit'.
    const { samples } = await scrapeUntil(app, (s) => s.get(THREADS_EXITED) === 1);
    // The call running when terminate() struck may have been recorded
    // before its counter moved: at most one more than the calls that returned.
    const counted = samples.get(SUCCESS)!;
    expect(counted).toBeGreaterThanOrEqual(made);
    expect(counted).toBeLessThanOrEqual(made + 1);
    expect(samples.get(LATENCY_COUNT)).toBe(counted);
    // A call cut short by terminate() is not in flight any more: its thread is gone.
    expect(samples.get(`${METRIC_PREDICTIONS_IN_FLIGHT.prometheusName}{}`) ?? 0).toBe(0);
    expect(samples.get(THREADS_EXITED)).toBe(1);
  }, 60_000);

  it("keeps the calls of a thread that ends with an uncaught error at top level", async () => {
    const app = await startApp();
    await app.command({ cmd: 'calls', worker: 0, n: 3 });
    expect((await scrape(app)).samples.get(SUCCESS)).toBe(3);
    await app.command({ cmd: 'throw', worker: 0, n: 12 });
    const { samples } = await scrapeUntil(app, (s) => s.get(THREADS_EXITED) === 1);
    expect(samples.get(SUCCESS)).toBe(15);
    expect(samples.get(LATENCY_COUNT)).toBe(15);
    expect(samples.get(THREADS_EXITED)).toBe(1);
  }, 60_000);

  it('answers within the collect timeout when a thread hangs, with its last points, and counts the miss', async () => {
    const app = await startApp({ [CLUSTER_COLLECT_TIMEOUT_VARIABLE]: '500' });
    await app.command({ cmd: 'calls', worker: 0, n: 3 });
    await app.command({ cmd: 'calls', worker: 1, n: 3 });
    expect((await scrape(app)).samples.get(SUCCESS)).toBe(6);
    const HANG_MILLIS = 3_000;
    await app.command({ cmd: 'hang', worker: 1, ms: HANG_MILLIS });
    const during = await scrape(app);
    // Answered while the hung member is still blocked (it blocks right after
    // answering 'hang'): the scrape did not wait for it. The collect timeout
    // itself shows in the miss counted below.
    expect(during.millis).toBeLessThan(HANG_MILLIS);
    expect(during.samples.get(SUCCESS)).toBe(6);
    expect([...during.samples].filter(([k]) => k.startsWith(METRIC_CLUSTER_COLLECT_MISSES.name))).toEqual([[`${METRIC_CLUSTER_COLLECT_MISSES.name}_total{reason=timeout,kind=thread}`, 1]]);
  }, 60_000);

  it.each([
    ['', {}],
    [", even when the service's own 'workerMessage' listener took their first announcement", { FIXTURE_OWN_WORKER_MESSAGE: '1' }],
  ])('joins threads started after start(), and threads started before it once it runs%s', async (_, env: Record<string, string>) => {
    const app = await startApp({ FIXTURE_LATE_START: '1', ...env });
    // Recorded before any start() in the main thread: kept by the threads until asked.
    await app.command({ cmd: 'calls', worker: 0, n: 2 });
    await app.command({ cmd: 'pool', n: 40 });
    await app.command({ cmd: 'start' });
    // The threads answer the main thread's call to announce themselves:
    // scraped once all four (2 plain, 2 pool) report, not after a fixed wait.
    const joined = await eventually('the four threads to report', async () => {
      const { samples } = await scrape(app);
      return samples.get(THREADS_REPORTING) === 4 ? samples : undefined;
    });
    expect(joined.get(SUCCESS)).toBe(42);
    await app.command({ cmd: 'spawn', worker: 5 });
    await app.command({ cmd: 'calls', worker: 5, n: 8 });
    const after = (await scrape(app)).samples;
    expect(after.get(SUCCESS)).toBe(50);
    expect(after.get(THREADS_REPORTING)).toBe(5);
  }, 60_000);
});

describe('a real Prometheus scraping the main thread', () => {
  it('stores the exact totals of 4 threads (2 plain Workers, 2 piscina threads), with no reset across a thread that exits mid-run and is replaced', async () => {
    const port = await freePort();
    const app = await startApp({ FIXTURE_PORT: String(port) });
    const prometheus: PrometheusServer = await startPrometheus([{ job: 'threads', target: `127.0.0.1:${port}` }]);
    closers.push(() => prometheus.stop());
    const series = `${METRIC_PREDICTIONS.prometheusName}{job="threads",model_name="${MODEL}",status="success"}`;
    const latencyCount = `${METRIC_PREDICTION_LATENCY.prometheusName}_count{job="threads",model_name="${MODEL}"}`;
    let made = 0;
    const drive = async (round: number): Promise<void> => {
      await app.command({ cmd: 'calls', worker: 0, n: 13 + round });
      await app.command({ cmd: 'calls', worker: 1, n: 17 });
      await app.command({ cmd: 'pool', n: 300 });
      made += 13 + round + 17 + 300;
    };
    for (let round = 0; round < 3; round++) await drive(round);
    expect(await prometheus.waitFor(`sum(${series})`, (v) => v === made, 20_000)).toBe(made);
    expect(await prometheus.waitFor(`sum(${latencyCount})`, (v) => v === made, 20_000)).toBe(made);
    // Mid-run: thread 1 makes 9 calls and exits before a scrape sees them, a replacement takes its place.
    await app.command({ cmd: 'exit', worker: 1, n: 9 });
    made += 9;
    await app.command({ cmd: 'spawn', worker: 1 });
    for (let round = 0; round < 3; round++) {
      await drive(round);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
    }
    expect(await prometheus.waitFor(`sum(${series})`, (v) => v === made, 20_000)).toBe(made);
    expect(await prometheus.waitFor(`sum(${latencyCount})`, (v) => v === made, 20_000)).toBe(made);
    const resets = await prometheus.query(`resets(${series}[5m])`);
    expect(resets.map((r) => Number(r.value[1]))).toEqual([0]);
  }, 90_000);

  it("stores every call of a piscina pool that shrinks when idle (minThreads 0, idleTimeout 300, default atomics): no call lost, no reset", async () => {
    const port = await freePort();
    const app = await startApp({ FIXTURE_PORT: String(port), FIXTURE_SHRINK: '1', FIXTURE_POOL: '0', FIXTURE_PLAIN: '0' });
    const prometheus: PrometheusServer = await startPrometheus([{ job: 'shrink', target: `127.0.0.1:${port}` }]);
    closers.push(() => prometheus.stop());
    const series = `${METRIC_PREDICTIONS.prometheusName}{job="shrink",model_name="${MODEL}",status="success"}`;
    let made = 0;
    let destroyed = 0;
    for (const burst of [500, 700, 600]) {
      await app.command({ cmd: 'shrinking', n: burst });
      made += burst;
      // Until piscina destroyed an idle thread: its calls live on in the main thread only.
      destroyed = Number((await app.command({ cmd: 'idle' })).destroyed);
    }
    expect(destroyed).toBeGreaterThanOrEqual(2);
    expect((await scrape(app)).samples.get(SUCCESS)).toBe(made);
    expect(await prometheus.waitFor(`sum(${series})`, (v) => v === made, 20_000)).toBe(made);
    const resets = await prometheus.query(`resets(${series}[5m])`);
    expect(resets.map((r) => Number(r.value[1]))).toEqual([0]);
  }, 90_000);
});
