import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const example = join(root, 'examples', 'onnx-iris');

/**
 * A release of the iris model: the example's own training script writes an
 * ONNX file whose metadata carries `version` (what the demo reports as
 * model_version). Written to a temporary directory.
 */
export function trainIrisRelease(version: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'inferometer-iris-')), `iris-${version}.onnx`);
  execFileSync(process.execPath, [join(example, 'dist', 'scripts', 'train-iris.js'), path, version], { stdio: 'ignore' });
  return path;
}

/** A demo process serving a given model file, with its metrics on a given port (so a redeploy keeps its scrape target). */
export interface DemoRelease {
  readonly apiUrl: string;
  predict(body: unknown): Promise<number>;
  stop(): Promise<void>;
}

/** Starts the built demo (like demo.ts) with `--model <file>`, metrics on `metricsPort`. */
export async function startDemoRelease(modelPath: string, metricsPort: number): Promise<DemoRelease> {
  const apiPort = await freePort();
  const child: ChildProcess = spawn(process.execPath, [join(example, 'dist', 'src', 'main.js'), '--no-traffic', '--model', modelPath], {
    env: { ...process.env, PORT: String(apiPort), HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort) },
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
    async predict(body) {
      const response = await fetch(`${apiUrl}/predict`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      await response.arrayBuffer();
      return response.status;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
