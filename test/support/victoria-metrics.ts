import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from './binaries.js';
import { freePort } from './ports.js';
import { promQlClient, spawnServer, type PromQlClient, type ServerProcess } from './server-process.js';

/** One sample of a series as /api/v1/export gives it. */
export interface ExportedSeries {
  readonly metric: Record<string, string>;
  readonly values: number[];
  readonly timestamps: number[];
}

/** A real VictoriaMetrics (Debian's single-node server) on loopback with a temporary data dir. */
export interface VictoriaMetricsServer extends PromQlClient {
  readonly url: string;
  /** The remote write endpoint. */
  readonly writeUrl: string;
  readonly dir: string;
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
  let server: ServerProcess | undefined;

  const launch = async (): Promise<void> => {
    server = await spawnServer(
      'VictoriaMetrics',
      binary,
      [
        `-httpListenAddr=127.0.0.1:${port}`,
        `-storageDataPath=${join(dir, 'data')}`,
        '-retentionPeriod=1d',
        '-search.latencyOffset=0s',
        '-search.disableCache',
        '-loggerLevel=WARN',
      ],
      { cwd: dir, readyUrl: `${url}/health` },
    );
  };
  // VictoriaMetrics flushes its in-memory parts on SIGTERM.
  const halt = async (): Promise<void> => {
    await server?.halt();
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

  return {
    url,
    writeUrl: `${url}/api/v1/write`,
    dir,
    ...promQlClient(url),
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
