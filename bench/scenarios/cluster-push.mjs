// Cluster workers push the counters and histograms that changed since their
// previous message to the primary every second (cluster.pushIntervalMillis),
// so a SIGKILLed worker loses at most one second of calls. What it costs the
// primary: its CPU seconds per second (process.cpuUsage) over a window with
// no scrape, 8 workers x 1,000 label sets, beside the same cluster with the
// push off (INFEROMETER_CLUSTER_PUSH_INTERVAL=0). Worst case: every label
// set of every worker is called between two pushes, so every series is sent
// every second; and the idle case, where nothing changed and nothing is sent.
// A push is the points' JSON, raw-deflated, as a base64 string inside the
// IPC message: the primary scans that string per push and reads the points
// only when a worker misses a collection or exits without its final points.
//
// One file for both sides: a cluster worker runs this file too.
import cluster from 'node:cluster';
import { instrument } from '@inferometer/core';
import { start } from '@inferometer/node';
import { report, row } from '../lib.mjs';

const WORKERS = 8;
const MODELS = 50;
const VERSIONS = 20;
const WINDOW_MILLIS = 10_000;

if (cluster.isWorker) {
  await start({ runtimeMetrics: false });
  const fns = [];
  for (let m = 0; m < MODELS; m++) for (let v = 0; v < VERSIONS; v++) fns.push(instrument((x) => x, { model: `model-${m}`, version: `${v}.0.0` }));
  // Every label set once, so every series exists before the window.
  for (const fn of fns) fn(0);
  if (process.env.BENCH_BUSY === '1') {
    // Every label set called every 250 ms: 4,000 calls a second per worker, every series changed at every push.
    setInterval(() => {
      for (const fn of fns) fn(1);
    }, 250);
  }
  process.on('message', (message) => {
    if (message?.bench === 'cpu') process.send({ bench: 'cpu', usage: process.cpuUsage() });
  });
  process.send({ bench: 'ready' });
} else {
  const telemetry = await start({ prometheus: { host: '127.0.0.1', port: 0 }, runtimeMetrics: false });
  let pushes = 0;
  let pushBytes = 0;
  cluster.on('message', (_worker, message) => {
    const inner = message?.['inferometer.cluster'];
    if (inner?.type !== 'push') return;
    pushes++;
    // The size of one push, once (outside any window: serializing costs CPU).
    if (pushBytes === 0) pushBytes = JSON.stringify(message).length;
  });

  /** 8 workers with the given environment; the primary's CPU seconds per second over the window, and the workers' mean. */
  async function measure(env) {
    const workers = Array.from({ length: WORKERS }, () => cluster.fork(env));
    await Promise.all(workers.map((w) => new Promise((resolve) => w.on('message', (m) => m?.bench === 'ready' && resolve()))));
    // Every worker welcomed and past its first full push.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const workerCpu = () =>
      Promise.all(
        workers.map(
          (w) =>
            new Promise((resolve) => {
              const onMessage = (m) => {
                if (m?.bench !== 'cpu') return;
                w.off('message', onMessage);
                resolve(m.usage.user + m.usage.system);
              };
              w.on('message', onMessage);
              w.send({ bench: 'cpu' });
            }),
        ),
      );
    const workersBefore = await workerCpu();
    pushes = 0;
    const before = process.cpuUsage();
    const t0 = performance.now();
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MILLIS));
    const used = process.cpuUsage(before);
    const seconds = (performance.now() - t0) / 1000;
    const received = pushes;
    const workersAfter = await workerCpu();
    const workerMean = workersAfter.reduce((sum, after, i) => sum + (after - workersBefore[i]), 0) / WORKERS / 1e6 / seconds;
    await Promise.all(workers.map((w) => new Promise((resolve) => { w.once('exit', resolve); w.process.kill('SIGKILL'); })));
    return { primary: (used.user + used.system) / 1e6 / seconds, workers: workerMean, pushesPerSecond: received / seconds };
  }

  const pushOff = await measure({ BENCH_BUSY: '1', INFEROMETER_CLUSTER_PUSH_INTERVAL: '0' });
  const busy = await measure({ BENCH_BUSY: '1' });
  const idle = await measure({ BENCH_BUSY: '0' });
  const idleOff = await measure({ BENCH_BUSY: '0', INFEROMETER_CLUSTER_PUSH_INTERVAL: '0' });
  const pct = (v) => `${(v * 100).toFixed(2)} % of a core`;
  report('cluster-push', [
    row({
      target: '7 cluster',
      metric: `primary CPU for the workers' pushes, ${WORKERS} workers x 1,000 label sets, every series changed every 1 s push`,
      unit: 'CPU s/s',
      ours: busy.primary - pushOff.primary,
      goal: '<= 0.05 CPU s/s (5 % of one core)',
      met: busy.primary - pushOff.primary <= 0.05,
      note: `primary ${busy.primary.toFixed(4)} CPU s/s with the push, ${pushOff.primary.toFixed(4)} without (${pct(busy.primary)} vs ${pct(pushOff.primary)}); ${busy.pushesPerSecond.toFixed(1)} pushes/s received (${(((busy.primary - pushOff.primary) / busy.pushesPerSecond) * 1e3).toFixed(2)} ms of primary CPU each), ${(pushBytes / 1e3).toFixed(0)} KB per message (the counter and the latency histogram of 1,000 label sets, deflated); each worker ${(busy.workers - pushOff.workers).toFixed(4)} CPU s/s more (${busy.workers.toFixed(4)} with, ${pushOff.workers.toFixed(4)} without, its 4,000 calls/s included)`,
    }),
    row({
      target: '7 cluster',
      metric: `primary CPU for the workers' pushes, ${WORKERS} workers x 1,000 label sets, nothing changed (idle workers)`,
      unit: 'CPU s/s',
      ours: idle.primary - idleOff.primary,
      goal: '~0: nothing changed, nothing sent',
      met: idle.pushesPerSecond === 0,
      note: `primary ${idle.primary.toFixed(4)} CPU s/s with the push, ${idleOff.primary.toFixed(4)} without; ${idle.pushesPerSecond.toFixed(1)} pushes/s received; each idle worker spends ${(idle.workers - idleOff.workers).toFixed(4)} CPU s/s collecting once a second to find that out`,
    }),
  ]);
  await telemetry.shutdown();
  process.exit(0);
}
