import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The built onnx-iris demo started with the arguments a test chooses (demo.ts always passes --no-traffic). */
export interface DemoProcess {
  readonly apiUrl: string;
  readonly metricsUrl: string;
  readonly metricsPort: number;
  /** Everything the demo printed so far (stdout and stderr). */
  output(): string;
  /** Waits for a printed line matching `pattern` and returns its match. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  stop(): Promise<void>;
  /** Sends `signal` (SIGKILL: a crash, nothing flushed) and waits for the exit. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

/**
 * Starts the built demo on free ports (or on `metricsPort`, so a redeploy
 * keeps its scrape target) and waits until it says it is ready. The one way
 * the tests start the demo: demo.ts and demo-release.ts build on it.
 */
export async function startDemoProcess(
  args: readonly string[],
  env: Record<string, string> = {},
  options: { metricsPort?: number } = {},
): Promise<DemoProcess> {
  // Port 0: the demo binds any free port and prints which. Choosing a free
  // port here and passing it on races with every other test binding ports
  // at the same time (EADDRINUSE seen in CI with three demos started at once).
  const requestedMetricsPort = options.metricsPort ?? 0;
  const child: ChildProcess = spawn(process.execPath, [join(root, 'examples', 'onnx-iris', 'dist', 'src', 'main.js'), ...args], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_PORT: String(requestedMetricsPort), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const waitForLine = (pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const match = output.match(pattern);
        if (match !== null) {
          done();
          resolve(match);
        }
      };
      const onExit = (code: number | null): void => {
        done();
        reject(new Error(`demo exited with ${code} before printing ${pattern}:\n${output}`));
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`demo did not print ${pattern} within ${timeoutMs} ms:\n${output}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        listeners.delete(check);
        child.off('exit', onExit);
      };
      listeners.add(check);
      child.once('exit', onExit);
      check();
    });
  const kill = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  };
  const stop = (): Promise<void> => kill('SIGTERM');
  let apiPort: number;
  let metricsPort: number;
  try {
    const ready = await waitForLine(/ready api=(\d+) metrics=(\d*)/);
    apiPort = Number(ready[1]);
    metricsPort = ready[2] === '' ? requestedMetricsPort : Number(ready[2]);
  } catch (err) {
    await stop();
    throw err;
  }
  return { apiUrl: `http://127.0.0.1:${apiPort}`, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`, metricsPort, output: () => output, waitForLine, stop, kill };
}
