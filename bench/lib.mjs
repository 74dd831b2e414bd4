// Shared helpers for the benchmark scenarios. Each scenario runs in its own
// process (bench/run.mjs), measures ours and the peers in that one process,
// prints its rows and writes them to bench/results/<scenario>.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';

export const resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results');

/**
 * Median cost per call, in nanoseconds, of each task. A task runs `batch`
 * calls per sample so the timer's own cost (tens of ns) does not drown
 * sub-microsecond work; medians, because the machines are shared and noisy.
 */
export async function medians(tasks, { batch = 1000, time = 1500, warmupTime = 500 } = {}) {
  const bench = new Bench({ time, warmupTime });
  for (const [name, fn] of Object.entries(tasks)) {
    bench.add(name, () => {
      for (let i = 0; i < batch; i++) fn(i);
    });
  }
  await bench.run();
  const out = {};
  for (const task of bench.tasks) out[task.name] = (task.result.latency.p50 * 1e6) / batch;
  return out;
}

/** Median of async tasks, one call per sample (for work in the tens of microseconds). */
export async function asyncMedians(tasks, { time = 2000, warmupTime = 500 } = {}) {
  const bench = new Bench({ time, warmupTime });
  for (const [name, fn] of Object.entries(tasks)) bench.add(name, fn);
  await bench.run();
  const out = {};
  for (const task of bench.tasks) out[task.name] = task.result.latency.p50 * 1e6;
  return out;
}

/**
 * Median cost per call, in nanoseconds, of tasks run in interleaved rounds:
 * every round runs each task once (`batch` calls; awaited when it returns a
 * promise), in an order rotated each round. On a shared machine a burst of
 * load then lands on every task alike instead of on whichever task tinybench
 * happened to be timing, which matters for tasks of hundreds of
 * milliseconds where tinybench's sequential windows hold a few samples each.
 * With `gc` (tasks that leave megabytes of garbage), a full GC (untimed;
 * run.mjs passes --expose-gc) before each task's turn keeps one task's
 * garbage from being collected on the next one's clock.
 * A task is a function or `{ fn, batch }`.
 */
export async function interleavedMedians(tasks, { rounds = 15, warmupRounds = 3, gc = false } = {}) {
  const names = Object.keys(tasks);
  const samples = Object.fromEntries(names.map((name) => [name, []]));
  for (let r = 0; r < warmupRounds + rounds; r++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + r) % names.length];
      const task = tasks[name];
      const fn = typeof task === 'function' ? task : task.fn;
      const batch = typeof task === 'function' ? 1 : task.batch;
      if (gc) globalThis.gc?.();
      const t0 = performance.now();
      for (let i = 0; i < batch; i++) {
        const pending = fn(i);
        if (pending instanceof Promise) await pending;
      }
      if (r >= warmupRounds) samples[name].push(((performance.now() - t0) * 1e6) / batch);
    }
  }
  return Object.fromEntries(names.map((name) => [name, median(samples[name])]));
}

function median(xs) {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * One row of the results table: our figure, each peer's, and the target.
 * `better` says whether lower or higher wins; ratios are peer / ours for
 * lower-is-better figures.
 */
export function row({ target, metric, unit, ours, peers = {}, goal, met, note }) {
  return { target, metric, unit, ours, peers, goal, met, note };
}

export function report(scenario, rows) {
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, `${scenario}.json`), `${JSON.stringify({ scenario, node: process.version, date: new Date().toISOString(), rows }, null, 2)}\n`);
  for (const r of rows) {
    const peers = Object.entries(r.peers).map(([name, v]) => `${name} ${fmt(v)} (${fmt(v / r.ours)}x)`).join(', ');
    console.log(`${r.met ? 'MET ' : 'MISS'} [${r.target}] ${r.metric}: ours ${fmt(r.ours)} ${r.unit}${peers ? `; ${peers}` : ''}; goal ${r.goal}${r.note ? ` (${r.note})` : ''}`);
  }
}

export function fmt(v) {
  if (typeof v !== 'number' || !Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

/** Markers of the table `npm run bench` writes into docs/performance.md (test/performance-table.test.ts reads them too). */
export const TABLE_BEGIN = '<!-- bench table: written by `npm run bench` (bench/run.mjs), not by hand -->';
export const TABLE_END = '<!-- end of bench table -->';
