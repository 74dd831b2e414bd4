/**
 * A real headless browser for the tests: Debian's `chromium`, driven over the
 * Chrome DevTools Protocol (https://chromedevtools.github.io/devtools-protocol/)
 * with Node's own WebSocket and fetch, so no browser-automation package is
 * needed. Only what the tests use: navigate, evaluate, screenshot, viewport,
 * script on or off, and the requests the page made.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from './binaries.js';

export interface Browser {
  /** Loads `url` and resolves once its load event fired. */
  navigate(url: string): Promise<void>;
  /** Evaluates `expression` in the page and returns its value (JSON-serialisable). */
  evaluate<T>(expression: string): Promise<T>;
  /** A PNG of the whole page. */
  screenshot(): Promise<Buffer>;
  /** Emulates a window `width` by `height` CSS pixels. */
  viewport(width: number, height: number, mobile?: boolean): Promise<void>;
  /** Turns the page's scripts off (or on again) for the following loads. */
  scripts(enabled: boolean): Promise<void>;
  /** Every URL the page requested since it was opened. */
  requests(): readonly string[];
  close(): Promise<void>;
}

interface Message {
  readonly id?: number;
  readonly method?: string;
  readonly params?: Record<string, unknown>;
  readonly result?: Record<string, unknown>;
  readonly error?: { readonly message: string };
}

/** Starts headless chromium with one page and connects to it. */
export async function startBrowser(): Promise<Browser> {
  const binary = requireBinary('chromium', 'chromium', 'CHROMIUM_BIN');
  const profile = mkdtempSync(join(tmpdir(), 'inferometer-chromium-'));
  // --no-sandbox: CI containers run as root, where chromium's sandbox refuses to start.
  const child: ChildProcess = spawn(
    binary,
    ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--no-default-browser-check', '--disable-extensions', '--remote-debugging-port=0', `--user-data-dir=${profile}`, '--window-size=1200,900', 'about:blank'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const cleanup = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(profile, { recursive: true, force: true });
  };
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      let stderr = '';
      const timer = setTimeout(() => reject(new Error(`chromium printed no DevTools address within 60 s:\n${stderr}`)), 60_000);
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /DevTools listening on ws:\/\/[^:]+:(\d+)\//.exec(stderr);
        if (match !== null) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`chromium exited with ${code}:\n${stderr}`));
      });
    });
  } catch (err) {
    cleanup();
    throw err;
  }
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { type: string; webSocketDebuggerUrl: string }[];
  const page = targets.find((target) => target.type === 'page');
  if (page === undefined) {
    cleanup();
    throw new Error('chromium opened no page');
  }
  const socket = new WebSocket(page.webSocketDebuggerUrl);
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error('cannot connect to chromium')), { once: true });
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (result: Record<string, unknown>) => void; reject: (err: Error) => void }>();
  const listeners = new Set<(message: Message) => void>();
  const requested: string[] = [];
  socket.addEventListener('message', (event: MessageEvent) => {
    const message = JSON.parse(String(event.data)) as Message;
    if (message.id !== undefined) {
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (message.error !== undefined) waiter?.reject(new Error(message.error.message));
      else waiter?.resolve(message.result ?? {});
      return;
    }
    if (message.method === 'Network.requestWillBeSent') requested.push(String((message.params?.request as { url: string }).url));
    for (const listener of listeners) listener(message);
  });
  const send = (method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, method, params }));
    });
  const event = (name: string): Promise<void> =>
    new Promise((resolve) => {
      const listener = (message: Message): void => {
        if (message.method !== name) return;
        listeners.delete(listener);
        resolve();
      };
      listeners.add(listener);
    });
  await send('Page.enable');
  await send('Network.enable');
  return {
    async navigate(url) {
      const loaded = event('Page.loadEventFired');
      const result = await send('Page.navigate', { url });
      if (typeof result.errorText === 'string') throw new Error(`chromium could not load ${url}: ${result.errorText}`);
      await loaded;
    },
    async evaluate<T>(expression: string) {
      const result = await send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
      if (result.exceptionDetails !== undefined) throw new Error(`evaluating ${expression}: ${JSON.stringify(result.exceptionDetails)}`);
      return (result.result as { value: T }).value;
    },
    async screenshot() {
      const { data } = (await send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true })) as { data: string };
      return Buffer.from(data, 'base64');
    },
    async viewport(width, height, mobile = false) {
      await send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile });
    },
    async scripts(enabled) {
      await send('Emulation.setScriptExecutionDisabled', { value: !enabled });
    },
    requests: () => requested,
    async close() {
      socket.close();
      cleanup();
    },
  };
}
