import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseStrict } from '@inferometer/testing';
import { METRIC_DATA_DRIFT_SCORE } from '@inferometer/drift/catalog';
import { afterEach, describe, expect, it } from 'vitest';

const FIXTURE = fileURLToPath(new URL('./fixtures/drift-app.mjs', import.meta.url));

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

/** Runs the fixture in `mode` and returns its drift scores by feature and method, and how many threads did the work. */
async function scores(mode: 'single' | 'pool'): Promise<{ scores: Map<string, number>; threads: number }> {
  const child = fork(FIXTURE, [], { env: { ...process.env, FIXTURE_MODE: mode }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  stops.push(async () => {
    if (child.exitCode !== null) return;
    child.send({ cmd: 'stop' });
    await exited;
  });
  const ready = await new Promise<{ url: string; threads: number }>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`fixture exited with ${String(code)}`)));
    child.on('message', (message: { ready?: boolean; url: string; threads: number }) => {
      if (message.ready === true) resolve(message);
    });
  });
  const text = await (await fetch(ready.url)).text();
  const found = new Map<string, number>();
  for (const sample of parseStrict(text).samples) {
    if (sample.name !== METRIC_DATA_DRIFT_SCORE.prometheusName) continue;
    const key = `${sample.labels.feature!}:${sample.labels.method!}`;
    // One series per feature and method: a thread's own score beside the union's would be a duplicate here.
    expect(found.has(key)).toBe(false);
    found.set(key, sample.value);
  }
  return { scores: found, threads: ready.threads };
}

describe('drift across worker threads', () => {
  it('scores the union of a 4-thread pool as one thread that saw every row (to 1e-9)', async () => {
    const single = await scores('single');
    const pool = await scores('pool');
    expect(pool.threads).toBeGreaterThanOrEqual(2);
    expect([...single.scores.keys()].sort()).toEqual(['a:js', 'a:ks', 'a:psi', 'b:chi2', 'b:js']);
    expect([...pool.scores.keys()].sort()).toEqual([...single.scores.keys()].sort());
    for (const [key, value] of single.scores) {
      expect(Number.isFinite(value) && value > 0, key).toBe(true);
      expect(Math.abs(pool.scores.get(key)! - value), key).toBeLessThan(1e-9);
    }
  }, 60_000);
});
