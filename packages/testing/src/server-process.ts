import { spawn, type ChildProcess } from 'node:child_process';
import { eventually } from './ports.js';

/** A real server binary started by a test, with the tail of its log for error messages. */
export interface ServerProcess {
  readonly child: ChildProcess;
  /** The last few KiB of what the server wrote to stderr. */
  log(): string;
  /** SIGTERM and wait for the exit (servers flush on SIGTERM); a no-op once exited. */
  halt(): Promise<void>;
}

/**
 * Starts `binary` and waits until `readyUrl` answers 2xx. Fails with the
 * server's own log if it exits first or never becomes ready, and stops it.
 */
export async function spawnServer(name: string, binary: string, args: readonly string[], options: { cwd: string; readyUrl: string }): Promise<ServerProcess> {
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: options.cwd });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  const server: ServerProcess = {
    child,
    log: () => log,
    async halt() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
  try {
    await eventually(`${name} to be ready`, async () => {
      if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${log}`);
      return (await fetch(options.readyUrl)).ok ? true : undefined;
    });
  } catch (err) {
    await server.halt();
    throw err;
  }
  return server;
}

/** An instant-query client for the Prometheus HTTP API (Prometheus and VictoriaMetrics speak it). */
export interface PromQlClient {
  /** Runs an instant PromQL query and returns the result vector. */
  query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** Waits until the query returns one sample that `accept` takes, and returns its value. */
  waitFor(expr: string, accept: (value: number) => boolean, timeoutMs?: number): Promise<number>;
}

export function promQlClient(url: string): PromQlClient {
  const query: PromQlClient['query'] = async (expr) => {
    const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await response.json()) as { status: string; error?: string; data: { result: [] } };
    if (body.status !== 'success') throw new Error(`query ${expr} failed: ${body.error}`);
    return body.data.result;
  };
  return {
    query,
    waitFor: (expr, accept, timeoutMs = 30_000) =>
      eventually(
        `${expr} to satisfy the check`,
        async () => {
          const result = await query(expr);
          if (result.length !== 1) return undefined;
          const value = Number(result[0]!.value[1]);
          return accept(value) ? value : undefined;
        },
        timeoutMs,
      ),
  };
}
