import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from './binaries.js';
import { eventually, freePort } from './ports.js';

/** One sample of a series as /api/v1/export gives it. */
export interface ExportedSeries {
  readonly metric: Record<string, string>;
  readonly values: number[];
  readonly timestamps: number[];
}

/** A real VictoriaMetrics (Debian's single-node server) on loopback with a temporary data dir. */
export interface VictoriaMetricsServer {
  readonly url: string;
  /** The remote write endpoint. */
  readonly writeUrl: string;
  readonly dir: string;
  /** Instant PromQL query. */
  query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** Waits until the query returns one sample that `accept` takes, and returns its value. */
  waitFor(expr: string, accept: (value: number) => boolean, timeoutMs?: number): Promise<number>;
  /** Every raw sample of the series `match` selects (/api/v1/export). */
  exportRaw(match: string): Promise<ExportedSeries[]>;
  /** Metric names it holds (/api/v1/label/__name__/values). */
  names(): Promise<string[]>;
  /** Stops the process, keeping the data dir (for an outage). */
  pause(): Promise<void>;
  /** Starts it again on the same port and data dir. */
  resume(): Promise<void>;
  /** Stops it and removes the data dir. */
  stop(): Promise<void>;
}

/**
 * Starts Debian's `victoria-metrics`. Query results are not delayed
 * (`-search.latencyOffset=0s`; the default hides the last 30 s) nor cached,
 * so a test sees what was written at once.
 */
export async function startVictoriaMetrics(): Promise<VictoriaMetricsServer> {
  const binary = requireBinary('victoria-metrics', 'victoria-metrics', 'VICTORIA_METRICS_BIN');
  const dir = mkdtempSync(join(tmpdir(), 'inferometer-victoria-metrics-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let log = '';

  const launch = async (): Promise<void> => {
    log = '';
    const process = spawn(
      binary,
      [
        `-httpListenAddr=127.0.0.1:${port}`,
        `-storageDataPath=${join(dir, 'data')}`,
        '-retentionPeriod=1d',
        '-search.latencyOffset=0s',
        '-search.disableCache',
        '-loggerLevel=WARN',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir },
    );
    child = process;
    process.stderr?.on('data', (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-4000);
    });
    await eventually('VictoriaMetrics to be ready', async () => {
      if (process.exitCode !== null) throw new Error(`victoria-metrics exited with ${process.exitCode}: ${log}`);
      return (await fetch(`${url}/health`)).ok ? true : undefined;
    });
  };
  const halt = async (): Promise<void> => {
    const process = child;
    if (process === undefined || process.exitCode !== null) return;
    const exited = new Promise((resolve) => process.once('exit', resolve));
    process.kill('SIGTERM'); // VictoriaMetrics flushes its in-memory parts on SIGTERM
    await exited;
  };
  const stop = async (): Promise<void> => {
    await halt();
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await launch();
  } catch (err) {
    await stop();
    throw err;
  }

  const query: VictoriaMetricsServer['query'] = async (expr) => {
    const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await response.json()) as { status: string; error?: string; data: { result: [] } };
    if (body.status !== 'success') throw new Error(`query ${expr} failed: ${body.error}`);
    return body.data.result;
  };
  return {
    url,
    writeUrl: `${url}/api/v1/write`,
    dir,
    query,
    waitFor: (expr, accept, timeoutMs = 30_000) =>
      eventually(`${expr} to satisfy the check`, async () => {
        const result = await query(expr);
        if (result.length !== 1) return undefined;
        const value = Number(result[0]!.value[1]);
        return accept(value) ? value : undefined;
      }, timeoutMs),
    async exportRaw(match) {
      const response = await fetch(`${url}/api/v1/export?match[]=${encodeURIComponent(match)}`);
      if (!response.ok) throw new Error(`export ${match} failed: ${response.status} ${await response.text()}`);
      return (await response.text())
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as ExportedSeries);
    },
    async names() {
      const body = (await (await fetch(`${url}/api/v1/label/__name__/values`)).json()) as { data: string[] };
      return body.data;
    },
    pause: halt,
    resume: launch,
    stop,
  };
}
