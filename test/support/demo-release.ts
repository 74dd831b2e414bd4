import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDemoProcess } from './demo-process.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const example = join(root, 'examples', 'onnx-iris');

/**
 * A release of the iris model: the example's own training script writes an
 * ONNX file whose metadata carries `version` (what the demo reports as
 * model_version). Written to `dir`, which the caller removes.
 */
export function trainIrisRelease(dir: string, version: string): string {
  const path = join(dir, `iris-${version}.onnx`);
  execFileSync(process.execPath, [join(example, 'dist', 'scripts', 'train-iris.js'), path, version], { stdio: 'ignore' });
  return path;
}

/** A demo process serving a given model file, with its metrics on a given port (so a redeploy keeps its scrape target). */
export interface DemoRelease {
  readonly apiUrl: string;
  predict(body: unknown): Promise<number>;
  stop(): Promise<void>;
}

/** Starts the built demo with `--model <file>`, metrics on `metricsPort`. */
export async function startDemoRelease(modelPath: string, metricsPort: number): Promise<DemoRelease> {
  const demo = await startDemoProcess(['--no-traffic', '--model', modelPath], {}, { metricsPort });
  return {
    apiUrl: demo.apiUrl,
    async predict(body) {
      const response = await fetch(`${demo.apiUrl}/predict`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      await response.arrayBuffer();
      return response.status;
    },
    stop: () => demo.stop(),
  };
}
