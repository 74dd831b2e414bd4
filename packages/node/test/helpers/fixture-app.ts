import { fork, type ChildProcess } from 'node:child_process';
import { parseStrict } from '@inferometer/testing';
import { expect } from 'vitest';

/** A fixture service forked from a script: its pull endpoint and a way to drive it over IPC. */
export interface FixtureApp {
  /** The pull endpoint (after `start`, for a fixture that starts late). */
  url: string | null;
  /** Sends a command; resolves with the fixture's answer. */
  command(message: Record<string, unknown>): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** Forks `script` and waits for its `{ ready, url }`; answers carry `{ id, url }`. */
export async function startFixtureApp(script: string, env: Record<string, string> = {}): Promise<FixtureApp> {
  const child: ChildProcess = fork(script, [], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let next = 0;
  const waiting = new Map<number, (answer: { url?: string | null } & Record<string, unknown>) => void>();
  const ready = new Promise<string | null>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`fixture exited with ${String(code)}`)));
    child.on('message', (message: { ready?: boolean; url?: string | null; id?: number }) => {
      if (message.ready === true) resolve(message.url ?? null);
      else if (message.id !== undefined) waiting.get(message.id)?.(message);
    });
  });
  const app: FixtureApp = {
    url: await ready,
    command: (message) =>
      new Promise((resolve) => {
        const id = ++next;
        waiting.set(id, (answer) => {
          if (answer.url !== undefined && answer.url !== null) app.url = answer.url;
          resolve(answer);
        });
        child.send({ ...message, id });
      }),
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ cmd: 'stop', id: -1 });
      await exited;
    },
  };
  return app;
}

/**
 * One scrape of `url`, strictly parsed (a family served twice fails), summed
 * by the labels in `keep` (in that order) for the samples of `model` (and those without a model).
 */
export async function scrapeSums(url: string, model: string, keep: readonly string[]): Promise<{ samples: Map<string, number>; millis: number }> {
  const started = Date.now();
  const response = await fetch(url);
  const text = await response.text();
  expect(response.status).toBe(200);
  const samples = new Map<string, number>();
  for (const sample of parseStrict(text).samples) {
    if (sample.labels.model_name !== undefined && sample.labels.model_name !== model) continue;
    const labels = keep.filter((k) => sample.labels[k] !== undefined).map((k) => `${k}=${sample.labels[k]!}`);
    const key = `${sample.name}{${labels.join(',')}}`;
    samples.set(key, (samples.get(key) ?? 0) + sample.value);
  }
  return { samples, millis: Date.now() - started };
}
