import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The onnx-iris demo server, started as users start it (the built example), on free ports. */
export interface Demo {
  readonly apiUrl: string;
  readonly metricsUrl: string;
  readonly metricsPort: number;
  predict(body: unknown): Promise<{ status: number; body: unknown }>;
  stop(): Promise<void>;
}

export async function startDemo(env: Record<string, string> = {}): Promise<Demo> {
  const apiPort = await freePort();
  const metricsPort = await freePort();
  const child: ChildProcess = spawn(process.execPath, [join(root, 'examples', 'onnx-iris', 'dist', 'src', 'main.js'), '--no-traffic'], {
    env: { ...process.env, PORT: String(apiPort), HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('ready api=')) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`demo exited with ${code} before it was ready:\n${output}`)));
  });
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  return {
    apiUrl,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    metricsPort,
    async predict(body) {
      const response = await fetch(`${apiUrl}/predict`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: await response.json() };
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
