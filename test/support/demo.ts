import { startDemoProcess } from './demo-process.js';

/** The onnx-iris demo server, started as users start it (the built example) with --no-traffic, on free ports. */
export interface Demo {
  readonly apiUrl: string;
  readonly metricsUrl: string;
  readonly metricsPort: number;
  predict(body: unknown): Promise<{ status: number; body: unknown }>;
  stop(): Promise<void>;
}

export async function startDemo(env: Record<string, string> = {}): Promise<Demo> {
  const demo = await startDemoProcess(['--no-traffic'], env);
  return {
    apiUrl: demo.apiUrl,
    metricsUrl: demo.metricsUrl,
    metricsPort: demo.metricsPort,
    async predict(body) {
      const response = await fetch(`${demo.apiUrl}/predict`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: await response.json() };
    },
    stop: () => demo.stop(),
  };
}
